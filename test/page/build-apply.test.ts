// The whole loop in the browser: choose the cmdline sample, Build (GCC in the
// build-host VM, in a web worker), Apply to the running target, see the new
// behaviour in the terminal, Revert and see the original again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import type { PreviewServer } from "vite";
import { buildAndServe, launchChromium } from "../../src/node/page/serve.ts";
import { terminalText, typeDiff, waitForTarget } from "../../src/node/page/drive.ts";
import { sampleById } from "../../src/common/samples/index.ts";

let server: PreviewServer;
let browser: Browser;
let page: Page;
let url: string;
const errors: string[] = [];

beforeAll(async () => {
  const served = await buildAndServe();
  server = served.server;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  page.on("pageerror", (e) => errors.push(e.message));
  url = served.url;
  await page.goto(url);
  await waitForTarget(page);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});


let runs = 0;
/**
 * Runs a command in the terminal and returns its output, found between
 * markers that the echoed command line cannot match and that earlier runs
 * (still on screen until `clear` runs) did not print.
 */
async function runInTerminal(p: Page, command: string): Promise<string> {
  const n = ++runs;
  await p.locator("#terminal").click();
  await p.keyboard.type(`clear; echo BE""GIN${n}; ${command}; echo E""ND${n}\n`);
  let out = "";
  await expect
    .poll(async () => {
      const m = new RegExp(`BEGIN${n}(.*)END${n}`).exec((await terminalText(p)).replace(/\n/g, ""));
      out = m?.[1] ?? "";
      return m !== null;
    }, { timeout: 30_000 })
    .toBe(true);
  return out;
}

/** Replaces the patch as a person would (select all, paste), presses Ctrl+Enter, waits for the build's verdict. */
async function typeDiffAndBuild(p: Page, diff: string): Promise<void> {
  await typeDiff(p, diff);
  await p.keyboard.press("ControlOrMeta+Enter");
  await expect.poll(() => p.locator(".build-summary").textContent(), { timeout: 300_000, interval: 1000 }).toMatch(/✓|error|refused|failed/i);
}

