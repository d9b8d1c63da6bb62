// The page's handle on the target worker: boot/resume, reset, commands, and
// the machine status everybody shows (booting / ready / busy / crashed / restoring).
import * as Comlink from "comlink";
import type { BootResult, TargetApi } from "../../../workers/target.worker.ts";
import type { ExecResult } from "../../common/machine/control/channel.ts";
import type { CrashReport } from "../../common/machine/health.ts";
import { EchoWatch } from "../../common/machine/echo-watch.ts";
import type { Progress } from "../images.ts";

export type MachineStatus = "booting" | "ready" | "busy" | "crashed" | "restoring" | "failed";

export interface TargetEvents {
  console(bytes: Uint8Array): void;
  progress: Progress;
  status(status: MachineStatus, detail: string): void;
  crash(report: CrashReport): void;
}

export class TargetClient {
  private readonly api: Comlink.Remote<TargetApi>;
  private status: MachineStatus = "booting";
  private busy = 0;
  private release = "";
  /** Bumped by every reset: answers from an older machine are ignored. */
  private generation = 0;
  /** Notices a kernel stuck for good (no echo, no agent): the crash panel then offers Reset. */
  private watch: EchoWatch | undefined;

  constructor(private readonly events: TargetEvents) {
    const worker = new Worker(new URL("../../../workers/target.worker.ts", import.meta.url), { type: "module" });
    this.api = Comlink.wrap<TargetApi>(worker);
  }

  get current(): MachineStatus {
    return this.status;
  }

  get kernelRelease(): string {
    return this.release;
  }

  boot(imagesBase: string): Promise<BootResult> {
    this.set("booting", "downloading");
    return this.started(
      () =>
        this.api.boot(
          imagesBase,
          Comlink.proxy((bytes: Uint8Array) => {
            this.watch?.output();
            this.events.console(bytes);
          }),
          Comlink.proxy(this.events.progress),
          Comlink.proxy((report: CrashReport) => this.onCrash(report)),
        ),
      "failed to start",
    );
  }

  /** Destroys the machine and resumes the snapshot again; the page's work is untouched. */
  reset(): Promise<BootResult> {
    this.generation++;
    this.busy = 0;
    this.watch?.stop();
    this.watch = undefined;
    this.set("restoring", "restoring snapshot");
    return this.started(() => this.api.reset(), "restore failed");
  }

  /** A machine (re)started: ready, and watched for a hang; or failed, with why. */
  private async started(start: () => Promise<BootResult>, failure: string): Promise<BootResult> {
    try {
      const r = await start();
      this.release = r.kernelRelease;
      this.set("ready", `Linux ${r.kernelRelease}`);
      this.watchForHang();
      return r;
    } catch (e) {
      this.set("failed", failure);
      throw e;
    }
  }

  send(data: string): void {
    if (this.status === "ready" || this.status === "busy") this.watch?.input();
    void this.api.writeConsole(new TextEncoder().encode(data));
  }

  private watchForHang(): void {
    const gen = this.generation;
    const watch = new EchoWatch(
      () => this.api.exec("true", 5_000).then(() => true, () => false),
      () => {
        if (gen !== this.generation || this.status === "crashed") return;
        void this.api.consoleTail().then((log) =>
          this.onCrash({ kind: "hung", line: "no echo of your typing and no answer from the guest for 10 s: the kernel is stuck (a patched function that never returns?)", log }),
        );
      },
    );
    this.watch = watch;
  }

  /** A command for the panels (state refresh): does not mark the machine busy. */
  exec(command: string, timeoutMs = 15_000): Promise<ExecResult> {
    return this.api.exec(command, timeoutMs);
  }

  /** A user action (apply, revert, signal): the status pill says busy meanwhile. */
  async act<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (this.status === "crashed" || this.status === "restoring" || this.status === "booting") {
      throw new Error(`the target is ${this.status}; wait for it or use Reset target`);
    }
    const gen = this.generation;
    this.busy++;
    this.set("busy", what);
    try {
      return await run();
    } finally {
      if (gen === this.generation && --this.busy === 0 && this.status === "busy") this.set("ready", `Linux ${this.release}`);
    }
  }

  /** Puts a file into the guest's 9p share (/host/<name>); the bytes move to the worker. */
  putFile(name: string, bytes: Uint8Array): Promise<void> {
    return this.api.putFile(name, Comlink.transfer(bytes, [bytes.buffer]));
  }

  /** The guest's physical memory, for run-pre matching. */
  readMemory(physical: number, length: number): Promise<Uint8Array> {
    return this.api.readMemory(physical, length);
  }

  private onCrash(report: CrashReport): void {
    // An oops may leave the machine running, but nothing it says can be trusted after it.
    this.set("crashed", report.kind === "panic" ? "kernel panic" : `kernel ${report.kind}`);
    this.events.crash(report);
  }

  private set(status: MachineStatus, detail: string): void {
    this.status = status;
    this.events.status(status, detail);
  }
}
