import { Machine } from "../machine/machine.ts";
import { machineConfig } from "./images/store.ts";
import type { MachineProfile } from "../common/machines/profiles.ts";

export interface BootedMachine {
  machine: Machine;
  /** Seconds from the call until the guest's control agent answered. */
  bootSeconds: number;
  kernelRelease: string;
}

export interface BootOptions {
  timeoutMs?: number;
  /** Receives the guest console (ttyS0) byte by byte. */
  onConsole?: (byte: number) => void;
}

/** Boots a machine from the committed images and waits for its control agent. */
export async function bootMachine(profile: MachineProfile, options: BootOptions = {}): Promise<BootedMachine> {
  const t0 = performance.now();
  const machine = Machine.start(await machineConfig(profile));
  if (options.onConsole) machine.onConsole(options.onConsole);
  try {
    const kernelRelease = await machine.control.ready(options.timeoutMs ?? 120_000);
    return { machine, bootSeconds: (performance.now() - t0) / 1000, kernelRelease };
  } catch (e) {
    await machine.destroy();
    throw e;
  }
}