describe("build and apply in the page", () => {
  it("builds the cmdline sample, applies it live, and reverts it", async () => {
    await page.locator("#samples-btn").click();
    await page.locator('button[data-sample="cmdline"]').click();
    await page.locator("#build-btn").click();
    await expect.poll(() => page.locator(".build-summary").textContent(), { timeout: 300_000, interval: 1000 }).toMatch(/✓|error|refused|failed/i);
    expect(await page.locator(".build-summary").textContent()).toMatch(/✓ playground_1\.ko .* patches fs\/proc\/cmdline\.o/);
    expect(await page.locator(".build-summary").textContent()).toContain("cmdline_proc_show()");

    // What changed: the machine code side by side, from the builder worker (Capstone's wasm fetched now).
    await page.locator(".what-changed-btn").click();
    const view = page.locator(".what-changed-dialog");
    await view.locator(".wc-table").first().waitFor({ timeout: 60_000 });
    expect(await view.locator("h3").first().textContent()).toContain("cmdline_proc_show()");
    expect(await view.locator(".wc-row:not(.wc-same)").count()).toBeGreaterThan(0);
    expect(await view.locator(".wc-first").count()).toBe(1);
    expect(await view.locator(".wc-table").first().textContent()).toContain("calll __fentry__");
    await view.locator("button.ghost").click();

    await page.locator("#apply-btn").click();
    await expect.poll(() => page.locator(".build-summary").textContent(), { timeout: 60_000 }).toContain("applied: every task now runs the new code");
    // The same module cannot be loaded twice.
    expect(await page.locator("#apply-btn").isDisabled()).toBe(true);
    expect(await runInTerminal(page, "cat /proc/cmdline")).toMatch(/klp\.role=target \[live patched!\]/);
    await expect.poll(() => page.locator("#livepatch").textContent(), { timeout: 30_000 }).toContain("cmdline_proc_show");
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/page-applied.png" });

    await page.locator("#revert-btn").click();
    await expect.poll(() => page.locator(".build-summary").textContent(), { timeout: 60_000 }).toContain("reverted");
    await expect.poll(() => page.locator("#apply-btn").isDisabled(), { timeout: 30_000 }).toBe(false);
    const after = await runInTerminal(page, "cat /proc/cmdline");
    expect(after).toContain("klp.role=target");
    expect(after).not.toContain("[live patched!]");
    expect(errors).toEqual([]);
  });

  it("puts a compile error on the diff line that caused it", async () => {
    const broken = sampleById("cmdline")!.diff.replace('seq_puts(m, " [live patched!]");', "seq_puts(m, undeclared_here);");
    await typeDiffAndBuild(page, broken);
    expect(await page.locator(".build-summary").textContent()).toMatch(/fs\/proc\/cmdline\.c:11:\d+ \(diff line 7\): 'undeclared_here' undeclared/);
    const markers = await page.evaluate(() => (window as unknown as { klpPage: { markers(): { resource: string; line: number; message: string }[] } }).klpPage.markers());
    expect(markers).toContainEqual(expect.objectContaining({ resource: "/patch.diff", line: 7 }));
  });

  it("notices a patch that hangs the kernel, and Restore brings the target back", async () => {
    // PREEMPT_NONE: a patched function that never returns holds the only CPU.
    const hang = sampleById("cmdline")!.diff.replace('seq_puts(m, " [live patched!]");', "for (;;) cpu_relax();");
    await typeDiffAndBuild(page, hang);
    expect(await page.locator(".build-summary").textContent()).toContain("✓");
    await page.locator("#apply-btn").click();
    await expect.poll(() => page.locator(".build-summary").textContent(), { timeout: 60_000 }).toContain("applied");
    await page.locator("#terminal").click();
    await page.keyboard.type("cat /proc/cmdline\n");
    await new Promise((r) => setTimeout(r, 1000));
    // Nothing comes back; the person presses Enter again.
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#status").getAttribute("data-status"), { timeout: 60_000 }).toBe("crashed");
    await expect(page.locator("#crash").textContent()).resolves.toMatch(/The target stopped answering.*no echo of your typing/s);
    await page.locator("#crash button.primary").click();
    await expect.poll(() => page.locator("#status").getAttribute("data-status"), { timeout: 60_000 }).toBe("ready");
    expect(await runInTerminal(page, "echo ali''ve")).toContain("alive");
  });

  it("prepares the builder in the background on a fresh visit: the WebAssembly gcc and the patch's files are fetched, Build then only compiles", async () => {
    await page.close(); // its machines would compete for the CPU
    const fresh = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    fresh.on("pageerror", (e) => errors.push(e.message));
    await fresh.goto(url);
    await waitForTarget(fresh);
    const prepared = () => fresh.evaluate(() => (window as unknown as { klpPage: { prepared(): Promise<string[]> } }).klpPage.prepared());
    // Nobody pressed Build: the page starts the builder by itself once the target is up.
    await expect.poll(prepared, { timeout: 300_000, interval: 1000 }).toEqual(["fs/proc/cmdline.o"]);
    await fresh.locator("#build-btn").click();
    await expect.poll(() => fresh.locator(".build-summary").textContent(), { timeout: 300_000, interval: 1000 }).toMatch(/✓|error|refused|failed/i);
    expect(await fresh.locator(".build-summary").textContent()).toMatch(/✓ playground_1\.ko .* patches fs\/proc\/cmdline\.o/);
    // These images carry the WebAssembly compiler: no build host, no precompiled headers.
    expect(await fresh.locator(".build-log").textContent()).toMatch(/compiler: wasm \(Debian gcc 12\.2 cc1 \+ binutils 2\.40 as, WebAssembly\)/);
    expect(await fresh.locator(".build-log").textContent()).toMatch(/fs\/proc\/cmdline\.o: compiled in \d+\.\d s/);
    expect(errors).toEqual([]);
  }, 660_000); // its two waits allow 300 s each: the compiler's download and the files' prefetch, then the build
});
