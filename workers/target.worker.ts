// The target machine in a web worker: the page talks to it through Comlink.
import * as Comlink from "comlink";
import v86WasmUrl from "v86/build/v86.wasm?url";
import { Machine } from "../src/machine/machine.ts";
import { TARGET } from "../src/common/machines/profiles.ts";
import { machineConfigFrom } from "../src/common/machines/config.ts";
import type { ExecResult } from "../src/common/control/channel.ts";
import { fetchArtifact, fetchManifest, type Progress } from "../src/browser/images.ts";

export type ConsoleSink = (bytes: Uint8Array) => void;

class TargetWorker {
  private machine: Machine | undefined;

  /** Downloads the images, boots, and streams the console to `sink` in small batches. */
  async boot(imagesBase: string, sink: ConsoleSink, progress: Progress): Promise<{ kernelRelease: string }> {
    const manifest = await fetchManifest(imagesBase);
    const config = await machineConfigFrom(manifest, TARGET, (name) => fetchArtifact(imagesBase, manifest, name, progress), {
      wasmPath: new URL(v86WasmUrl, self.location.href).href,
      imagesBase,
    });
    const machine = Machine.start(config);
    this.machine = machine;
    // Batch console bytes per animation-frame-ish tick: one message per byte would flood the page.
    let pending: number[] = [];
    let scheduled = false;
    machine.onConsole((byte) => {
      pending.push(byte);
      if (!scheduled) {
        scheduled = true;
        setTimeout(() => {
          scheduled = false;
          const bytes = Uint8Array.from(pending);
          pending = [];
          sink(Comlink.transfer(bytes, [bytes.buffer]));
        }, 16);
      }
    });
    return { kernelRelease: await machine.waitReady(120_000) };
  }

  writeConsole(bytes: Uint8Array): void {
    this.machine?.writeConsole(bytes);
  }

  exec(command: string, timeoutMs?: number): Promise<ExecResult> {
    if (!this.machine) throw new Error("target is not booted");
    return this.machine.control.exec(command, { timeoutMs });
  }
}

export type TargetApi = TargetWorker;
Comlink.expose(new TargetWorker());
