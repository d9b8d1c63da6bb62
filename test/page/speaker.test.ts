// The page as a speaker and a tutorial author use it, at 1280×720 and at
// 150 % zoom (the same screen: 853×480 CSS pixels): an empty start, a build
// that goes stale when the text changes, Apply over a loaded patch showing
// the new patch's transition, and an embedded lab whose Check passes. Each
// moment leaves a screenshot in test-results/ at both sizes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import type { PreviewServer } from "vite";
import { buildAndServe, launchChromium } from "../../src/node/page/serve.ts";
import { runInTerminal as run, terminalText, typeDiff, waitForTarget } from "../../src/node/page/drive.ts";
import { sampleById } from "../../src/common/samples/index.ts";

const FULL = { width: 1280, height: 720 };
/** 1280×720 at 150 % browser zoom. */
const ZOOMED = { width: 853, height: 480 };

let server: PreviewServer;
let browser: Browser;
let url: string;
const errors: string[] = [];

interface Hooks {
  klpPage?: { diff(): string; textScale(): number };
}
const editorDiff = (p: Page) => p.evaluate(() => (window as unknown as Hooks).klpPage?.diff() ?? null);
const summary = (p: Page) => p.locator(".build-summary").textContent();

beforeAll(async () => {
  ({ url, server } = await buildAndServe());
  browser = await launchChromium();
  mkdirSync("test-results", { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function newPage(): Promise<Page> {
  const p = await browser.newPage({ viewport: FULL });
  p.on("pageerror", (e) => errors.push(e.message));
  return p;
}

/** A screenshot at 1280×720 and one at 150 % of it, each checked for a working layout. */
async function shoot(p: Page, name: string): Promise<void> {
  for (const [size, vp] of [["1280x720", FULL], ["150pct", ZOOMED]] as const) {
    await p.setViewportSize(vp);
    await p.waitForTimeout(400); // the editor and terminal refit
    await p.screenshot({ path: `test-results/speaker-${name}-${size}.png` });
    const box = (sel: string) => p.locator(sel).first().boundingBox();
    // The header stays one row; the console keeps a readable height beside the editor.
    const header = await box(".topbar");
    expect(header!.height, `${name} ${size}: header height`).toBeLessThan(vp.height * 0.12);
    const term = await box("#terminal");
    if (term) {
      expect(term.height, `${name} ${size}: console height`).toBeGreaterThan(120);
      expect(term.x, `${name} ${size}: console beside the editor`).toBeGreaterThan(vp.width * 0.3);
    }
  }
  await p.setViewportSize(FULL);
}

async function waitBuilt(p: Page): Promise<string> {
  await expect.poll(() => summary(p), { timeout: 400_000, interval: 1000 }).toMatch(/✓|error|refused|failed|did not run/i);
  return (await summary(p)) ?? "";
}


describe("a speaker's page", () => {
  let page: Page;

  it("starts empty: New clears the patch, a source stays editable and its first edit writes the diff", async () => {
    page = await newPage();
    await page.goto(url);
    await waitForTarget(page);
    await page.locator("#new-btn").click();
    await expect.poll(() => editorDiff(page)).toBe("");
    // Nothing of the person's was replaced: no "previous patch kept" offer for an unedited sample.
    expect(await page.locator("#notice").textContent()).not.toContain("previous patch was kept");
    expect(await page.locator("#apply-btn").isDisabled()).toBe(true);
    await page.locator("#view-menu summary").click();
    if (!(await page.locator('input[data-pane="sources"]').isChecked())) await page.locator('input[data-pane="sources"]').check();
    await page.locator("#view-menu summary").click();
    await page.locator(".sources input").fill("fs/proc/cmdline.c");
    await page.locator('.file-list li[data-path="fs/proc/cmdline.c"]').click();
    await expect.poll(() => page.locator(".tab.active").getAttribute("data-tab"), { timeout: 30_000 }).toBe("fs/proc/cmdline.c");
    await page.locator("#editor .view-lines").click();
    await page.keyboard.press("ControlOrMeta+End");
    await page.keyboard.type("\n// my own patch\n");
    await expect.poll(() => editorDiff(page), { timeout: 10_000 }).toContain("+// my own patch");
    expect(await editorDiff(page)).toContain("+++ b/fs/proc/cmdline.c");
    await shoot(page, "empty-start");
    // The terminal renders what is typed, at either size.
    await page.setViewportSize(ZOOMED);
    expect(await run(page, "echo hel''lo")).toContain("hello");
    await page.setViewportSize(FULL);
  }, 300_000);

  it("one control scales every text, and only Ctrl/Cmd+Enter builds", async () => {
    const fontOf = (sel: string) => page.locator(sel).first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    const before = { panel: await fontOf(".build-summary"), editor: await fontOf("#editor .view-lines"), term: await fontOf(".xterm-rows") };
    await page.locator("#view-menu summary").click();
    await page.locator("#text-larger").click();
    await page.locator("#text-larger").click();
    await page.locator("#view-menu summary").click();
    expect(await page.evaluate(() => (window as unknown as Hooks).klpPage!.textScale())).toBeCloseTo(1.3);
    for (const [k, sel] of [["panel", ".build-summary"], ["editor", "#editor .view-lines"], ["term", ".xterm-rows"]] as const) {
      await expect.poll(() => fontOf(sel), { timeout: 5000 }).toBeGreaterThan(before[k] * 1.2);
    }
    await page.locator("#view-menu summary").click();
    await page.locator("#text-smaller").click();
    await page.locator("#text-smaller").click();
    await page.locator("#view-menu summary").click();
    // Ctrl+Alt+Enter is Monaco's Replace All, not Build.
    await page.locator("#editor .view-lines").click();
    await page.keyboard.press("Control+Alt+Enter");
    await page.waitForTimeout(500);
    expect(await page.locator(".stage.running, .stage.done").count()).toBe(0);
  }, 60_000);

  it("marks a build out of date when the text changes, and Apply builds the current text first", async () => {
    await page.locator("#samples-btn").click();
    await page.locator('button[data-sample="cmdline"]').click();
    await expect.poll(() => editorDiff(page)).toBe(sampleById("cmdline")!.diff);
    await page.locator("#build-btn").click();
    expect(await waitBuilt(page)).toMatch(/✓ playground_1\.ko/);
    expect(await page.locator(".build-stale").isVisible()).toBe(false);
    // No stage still ticking after the build ended.
    expect(await page.locator(".stage.running").count()).toBe(0);
    const v2 = sampleById("cmdline")!.diff.replace("[live patched!]", "[live patched v2]");
    await typeDiff(page, v2);
    await expect.poll(() => page.locator(".build-stale").isVisible()).toBe(true);
    expect(await page.locator(".build-stale").textContent()).toMatch(/out of date.*Apply builds the current text first/);
    expect(await page.locator("#apply-btn").getAttribute("title")).toMatch(/^Build the current text/);
    await shoot(page, "stale-build");

    const buildX = (await page.locator("#build-btn").boundingBox())!.x;
    await page.locator("#apply-btn").click();
    await expect.poll(() => summary(page), { timeout: 400_000, interval: 1000 }).toMatch(/applied: every task now runs the new code|failed|did not run/);
    expect(await summary(page)).toContain("playground_2 applied");
    // The header did not move while the status said busy and then ready again.
    expect((await page.locator("#build-btn").boundingBox())!.x).toBe(buildX);
    expect(await run(page, "cat /proc/cmdline")).toContain("[live patched v2]");
  }, 900_000);

  it("shows the new patch's transition when it replaces a loaded one, and the lab's Check passes", async () => {
    await page.locator("#samples-btn").click();
    await page.locator('button[data-sample="sleeper"]').click();
    await expect.poll(() => editorDiff(page)).toBe(sampleById("sleeper")!.diff);
    const lab = page.locator("#lab");
    await expect.poll(() => lab.textContent()).toContain("sleep 30 &");
    await page.locator("#build-btn").click();
    expect(await waitBuilt(page)).toMatch(/✓ playground_3\.ko/);
    // The lab's step runs only when its button is pressed, in the console where it shows.
    await lab.locator(".lab-cmd", { hasText: "sleep 30 &" }).locator("button").click();
    await expect.poll(async () => (await terminalText(page)).includes("sleep 30 &"), { timeout: 10_000 }).toBe(true);
    await page.locator("#apply-btn").click();
    const panel = page.locator("#livepatch");
    await expect.poll(() => panel.textContent(), { timeout: 60_000 }).toMatch(/playground_3: transition to patched/);
    await expect.poll(() => panel.locator(".lp-pending").first().textContent(), { timeout: 30_000 }).toContain("sleep");
    expect(await panel.textContent()).toMatch(/being replaced/);
    expect(await panel.locator(".lp-stack").first().textContent()).toMatch(/hrtimer_nanosleep|do_nanosleep/);
    expect(await page.locator("#apply-btn").isDisabled()).toBe(true);
    expect(await page.locator("#revert-btn").isDisabled()).toBe(true);
    await shoot(page, "replace-transition");
    // The kernel's fake signal (after 15 s) lets the sleeper switch; the old module goes.
    await expect.poll(() => summary(page), { timeout: 90_000, interval: 1000 }).toContain("playground_3 applied");
    await expect.poll(() => panel.textContent(), { timeout: 60_000 }).not.toContain("playground_2");
    await lab.locator(".lab-check-btn").click();
    await expect.poll(() => lab.locator(".lab-result").textContent(), { timeout: 60_000 }).toMatch(/^[✓✗]/);
    expect(await lab.locator(".lab-result").textContent()).toMatch(/^✓/);
    await page.close(); // its machines would compete with the embed's
    expect(errors).toEqual([]);
  }, 900_000);

  it("embeds a lab with its steps, and its Check passes", async () => {
    if (!page.isClosed()) await page.close();
    const embed = await newPage();
    await embed.goto(`${url}?embed=1&lab=cmdline&panes=editor,terminal,lab,build&readonly=1`);
    await waitForTarget(embed);
    await expect.poll(() => editorDiff(embed), { timeout: 30_000 }).toBe(sampleById("cmdline")!.diff);
    const lab = embed.locator("#lab");
    await expect.poll(() => lab.isVisible()).toBe(true);
    expect(await lab.textContent()).toContain("cat /proc/cmdline");
    expect(await lab.locator(".lab-check").textContent()).toContain("grep -q");
    expect(await embed.locator(".sources").isVisible()).toBe(false);
    expect(await embed.locator(".livepatch").isVisible()).toBe(false);
    // Read-only: typing does not change the patch.
    await embed.locator("#editor .view-lines").click();
    await embed.keyboard.type("x");
    expect(await editorDiff(embed)).toBe(sampleById("cmdline")!.diff);
    await embed.locator("#apply-btn").click();
    await expect.poll(() => summary(embed), { timeout: 400_000, interval: 1000 }).toMatch(/applied: every task now runs the new code|failed|did not run/);
    await lab.locator(".lab-check-btn").click();
    await expect.poll(() => lab.locator(".lab-result").textContent(), { timeout: 60_000 }).toMatch(/^[✓✗]/);
    expect(await lab.locator(".lab-result").textContent()).toMatch(/^✓/);
    await shoot(embed, "embedded-lab");
    // The Embed action hands out the line that made this page.
    await embed.close();
    const author = await newPage();
    await author.goto(`${url}?lab=cmdline`);
    await expect.poll(() => editorDiff(author), { timeout: 30_000 }).toBe(sampleById("cmdline")!.diff);
    await author.locator("#embed-btn").click();
    await expect.poll(() => author.locator("#embed-code").inputValue()).toMatch(/^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?embed=1&amp;lab=cmdline" /);
    await author.close();
    expect(errors).toEqual([]);
  }, 900_000);
});
