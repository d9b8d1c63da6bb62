import "@xterm/xterm/css/xterm.css";
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import * as Comlink from "comlink";
import type { TargetApi } from "../../workers/target.worker.ts";
import { imagesBaseFor } from "./images.ts";

const status = document.getElementById("status")!;
const bar = document.getElementById("progress-bar")!;
const setStatus = (text: string, kind: "booting" | "ready" | "crashed") => {
  status.textContent = text;
  status.className = `status ${kind}`;
};

const term = new Terminal({
  convertEol: false,
  cursorBlink: true,
  fontSize: 14,
  lineHeight: 1.15,
  scrollback: 10_000,
  fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace",
});
const fit = new FitAddon();
term.loadAddon(fit);
term.open(document.getElementById("terminal")!);
fit.fit();
addEventListener("resize", () => fit.fit());
term.focus();

const worker = new Worker(new URL("../../workers/target.worker.ts", import.meta.url), { type: "module" });
const target = Comlink.wrap<TargetApi>(worker);
const encoder = new TextEncoder();
term.onData((data) => void target.writeConsole(encoder.encode(data)));

const loaded = new Map<string, [number, number]>();
const onProgress = (name: string, done: number, total: number) => {
  loaded.set(name, [done, total]);
  let d = 0;
  let t = 0;
  for (const [a, b] of loaded.values()) {
    d += a;
    t += b;
  }
  bar.style.width = `${Math.min(100, (100 * d) / Math.max(t, 1))}%`;
  setStatus(`downloading ${(d / 1e6).toFixed(1)} / ${(t / 1e6).toFixed(1)} MB`, "booting");
};

setStatus("downloading", "booting");
target
  .boot(
    imagesBaseFor(document.baseURI),
    Comlink.proxy((bytes: Uint8Array) => term.write(bytes)),
    Comlink.proxy(onProgress),
  )
  .then(({ kernelRelease }) => {
    bar.style.width = "0";
    setStatus(`target ready · Linux ${kernelRelease}`, "ready");
    (window as unknown as { klpReady: boolean }).klpReady = true;
  })
  .catch((e: unknown) => {
    setStatus("target failed to boot", "crashed");
    term.write(`\r\n\x1b[31m${e instanceof Error ? e.message : String(e)}\x1b[0m\r\n`);
  });
