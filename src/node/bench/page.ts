import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { buildAndServe, launchChromium } from "../page/serve.ts";
import { terminalText as rows, typeDiff, waitForTarget } from "../page/drive.ts";
import { sampleById } from "../../common/samples/index.ts";

export interface PageBench {
  /** Navigation to a shell prompt that answers typing (Chromium headless). */
  pageToPromptSeconds: number;
  /** Bytes the server sent until then: every file the page and its workers fetched (no HTTP compression). */
  firstVisitBytes: number;
  /** cmdline sample: Build click -> Apply -> the patched output in the terminal (the page's default compiler). */
  buildApplySampleSeconds: number;
  /**
   * A fresh visit with the same patch in the editor: Build click -> built,
   * once the page has prepared the compiler in the background.
   */
  buildPreparedSeconds: number;
  /** What that background preparation took: page ready -> compiler loaded and the files fetched (the VM: resumed, headers precompiled). */
  prepareSeconds: number;
  /**
   * Bytes the server sent (bodies and headers, every request, repeats
   * included) over the whole session: the first visit, its build, the second
   * visit in the same browser profile and its build.
   */
  sessionBytes: number;
  /** Of those, the second visit's and its build's: what the first one's cache did not already hold. */
  secondVisitBytes: number;
  /** A cold visit (fresh browser profile): the uname sample's one-line change in kernel/sys.c typed in, Build click -> built. */
  buildSysSeconds: number;
  /** What that cold visit's first Build downloaded: bytes the server sent from the ready prompt to built (the background prepare included). */
  firstBuildBytes: number;
  /** With the server gone and the browser offline: reload -> a prompt that answers (the service worker's cache). */
  offlineToPromptSeconds: number;
}

// Rows joined as they wrap (no separator), then whitespace squeezed.
const terminalText = async (p: Page) => (await rows(p)).replace(/\n/g, "").replace(/\s+/g, " ");

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`page bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Presses Build and waits for its result: the summary and the seconds from the click. */
async function pressBuild(p: Page, what: string): Promise<{ summary: string; seconds: number }> {
  const t0 = performance.now();
  await p.locator("#build-btn").click();
  const summary = async () => (await p.locator(".build-summary").textContent()) ?? "";
  await until(what, async () => /✓|error|failed/i.test(await summary()), 600_000);
  return { summary: await summary(), seconds: (performance.now() - t0) / 1000 };
}

export async function benchPage(log: (s: string) => void): Promise<PageBench> {
  log("page: vite build + preview");
  const { url, server, dir } = await buildAndServe();
  const browser = await launchChromium();
  try {
    // One browser profile for both visits, as a person's browser is: the second one finds what the first cached.
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
    const page = await context.newPage();
    // Every byte the server writes, on every connection (closed ones keep their count).
    const sockets = new Set<{ bytesWritten: number }>();
    server.httpServer.on("connection", (socket: { bytesWritten: number }) => sockets.add(socket));
    const bytesSent = () => [...sockets].reduce((n, s) => n + s.bytesWritten, 0);
    // Counted at the server: it sees the workers' fetches too, which the
    // page's own network events do not.
    const fetched = new Set<string>();
    server.httpServer.on("request", (req: { url?: string }) => fetched.add(decodeURIComponent((req.url ?? "/").split("?")[0]!)));
    const bytesFetched = () => {
      let total = 0;
      for (const path of fetched) {
        const file = join(dir, path === "/" ? "index.html" : path);
        if (existsSync(file) && statSync(file).isFile()) total += statSync(file).size;
      }
      return total;
    };

    log("page: navigation to a responsive prompt");
    const t0 = performance.now();
    await page.goto(url);
    await waitForTarget(page);
    await page.locator("#terminal").click();
    await page.keyboard.type("echo PRO''MPT\n");
    await until("the shell's answer", async () => (await terminalText(page)).includes("PROMPT"), 60_000);
    const pageToPrompt = (performance.now() - t0) / 1000;
    const firstVisit = bytesFetched();

    log("page: cmdline sample, build in the browser, apply");
    await page.locator("#samples-btn").click();
    await page.locator('button[data-sample="cmdline"]').click();
    const t1 = performance.now();
    await pressBuild(page, "the build");
    await page.locator("#apply-btn").click();
    await until("apply", async () => ((await page.locator(".build-summary").textContent()) ?? "").includes("applied"), 120_000);
    await page.locator("#terminal").click();
    await page.keyboard.type("clear; cat /proc/cmdline\n");
    await until("the patched output", async () => (await terminalText(page)).includes("[live patched!]"), 60_000);
    const buildApply = (performance.now() - t1) / 1000;

    await page.close(); // its two machines would compete for the CPU

    log("page: a cold visit (fresh profile), kernel/sys.c changed, Build");
    const coldContext = await browser.newContext({ viewport: { width: 1600, height: 900 } });
    const cold = await coldContext.newPage();
    await cold.goto(url);
    await waitForTarget(cold);
    const beforeBuild = bytesSent();
    await typeDiff(cold, sampleById("uname")!.diff);
    const sys = await pressBuild(cold, "the kernel/sys.c build");
    if (!sys.summary.includes("✓")) throw new Error(`page bench: the kernel/sys.c build failed: ${sys.summary}`);
    const firstBuild = bytesSent() - beforeBuild;
    await coldContext.close();

    log("page: a second visit, compiler prepared in the background, then Build");
    const beforeSecond = bytesSent();
    const second = await context.newPage();
    await second.goto(url);
    await waitForTarget(second);
    const t2 = performance.now();
    // The page starts preparing a few seconds after it is ready (once its service worker is in); wait for that run to finish.
    let objects: string[] = [];
    await until("the background prepare", async () => {
      objects = await second.evaluate(() => (window as unknown as { klpPage: { prepared(): Promise<string[]> } }).klpPage.prepared());
      return objects.includes("fs/proc/cmdline.o");
    }, 120_000);
    const prepare = (performance.now() - t2) / 1000;
    const prepared = await pressBuild(second, "the prepared build");
    if (!prepared.summary.includes("✓")) throw new Error(`page bench: the prepared build failed: ${prepared.summary}`);
    const sessionBytes = bytesSent();

    log("page: offline (no server, browser offline): reload to a responsive prompt");
    await server.close();
    await context.setOffline(true);
    const t4 = performance.now();
    await second.reload();
    await waitForTarget(second);
    await second.locator("#terminal").click();
    await second.keyboard.type("echo OFF''LINE\n");
    await until("the shell's answer offline", async () => (await terminalText(second)).includes("OFFLINE"), 60_000);
    const offlineToPrompt = (performance.now() - t4) / 1000;
    return {
      pageToPromptSeconds: pageToPrompt,
      firstVisitBytes: firstVisit,
      buildApplySampleSeconds: buildApply,
      buildPreparedSeconds: prepared.seconds,
      prepareSeconds: prepare,
      sessionBytes,
      secondVisitBytes: sessionBytes - beforeSecond,
      offlineToPromptSeconds: offlineToPrompt,
      buildSysSeconds: sys.seconds,
      firstBuildBytes: firstBuild,
    };
  } finally {
    await browser.close();
    await server.close().catch(() => {}); // closed already when the offline step ran
  }
}
