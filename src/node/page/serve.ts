// Builds the site and serves dist/ the way a static host would, and starts
// Debian's chromium headless: for the page tests and the page benchmarks.
import { build, preview, type PreviewServer } from "vite";
import { chromium, type Browser } from "playwright-core";

export async function buildAndServe(): Promise<{ url: string; server: PreviewServer }> {
  await build({ logLevel: "warn" });
  const server = await preview({ preview: { port: 0, host: "127.0.0.1" }, logLevel: "warn" });
  const address = server.httpServer.address();
  if (!address || typeof address === "string") throw new Error("preview server has no port");
  return { url: `http://127.0.0.1:${address.port}/`, server };
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
