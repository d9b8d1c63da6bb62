// The page boots the target in a web worker: the shell prompt appears in the
// terminal and typed commands run in the guest.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import type { PreviewServer } from "vite";
import { buildAndServe, launchChromium } from "./server.ts";

let server: PreviewServer;
let browser: Browser;
let page: Page;
let url: string;

beforeAll(async () => {
  ({ url, server } = await buildAndServe());
  browser = await launchChromium();
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const terminalText = (p: Page) =>
  p.evaluate(() => [...document.querySelectorAll(".xterm-rows > div")].map((d) => d.textContent ?? "").join("\n"));

describe("playground page", () => {
  it("boots the target and shows a shell prompt", async () => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { klpReady?: boolean }).klpReady === true, null, { timeout: 120_000 });
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/root@klp:~# /);
    expect(await page.locator("#status").textContent()).toContain("Linux 6.12");
    expect(errors).toEqual([]);
  });

  it("runs what is typed in the terminal", async () => {
    await page.locator("#terminal").click();
    await page.keyboard.type("cat /proc/cmdline\n");
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/console=ttyS0.*klp\.role=target/);
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/page-booted.png" });
  });
});
