import { V86, type V86Options } from "v86";
import { ControlChannel, type ExecOptions, type ExecResult } from "../common/machine/control/channel.ts";
import { ConsoleHealth, type CrashReport } from "../common/machine/health.ts";
import type { MachineConfig } from "../common/machine/config.ts";
import type { Guest } from "../common/machine/guest.ts";

type ConsoleListener = (byte: number) => void;

/**
 * One emulated PC: ttyS0 is the person's console, ttyS1 the playground's
 * control channel, and 9p carries files. The one place that talks to v86:
 * everything else goes through these methods, so the emulator can change
 * under them.
 */
export class Machine implements Guest {
  readonly control: ControlChannel;
  /** Kernel panics, oopses and BUGs seen on the console, with the lines that explain them. */
  readonly health: ConsoleHealth;
  private readonly crashListeners = new Set<(report: CrashReport) => void>();
  private readonly consoleListeners = new Set<ConsoleListener>();
  private destroyed = false;
  private readonly loaded: Promise<void>;

  private constructor(
    private readonly emulator: V86,
    private readonly restored: boolean,
  ) {
    // Input sent before v86 has finished loading (a restored state in
    // particular) is lost, so everything waits for this.
    this.loaded = new Promise((resolve) => emulator.add_listener("emulator-loaded", () => resolve()));
    this.control = new ControlChannel((bytes) => void this.loaded.then(() => emulator.serial_send_bytes(1, bytes)));
    this.health = new ConsoleHealth((report) => {
      // A panicked kernel answers nothing again: fail waiting requests now,
      // with the reason. After an oops the machine may live on, so it is only reported.
      if (report.kind === "panic") this.control.fail(`guest kernel panic: ${report.line}`);
      for (const l of this.crashListeners) l(report);
    });
    emulator.add_listener("serial0-output-byte", (byte: number) => {
      this.health.push(byte);
      for (const l of this.consoleListeners) l(byte);
    });
    emulator.add_listener("serial1-output-byte", (byte: number) => this.control.receive(byte));
  }

  static start(config: MachineConfig): Machine {
    const options: V86Options = {
      wasm_path: config.wasmPath,
      memory_size: config.memoryMB * 1024 * 1024,
      vga_memory_size: 2 * 1024 * 1024,
      bios: { buffer: config.bios },
      vga_bios: { buffer: config.vgaBios },
      bzimage: config.bzImage ? { buffer: config.bzImage } : undefined,
      initrd: config.initrd ? { buffer: config.initrd } : undefined,
      cmdline: config.cmdline,
      autostart: true,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
      uart1: true,
      filesystem: config.filesystem ? { basefs: config.filesystem.basefs, baseurl: config.filesystem.baseurl } : {},
    };
    if (config.initialState) options.initial_state = { buffer: config.initialState };
    else if (!config.bzImage || !config.initrd) throw new Error("a machine needs a kernel and an initramfs, or a saved state");
    return new Machine(new V86(options), config.initialState !== undefined);
  }

  /**
   * Resolves with the guest's kernel release once its control agent answers:
   * after a boot the agent announces itself; a restored agent is already
   * listening, so it is asked.
   */
  async waitReady(timeoutMs = 120_000): Promise<string> {
    await this.loaded;
    if (!this.restored) return this.control.ready(timeoutMs);
    const r = await this.control.exec("uname -r", { timeoutMs });
    return r.stdout.trim();
  }

  /** Runs a shell command in the guest over the control channel. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    return this.control.exec(command, options);
  }

  /**
   * Puts a file into the 9p share (the target sees it as /host/<name>, the
   * build host under /toolchain/<name>). Binary-safe, any size.
   */
  async putFile(name: string, bytes: Uint8Array): Promise<void> {
    await this.loaded;
    try {
      await this.emulator.create_file(name, bytes);
    } catch (e) {
      throw new Error(`cannot put ${name} into the guest's 9p share (does its directory exist?): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  /** Reads a file from the 9p share (what the guest wrote under /host; sync first). */
  async getFile(name: string): Promise<Uint8Array> {
    await this.loaded;
    try {
      return await this.emulator.read_file(name);
    } catch {
      throw new Error(`no file ${name} in the guest's 9p share`);
    }
  }

  /**
   * Bytes of the guest's physical memory: what the running kernel executes,
   * for run-pre matching (Ksplice's check that the code a patch replaces is
   * the code the patch was built against).
   */
  async readMemory(physical: number, length: number): Promise<Uint8Array> {
    await this.loaded;
    return this.emulator.read_memory(physical, length).slice();
  }

  /** The whole machine state, zstd-compressed by v86 (restorable with initialState). */
  async saveState(): Promise<ArrayBuffer> {
    await this.loaded;
    return this.emulator.save_state();
  }

  onConsole(listener: ConsoleListener): () => void {
    this.consoleListeners.add(listener);
    return () => this.consoleListeners.delete(listener);
  }

  onCrash(listener: (report: CrashReport) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  writeConsole(data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    void this.loaded.then(() => this.emulator.serial_send_bytes(0, bytes));
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.control.fail("machine destroyed");
    await this.emulator.destroy();
  }
}
