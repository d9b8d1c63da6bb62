// The target machine in a web worker: the page talks to it through Comlink.
import * as Comlink from "comlink";
import v86WasmUrl from "v86/build/v86.wasm?url";
import { Machine } from "../src/machine/machine.ts";
import { TARGET } from "../src/common/machine/profiles.ts";
import { machineConfigFrom, type MachineConfig } from "../src/common/machine/config.ts";
import type { ExecResult } from "../src/common/machine/control/channel.ts";
import type { CrashReport } from "../src/common/machine/health.ts";
import { fetchArtifact, fetchManifest, type Progress } from "../src/browser/images.ts";

export type ConsoleSink = (bytes: Uint8Array) => void;
export type CrashSink = (report: CrashReport) => void;

export interface BootResult {
  kernelRelease: string;
  /** True when the machine resumed the warm snapshot instead of booting. */
  restored: boolean;
  /** Milliseconds from the start of the machine (downloads done) to a responsive agent. */
  startMs: number;
}

/** What it takes to start the target again (Reset) without downloading anything. */
interface StartKit {
  config: MachineConfig;
  state: ArrayBuffer | undefined;
  /** The console text printed before the snapshot was taken: the prompt. */
  consoleReplay: Uint8Array | undefined;
}

class TargetWorker {
  private machine: Machine | undefined;
  private kit: StartKit | undefined;
  private sink: ConsoleSink = () => {};
  private crashSink: CrashSink = () => {};

  /**
   * Downloads the images and resumes the warm snapshot when the images have
   * one (a prompt in about a second), else boots the kernel.
   */
  async boot(imagesBase: string, sink: ConsoleSink, progress: Progress, onCrash: CrashSink): Promise<BootResult> {
    this.sink = sink;
    this.crashSink = onCrash;
    const manifest = await fetchManifest(imagesBase);
    const read = (name: string) => fetchArtifact(imagesBase, manifest, name, progress);
    const hasState = manifest.artifacts.targetState !== undefined;
    const [config, replay] = await Promise.all([
      machineConfigFrom(manifest, TARGET, read, { wasmPath: new URL(v86WasmUrl, self.location.href).href, imagesBase }, { resume: true }),
      hasState && manifest.artifacts.targetConsole ? read("targetConsole") : Promise.resolve(undefined),
    ]);
    this.kit = { config, state: config.initialState, consoleReplay: replay ? new Uint8Array(replay) : undefined };
    return this.start();
  }

  /** Reset target: throw the machine away and resume the snapshot (or boot) again. */
  async reset(): Promise<BootResult> {
    if (!this.kit) throw new Error("target was never booted");
    const old = this.machine;
    this.machine = undefined;
    await old?.destroy();
    return this.start();
  }

  private async start(): Promise<BootResult> {
    const kit = this.kit!;
    const t0 = performance.now();
    // v86 may keep references into the buffers it is given; each start gets
    // its own copies so a Reset always resumes the pristine snapshot.
    const config: MachineConfig = {
      ...kit.config,
      bios: kit.config.bios.slice(0),
      vgaBios: kit.config.vgaBios.slice(0),
      bzImage: kit.config.bzImage?.slice(0),
      initrd: kit.config.initrd?.slice(0),
    };
    if (kit.state) config.initialState = kit.state.slice(0);
    // A resumed machine prints nothing until it is typed at: replay what it
    // had printed before the snapshot so the prompt is there from the start.
    if (kit.state && kit.consoleReplay) this.sink(kit.consoleReplay.slice());
    const machine = Machine.start(config);
    this.machine = machine;
    machine.onCrash((report) => this.crashSink(report));
    this.forwardConsole(machine);
    const kernelRelease = await machine.waitReady(120_000);
    return { kernelRelease, restored: kit.state !== undefined, startMs: Math.round(performance.now() - t0) };
  }

  /** Batches console bytes per ~16 ms tick: one message per byte would flood the page. */
  private forwardConsole(machine: Machine): void {
    let pending: number[] = [];
    let scheduled = false;
    machine.onConsole((byte) => {
      if (machine !== this.machine) return; // a destroyed machine's last words
      pending.push(byte);
      if (scheduled) return;
      scheduled = true;
      setTimeout(() => {
        scheduled = false;
        const bytes = Uint8Array.from(pending);
        pending = [];
        this.sink(Comlink.transfer(bytes, [bytes.buffer]));
      }, 16);
    });
  }

  writeConsole(bytes: Uint8Array): void {
    this.machine?.writeConsole(bytes);
  }

  exec(command: string, timeoutMs?: number): Promise<ExecResult> {
    return this.booted().control.exec(command, { timeoutMs });
  }

  /** Puts a file into the guest's 9p share (/host/<name>); loading a module is the page's (src/common/livepatch/load.ts). */
  putFile(name: string, bytes: Uint8Array): Promise<void> {
    return this.booted().putFile(name, bytes);
  }

  /** Bytes of the guest's physical memory (run-pre matching reads the running kernel's code). */
  async readMemory(physical: number, length: number): Promise<Uint8Array> {
    const bytes = await this.booted().readMemory(physical, length);
    return Comlink.transfer(bytes, [bytes.buffer]);
  }

  /** The console's last lines, for a crash report when the guest stops answering. */
  consoleTail(): string[] {
    return this.machine?.health.tail() ?? [];
  }

  private booted(): Machine {
    if (!this.machine) throw new Error("the target is not running");
    return this.machine;
  }
}

export type TargetApi = TargetWorker;
Comlink.expose(new TargetWorker());
