// Builds the site and serves dist/ the way a static host would, and starts
// Debian's chromium headless: for the page tests and the page benchmarks.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, preview, type PreviewServer } from "vite";
import { chromium, type Browser } from "playwright-core";

/**
 * Builds into a directory of its own and serves it: two page tests (or a test
 * and a bench) at once would otherwise empty each other's dist/ mid-run, and
 * the server would answer a vanished file with index.html. `dir` is what is
 * served; it is removed when the server closes.
 */
export async function buildAndServe(): Promise<{ url: string; server: PreviewServer; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "klp-site-"));
  await build({ logLevel: "warn", build: { outDir: dir, emptyOutDir: true } });
  const server = await preview({ preview: { port: 0, host: "127.0.0.1" }, build: { outDir: dir }, logLevel: "warn" });
  server.httpServer.on("close", () => rmSync(dir, { recursive: true, force: true }));
  const address = server.httpServer.address();
  if (!address || typeof address === "string") throw new Error("preview server has no port");
  return { url: `http://127.0.0.1:${address.port}/`, server, dir };
}

/** Debian's chromium, headless; as root it needs --no-sandbox. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
