// The playground page against the built site: the target resumes and types,
// the patch survives reloads and travels in share links, a malformed diff is
// marked on its line, and the samples fill the editor.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import { deflateRawSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import type { PreviewServer } from "vite";
import { buildAndServe, launchChromium } from "../../src/node/page/serve.ts";
import { terminalText, typeDiff, waitForTarget } from "../../src/node/page/drive.ts";
import { DiffError, parseDiff } from "../../src/common/patch/index.ts";
import { sampleById } from "../../src/common/samples/index.ts";

let server: PreviewServer;
let browser: Browser;
let page: Page;
let url: string;
const errors: string[] = [];

beforeAll(async () => {
  ({ url, server } = await buildAndServe());
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  page.on("pageerror", (e) => errors.push(e.message));
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface PageHooks {
  klpPage?: { diff(): string; markers(): { resource: string; line: number; message: string }[] };
}

const editorDiff = (p: Page) => p.evaluate(() => (window as unknown as PageHooks).klpPage?.diff() ?? null);
const markers = (p: Page) => p.evaluate(() => (window as unknown as PageHooks).klpPage?.markers() ?? []);
const pageReady = (p: Page) => p.waitForFunction(() => (window as unknown as PageHooks).klpPage !== undefined, null, { timeout: 30_000 });

describe("playground page", () => {
  it("resumes the target and shows a shell prompt", async () => {
    const t0 = Date.now();
    await page.goto(url);
    await waitForTarget(page);
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/root@klp:~# /);
    expect(await page.locator("#status").textContent()).toContain("Linux 6.12");
    expect(await page.locator("#status").getAttribute("data-status")).toBe("ready");
    console.log(`page to prompt: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(errors).toEqual([]);
  });

  it("runs what is typed in the terminal", async () => {
    await page.locator("#terminal").click();
    await page.keyboard.type("cat /proc/cmdline\n");
    // The pane wraps the long command line over several rows: match across them.
    await expect.poll(async () => (await terminalText(page)).replace(/\n/g, ""), { timeout: 30_000 }).toMatch(/console=ttyS0.*klp\.role=target/);
  });

  it("fills the editor from the samples gallery", async () => {
    await pageReady(page);
    await page.locator("#samples-btn").click();
    await page.locator('button[data-sample="uname"]').click();
    await expect.poll(() => editorDiff(page)).toBe(sampleById("uname")!.diff);
    // The sample's source opens with the patched text, in sync with the diff.
    await page.locator("#goto-input").fill("newuname");
    await page.locator("#goto-input").press("Enter");
    await expect.poll(() => page.locator('.tab[data-tab="kernel/sys.c"]').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.locator(".tab.active").getAttribute("data-tab")).toBe("kernel/sys.c");
  });

  it("marks a malformed diff on the line the parser names", async () => {
    const bad = "--- a/fs/proc/cmdline.c\n+++ b/fs/proc/cmdline.c\n@@ -8,3 +8,4 @@\n static int cmdline_proc_show(struct seq_file *m, void *v)\n+oops\n";
    let expected = 0;
    try {
      parseDiff(bad);
    } catch (e) {
      if (e instanceof DiffError) expected = e.line;
    }
    expect(expected).toBeGreaterThan(0);
    await typeDiff(page, bad);
    await expect.poll(() => markers(page), { timeout: 10_000 }).toContainEqual(expect.objectContaining({ resource: "/patch.diff", line: expected }));
  });

  it("keeps the patch text across a reload, even a broken one", async () => {
    const text = sampleById("meminfo")!.diff.replace("LivePatched:         yes", "Persisted:           yes");
    await typeDiff(page, text);
    await expect.poll(() => editorDiff(page)).toBe(text);
    await page.waitForTimeout(700); // the save is debounced
    await page.reload();
    await pageReady(page);
    await expect.poll(() => editorDiff(page), { timeout: 30_000 }).toBe(text);

    const broken = text.replace(/^@@ .*$/m, "@@ garbage @@");
    await typeDiff(page, broken);
    await expect.poll(() => markers(page), { timeout: 10_000 }).not.toEqual([]);
    await page.waitForTimeout(700);
    await page.reload();
    await pageReady(page);
    await expect.poll(() => editorDiff(page), { timeout: 30_000 }).toBe(broken);
    await expect.poll(() => markers(page), { timeout: 10_000 }).not.toEqual([]);
  });

  it("embeds: ?embed=1&sample=… shows editor and terminal with that sample, and leaves saved work alone", async () => {
    const saved = await editorDiff(page);
    const embed = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    try {
      await embed.goto(`${url}?embed=1&sample=uname`);
      await pageReady(embed);
      await expect.poll(() => editorDiff(embed), { timeout: 30_000 }).toBe(sampleById("uname")!.diff);
      expect(await embed.locator(".sources").isVisible()).toBe(false);
      expect(await embed.locator("#terminal").isVisible()).toBe(true);
      await embed.screenshot({ path: "test-results/page-embed.png" });
    } finally {
      await embed.close();
    }
    await page.reload();
    await pageReady(page);
    await expect.poll(() => editorDiff(page), { timeout: 30_000 }).toBe(saved);
  });

  it("round-trips a share link: the fragment's patch lands in the editor", async () => {
    const shared = sampleById("shadow")!.diff;
    const fragment = "patch=" + deflateRawSync(Buffer.from(shared)).toString("base64url");
    await page.goto("about:blank"); // a new load, not a same-document hash change
    await page.goto(`${url}#${fragment}`);
    await pageReady(page);
    await expect.poll(() => editorDiff(page), { timeout: 30_000 }).toBe(shared);
    expect(new URL(page.url()).hash).toBe(""); // a reload shows the person's edits, not the link again
  });

  it("turns a damaged share link into a friendly message", async () => {
    await page.goto("about:blank");
    await page.goto(`${url}#patch=!!!not-a-patch`);
    await pageReady(page);
    await expect.poll(() => page.locator("#notice").textContent()).toContain("could not be opened");
    await waitForTarget(page);
    await page.locator("#samples-btn").click();
    await page.locator('button[data-sample="sleeper"]').click();
    await page.locator("#terminal").click();
    await page.keyboard.type("uname -r\n");
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/6\.12\.\d+/);
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/page.png" });
    expect(errors).toEqual([]);
  });
});
