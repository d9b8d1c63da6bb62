import { V86, type V86Options } from "v86";
import { ControlChannel } from "../common/control/channel.ts";

/** Everything a machine boots from; buffers so it works the same in Node and in a worker. */
export interface MachineConfig {
  memoryMB: number;
  cmdline: string;
  bios: ArrayBuffer;
  vgaBios: ArrayBuffer;
  bzImage: ArrayBuffer;
  initrd: ArrayBuffer;
  /** Where v86.wasm lives (a file path in Node, a URL in the browser). */
  wasmPath: string;
  /** v86 9p filesystem: a basefs JSON index and the base of its content-addressed files. */
  filesystem?: { basefs: string; baseurl: string };
}

type ConsoleListener = (byte: number) => void;

/**
 * One emulated PC: ttyS0 is the person's console, ttyS1 the playground's
 * control channel, and 9p carries files.
 */
export class Machine {
  readonly control: ControlChannel;
  private readonly consoleListeners = new Set<ConsoleListener>();
  private destroyed = false;

  private constructor(readonly emulator: V86) {
    this.control = new ControlChannel((bytes) => emulator.serial_send_bytes(1, bytes));
    emulator.add_listener("serial0-output-byte", (byte: number) => {
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
      bzimage: { buffer: config.bzImage },
      initrd: { buffer: config.initrd },
      cmdline: config.cmdline,
      autostart: true,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
      uart1: true,
      filesystem: config.filesystem ? { basefs: config.filesystem.basefs, baseurl: config.filesystem.baseurl } : {},
    };
    return new Machine(new V86(options));
  }

  onConsole(listener: ConsoleListener): () => void {
    this.consoleListeners.add(listener);
    return () => this.consoleListeners.delete(listener);
  }

  writeConsole(data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    this.emulator.serial_send_bytes(0, bytes);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.control.fail("machine destroyed");
    await this.emulator.destroy();
  }
}
