// Download once, work offline: the built site's service worker caches the
// page and the target on the first visit; a damaged cache entry is set aside
// and fetched again with a message; with the server gone, a reload still
// reaches the target's prompt.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { PreviewServer } from "vite";
import { buildAndServe, launchChromium } from "../../src/node/page/serve.ts";
import { terminalText, waitForTarget } from "../../src/node/page/drive.ts";

let server: PreviewServer | undefined;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let url: string;
const errors: string[] = [];

beforeAll(async () => {
  ({ url, server } = await buildAndServe());
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

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
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/page-offline.png" });
    expect(errors).toEqual([]);
  });
});
