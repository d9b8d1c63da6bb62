// README "Security", in the browser: the built site under its
// Content-Security-Policy (no violation; another origin refused from the page
// and from a worker), a share link that carries a lab runs nothing until a
// button is pressed and shows its commands first, guest and patch text with
// markup in it stays text everywhere it shows, and stored work that is
// damaged or from an older version is handled with a message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { PreviewServer } from "vite";
import { buildAndServe, launchChromium } from "../../src/node/page/serve.ts";
import { runInTerminal as run, terminalText, typeDiff, waitForTarget } from "../../src/node/page/drive.ts";
import { encodeShareFragment } from "../../src/browser/share/lab-link.ts";
import { MAX_FRAGMENT_CHARS } from "../../src/browser/share/link.ts";
import { sampleById } from "../../src/common/samples/index.ts";

let server: PreviewServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let url: string;
const errors: string[] = [];
/** Every CSP violation the page or its workers reported (console), and the page's securitypolicyviolation events. */
const violations: string[] = [];

/** Markup that runs a script if anything parses it as HTML (no spaces: it survives file names and diff headers). */
const xss = (n: number) => `<img/src/onerror=window.__xss=${n}>`;

interface Hooks {
  klpPage?: { diff(): string; markers(): { resource: string; line: number; message: string }[] };
  __xss?: number;
  __violations?: string[];
}
const editorDiff = (p: Page) => p.evaluate(() => (window as unknown as Hooks).klpPage?.diff() ?? null);
const pageReady = (p: Page) => p.waitForFunction(() => (window as unknown as Hooks).klpPage !== undefined, null, { timeout: 60_000 });
const ranMarkup = (p: Page) => p.evaluate(() => (window as unknown as Hooks).__xss ?? null);
const imagesIn = (p: Page, selector: string) => p.evaluate((s) => document.querySelectorAll(`${s} img`).length, selector);

function watch(p: Page): void {
  p.on("pageerror", (e) => errors.push(e.message));
  p.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
}

