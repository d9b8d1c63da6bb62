// The "Three roads" lab in the page: the contract lab (an old caller with a
// new callee) down the immediate road shows the wrong result and draws the
// transition; the stop-machine road stops the machine and gives up. A
// screenshot of the timelines lands in test-results/.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import type { PreviewServer } from "vite";
import { buildAndServe, launchChromium } from "../../src/node/page/serve.ts";
import { waitForTarget } from "../../src/node/page/drive.ts";

let server: PreviewServer;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  const served = await buildAndServe();
  server = served.server;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(served.url);
  await waitForTarget(page);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("the Three roads lab", () => {
  it("runs the contract lab down two roads: immediate gets it wrong, stop-machine stops and gives up", async () => {
    await page.locator("#roads-btn").click();
    const lab = page.locator("dialog.roads-lab");
    await expect.poll(() => lab.isVisible()).toBe(true);
    await lab.locator("select").selectOption("roads-contract");
    await lab.getByRole("button", { name: "Upstream 4.0–4.11 (no consistency model)" }).click();
    const immediate = lab.locator(".road-card").first();
    await expect.poll(() => immediate.locator(".road-line").textContent(), { timeout: 600_000, interval: 1000 }).toMatch(/result: /);
    expect(await immediate.locator(".road-line").textContent()).toMatch(/immediate: complete .* result: sleep exited with status 1/);
    expect(await immediate.locator("svg.timeline circle.tl-mark").count()).toBeGreaterThan(10);

    await lab.getByRole("button", { name: "Ksplice / kpatch (stop_machine)" }).click();
    const stop = lab.locator(".road-card").first();
    await expect.poll(() => stop.locator(".road-line").textContent(), { timeout: 300_000, interval: 1000 }).toMatch(/result: /);
    expect(await stop.locator(".road-line").textContent()).toMatch(/stop-machine: aborted .* 5 stops .* result: sleep exited with status 0/);
    expect(await stop.locator("svg.timeline rect.tl-stop").count()).toBe(5);
    expect(await stop.locator(".road-runpre").textContent()).toMatch(/the 3 functions this patch replaces are, byte for byte, the code it was built against/);
    expect(await stop.locator(".road-stack pre").textContent()).toMatch(/kernel_wait4/);
    expect(await lab.locator(".roads-summary tbody tr").count()).toBe(1);

    mkdirSync("test-results", { recursive: true });
    await stop.locator("svg.timeline").scrollIntoViewIfNeeded();
    await page.screenshot({ path: "test-results/roads-lab.png" });
    expect(errors).toEqual([]);
  }, 900_000);
});
