// Download once, work offline: the built site's service worker caches the
// page and the target on the first visit, and the build host's files as they
// are used; a damaged cache entry is set aside and fetched again with a
// message; a file changed on the server is refused to the old page, and a new
// build of the site takes over only when the person says so; with the server
// gone, a reload still reaches the target's prompt.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { PreviewServer } from "vite";
import { buildAndServe, launchChromium } from "../../src/node/page/serve.ts";
import { terminalText, waitForTarget } from "../../src/node/page/drive.ts";

let server: PreviewServer | undefined;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let url: string;
/** The directory the server serves: the tests change files in it as a new deployment would. */
let dir: string;
const errors: string[] = [];

beforeAll(async () => {
  ({ url, server, dir } = await buildAndServe());
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface Hooks {
  klpPage?: { prepared(): Promise<string[]> };
}
const contentKeys = (p: Page) => p.evaluate(async () => (await (await caches.open("klp-content-1")).keys()).map((r) => new URL(r.url).pathname.split("/").pop()!));
const sha256Of = (file: string) => (JSON.parse(readFileSync(join(dir, "images/manifest.json"), "utf8")) as { artifacts: Record<string, { file: string; sha256: string }> }).artifacts[file]!.sha256;

const controlled = (p: Page) => p.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });

async function promptAnswers(p: Page, word: string): Promise<void> {
  await p.locator("#terminal").click();
  await p.keyboard.type(`echo ${word.slice(0, 3)}''${word.slice(3)}\n`);
  await expect.poll(async () => (await terminalText(p)).replace(/\n/g, ""), { timeout: 60_000 }).toContain(word);
}

describe("offline", () => {
  it("caches the page and the target on the first visit", async () => {
    await page.goto(url);
    await waitForTarget(page);
    await controlled(page);
    const cached = await page.evaluate(async () => {
      const keys = async (name: string) => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
      return { content: await keys("klp-content-1"), immutable: await keys("klp-immutable-1") };
    });
    // index.html, the images manifest, firmware, the target's snapshot and prompt, kbuild: by content; the page's chunks by name.
    expect(cached.content.length).toBeGreaterThanOrEqual(6);
    expect(cached.immutable.some((p) => /assets\/index-.*\.js$/.test(p))).toBe(true);
    expect(cached.immutable.some((p) => p.endsWith(".wasm"))).toBe(true);
  });

  it("caches the compiler's files as the page fetches them in the background", async () => {
    // The page starts the builder once the service worker controls it (or after 10 s). These
    // images carry the WebAssembly compiler, so that is what the builder fetches (not the VM).
    await page.waitForTimeout(2500);
    await page.evaluate(() => (window as unknown as Hooks).klpPage!.prepared());
    const compiler = sha256Of("cc1Wasm");
    await expect.poll(() => contentKeys(page), { timeout: 120_000 }).toContain(compiler);
  });

  it("refuses a file that changed on the server to the page of the old build, and says why", async () => {
    // A deployment replaced klp-layout.json under this page (and its cached copy is gone).
    const file = join(dir, "images/klp-layout.json");
    const original = readFileSync(file);
    writeFileSync(file, original.toString("utf8").replace(/\s*$/, "\n\n"));
    const sha = sha256Of("klpLayout");
    const status = await page.evaluate(async (key) => {
      await (await caches.open("klp-content-1")).delete(new URL(`__content/${key}`, document.baseURI).href);
      return (await fetch("images/klp-layout.json")).status;
    }, sha);
    expect(status).toBe(409);
    await expect.poll(() => page.locator("#notice").textContent(), { timeout: 10_000 }).toContain("The site was updated while this page was open (images/klp-layout.json changed)");
    // The deployment rolled back: the bytes this build lists are served again.
    writeFileSync(file, original);
    expect(await page.evaluate(async () => (await fetch("images/klp-layout.json")).status)).toBe(200);
  });

  it("offers a new build of the site, switches only when asked, and tells the other tabs", { timeout: 400_000 }, async () => {
    const other = await context.newPage();
    await other.goto(url);
    await waitForTarget(other);
    const sw = join(dir, "sw.js");
    const old = readFileSync(sw, "utf8");
    writeFileSync(sw, old.replace(/"version": "([0-9a-f]+)"/, '"version": "updated-$1"'));
    await page.evaluate(async () => void (await (await navigator.serviceWorker.getRegistration())!.update()));
    const offer = page.locator("#notice button", { hasText: "Reload to use it" });
    await expect.poll(() => offer.count(), { timeout: 60_000 }).toBe(1);
    // Not yet: the running page keeps its version until the person chooses.
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.waiting !== null)).toBe(true);
    // The new version activates once the old one's fetches in flight (the build host's downloads, in both tabs) are done.
    await Promise.all([page.waitForEvent("framenavigated", { timeout: 240_000 }), offer.click()]);
    await waitForTarget(page);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.waiting)).toBeNull();
    await promptAnswers(page, "UPDATED");
    // The other tab still runs the old page's code: it is told, not reloaded under the person's hands.
    await expect.poll(() => other.locator("#notice").textContent(), { timeout: 10_000 }).toContain("updated in another tab");
    await other.close();
  });

  it("sets a damaged cache entry aside, says so, and still boots", async () => {
    const damaged = await page.evaluate(async () => {
      const manifest = (await (await fetch("images/manifest.json")).json()) as { artifacts: Record<string, { sha256: string; file: string }> };
      const state = manifest.artifacts.targetState!;
      const cache = await caches.open("klp-content-1");
      const key = new URL(`__content/${state.sha256}`, document.baseURI).href;
      const hit = await cache.match(key);
      if (!hit) return "not cached";
      // Same recorded hash, other bytes: what a disk error or a cut-off write leaves.
      await cache.put(key, new Response(new Uint8Array(1000), { headers: hit.headers }));
      return state.file;
    });
    expect(damaged).toBe("snapshots/target.state.zst");
    await page.reload();
    await waitForTarget(page);
    await expect.poll(() => page.locator("#notice").textContent(), { timeout: 30_000 }).toContain("damaged copy of images/snapshots/target.state.zst");
    await promptAnswers(page, "REPAIRED");
  });

  it("reloads with no network and reaches the prompt", async () => {
    // No server at all, and the browser offline: a venue without network.
    await server!.close();
    server = undefined;
    await context.setOffline(true);
    const t0 = Date.now();
    await page.reload();
    await waitForTarget(page);
    await promptAnswers(page, "OFFLINE");
    console.log(`offline reload to prompt: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(await page.locator("#status").getAttribute("data-status")).toBe("ready");
    // The builder worker's rare synchronous reads (a toolchain file the compiler asks for mid-run) are answered from the cache too.
    const builder = page.workers().find((w) => w.url().includes("builder.worker"));
    expect(builder).toBeDefined();
    const sync = await builder!.evaluate(() => {
      const xhr = new XMLHttpRequest();
      xhr.open("GET", new URL("../images/manifest.json", location.href).href, false);
      xhr.send();
      return xhr.status;
    });
    expect(sync).toBe(200);
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/page-offline.png" });
    expect(errors).toEqual([]);
  });

  it("builds offline what the builder prepared online", { timeout: 900_000 }, async () => {
    // The editor holds the first lab (cmdline), whose files the builder fetched online in the second test.
    await page.locator("#build-btn").click();
    await expect.poll(() => page.locator(".build-summary").textContent(), { timeout: 600_000, interval: 1000 }).toMatch(/✓|error|refused|failed/i);
    expect(await page.locator(".build-summary").textContent()).toContain("✓");
    await page.screenshot({ path: "test-results/page-offline-build.png" });
  });
});