beforeAll(async () => {
  ({ url, server } = await buildAndServe());
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(() => {
    const w = window as unknown as Hooks;
    w.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => w.__violations!.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page = await context.newPage();
  watch(page);
  mkdirSync("test-results", { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Loads the page afresh from a link (a new document, not a hash change). */
async function open(p: Page, address: string): Promise<void> {
  await p.goto("about:blank");
  await p.goto(address);
  await pageReady(p);
}

describe("page security", () => {
  it("runs under its Content-Security-Policy with no violation, Monaco and both machines included", async () => {
    const r = await page.goto(url);
    expect(r?.headers()["content-security-policy"]).toContain("connect-src 'self'");
    expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content")).toContain("default-src 'self'");
    await waitForTarget(page);
    await pageReady(page);
    // The editor's worker, its find widget and hovers, the terminal's renderer: the parts that make elements and styles at run time.
    await page.locator("#editor .view-lines").click();
    await page.keyboard.press("ControlOrMeta+F");
    await page.keyboard.press("Escape");
    expect(await run(page, "uname -r")).toMatch(/6\.12/);
    expect(violations).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as Hooks).__violations)).toEqual([]);
  });

  it("refuses to talk to another origin, from the page and from its workers", async () => {
    const fromPage = await page.evaluate(() => fetch("http://example.invalid/steal").then(() => "fetched", (e: unknown) => String(e)));
    expect(fromPage).toMatch(/TypeError/);
    expect(await page.evaluate(() => (window as unknown as Hooks).__violations)).toContainEqual(expect.stringMatching(/^connect-src http:\/\/example\.invalid/));
    const target = page.workers().find((w) => w.url().includes("target.worker"));
    expect(target).toBeDefined();
    const fromWorker = await target!.evaluate(() => fetch("http://example.invalid/steal").then(() => "fetched", (e: unknown) => String(e)));
    expect(fromWorker).toMatch(/TypeError/);
    violations.length = 0;
  });

  it("opens a link that carries a patch, a lab's steps and a check, and runs none of it", async () => {
    const s = sampleById("cmdline")!;
    const fragment = await encodeShareFragment({
      patch: s.diff,
      lab: {
        title: `Lab ${xss(1)}`,
        before: ["touch /tmp/ran-before"],
        tryIt: ["touch /tmp/ran-try", `echo '${xss(2)}'`],
        expect: `expect ${xss(3)}`,
        check: { command: "touch /tmp/ran-check", passes: `passes ${xss(4)}` },
      },
    });
    await open(page, `${url}#${fragment}`);
    await waitForTarget(page);
    await expect.poll(() => editorDiff(page), { timeout: 30_000 }).toBe(s.diff);
    // Every command shows before anything runs, with the link's markup as text.
    const lab = page.locator("#lab");
    await expect.poll(() => lab.textContent(), { timeout: 10_000 }).toContain("touch /tmp/ran-try");
    const text = (await lab.textContent()) ?? "";
    for (const shown of ["touch /tmp/ran-before", "touch /tmp/ran-check", `Lab ${xss(1)}`, `echo '${xss(2)}'`, `expect ${xss(3)}`]) expect(text).toContain(shown);
    expect(text).toMatch(/nothing runs until you press/);
    expect(await imagesIn(page, "#lab")).toBe(0);
    // Give a careless page time to act on the link, then look for any sign that it did.
    await page.waitForTimeout(3000);
    expect(await terminalText(page)).not.toContain("ran-");
    expect(await page.locator(".build-summary").textContent()).toMatch(/^Press Build/);
    expect(await page.locator(".stage.running, .stage.done").count()).toBe(0);
    expect(await run(page, "ls /tmp/ran-* 2>/dev/null | wc -l; lsmod | grep -c playground")).toMatch(/^\s*0\s*0\s*$/);
    expect(await ranMarkup(page)).toBeNull();
    await page.screenshot({ path: "test-results/page-link-lab.png" });
  });

  it("refuses links over the caps with a message, keeping the patch", async () => {
    const before = await editorDiff(page);
    await open(page, `${url}#patch=${"A".repeat(MAX_FRAGMENT_CHARS)}`);
    await expect.poll(() => page.locator("#notice").textContent(), { timeout: 10_000 }).toMatch(/could not be opened: the link is too long/);
    const many = await encodeShareFragment({ patch: "x", lab: { title: "t", tryIt: [], expect: "" } });
    const commands = Array.from({ length: 21 }, (_, i) => `echo ${i}`);
    // 21 commands: built by hand, as the encoder itself refuses to write it.
    const { deflateRawSync } = await import("node:zlib");
    const labPart = deflateRawSync(Buffer.from(JSON.stringify({ title: "t", tryIt: commands, expect: "" }))).toString("base64url");
    await open(page, `${url}#${many.split("&")[0]}&lab=${labPart}`);
    await expect.poll(() => page.locator("#notice").textContent(), { timeout: 10_000 }).toMatch(/could not be opened: the link's lab has bad steps/);
    expect(await editorDiff(page)).toBe(before);
  });

  it("shows markup from the guest literally in the terminal: command output and kernel messages", async () => {
    await waitForTarget(page);
    const out = await run(page, `echo '${xss(5)}'; echo '<3>klp-test: ${xss(6)}' > /dev/kmsg; dmesg | grep -c klp-test`);
    expect(out).toContain(xss(5));
    await expect.poll(async () => (await terminalText(page)).replace(/\n/g, ""), { timeout: 10_000 }).toContain(`klp-test: ${xss(6)}`);
    expect(await imagesIn(page, "#terminal")).toBe(0);
    expect(await ranMarkup(page)).toBeNull();
  });

  it("shows markup in file names and GCC's messages literally in the build log and the markers", { timeout: 900_000 }, async () => {
    // A file name with markup: refused at the apply stage, the name in the log and on the diff's line.
    const badName = `fs/${xss(7)}.c`;
    await typeDiff(page, `--- a/${badName}\n+++ b/${badName}\n@@ -1,1 +1,2 @@\n int x;\n+int y;\n`);
    await page.keyboard.press("ControlOrMeta+Enter");
    const build = page.locator("#build");
    await expect.poll(() => build.textContent(), { timeout: 300_000, interval: 1000 }).toMatch(/file-not-found|no such file|not in the source tree/i);
    expect(await build.textContent()).toContain(xss(7));
    expect(await imagesIn(page, "#build")).toBe(0);

    // GCC quoting markup back: an #error with it, on the source line and in the log.
    const s = sampleById("cmdline")!;
    const withError = s.diff.replace(/^\+(?!\+\+ )(.*)$/m, `+$1\n+#error ${xss(8)}`).replace(/^(@@ -\d+,\d+ \+\d+,)(\d+)/m, (_m, a: string, n: string) => `${a}${Number(n) + 1}`);
    await typeDiff(page, withError);
    await page.keyboard.press("ControlOrMeta+Enter");
    await expect.poll(() => build.textContent(), { timeout: 600_000, interval: 1000 }).toMatch(/code: compile-failed/);
    expect(await build.textContent()).toContain(xss(8));
    const markers = await page.evaluate(() => (window as unknown as Hooks).klpPage!.markers());
    expect(markers.some((m) => m.message.includes(xss(8)))).toBe(true);
    expect(await imagesIn(page, "body")).toBe(0);
    expect(await ranMarkup(page)).toBeNull();
    await page.screenshot({ path: "test-results/page-markup-literal.png" });
  });

  it("loads a patch saved by an older version, and sets a damaged one aside with a message", async () => {
    // Written while no playground page is open (a page flushes its own work when it goes away).
    const writeStore = async (items: Record<string, string>) => {
      await page.goto("about:blank");
      const other = await context.newPage();
      await other.goto(`${url}images/klp-layout.json`);
      await other.evaluate((entries) => {
        for (const [k, v] of Object.entries(entries)) localStorage.setItem(k, v);
      }, items);
      await other.close();
    };
    const old = sampleById("meminfo")!.diff.replace("LivePatched:         yes", "SavedByV1:           yes");
    await writeStore({ "klp-playground:work": JSON.stringify({ version: 1, diff: old, sources: {}, tabs: [], active: "patch.diff" }) });
    await page.goto(url);
    await pageReady(page);
    await expect.poll(() => editorDiff(page), { timeout: 30_000 }).toBe(old);

    await writeStore({ "klp-playground:work": '{"version":2,"work":{"diff":"--- a/x' });
    await page.goto(url);
    await pageReady(page);
    await expect.poll(() => page.locator("#notice").textContent(), { timeout: 30_000 }).toMatch(/could not be read \(it is damaged\).*klp-playground:set-aside:work:\d+/);
    expect(await page.locator("#notice button", { hasText: "Save it as a file" }).count()).toBe(1);
    const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("klp-playground:set-aside:")).map((k) => localStorage.getItem(k)));
    expect(kept).toContain('{"version":2,"work":{"diff":"--- a/x');
    await page.screenshot({ path: "test-results/page-storage-set-aside.png" });
    expect(errors).toEqual([]);
    expect(violations).toEqual([]);
  });
});
