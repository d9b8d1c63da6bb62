import { Machine } from "../machine/machine.ts";
import { machineConfig } from "./images/store.ts";
import type { MachineProfile } from "../common/machine/profiles.ts";

export interface BootedMachine {
  machine: Machine;
  /** Seconds from the call until the guest's control agent answered. */
  bootSeconds: number;
  kernelRelease: string;
  /** True when the machine resumed a warm snapshot instead of booting. */
  restored: boolean;
}

export interface BootOptions {
  timeoutMs?: number;
  /** Receives the guest console (ttyS0) byte by byte. */
  onConsole?: (byte: number) => void;
  /**
   * Resume the image's warm snapshot when there is one (about a second)
   * instead of booting the kernel (several seconds). Default: boot.
   */
  snapshot?: boolean;
}

/** Boots (or resumes) a machine from the committed images and waits for its control agent. */
export async function bootMachine(profile: MachineProfile, options: BootOptions = {}): Promise<BootedMachine> {
  const t0 = performance.now();
  const config = await machineConfig(profile, { resume: options.snapshot === true });
  const restored = config.initialState !== undefined;
  const machine = Machine.start(config);
  if (options.onConsole) machine.onConsole(options.onConsole);
  try {
    const kernelRelease = await machine.waitReady(options.timeoutMs ?? 120_000);
    return { machine, bootSeconds: (performance.now() - t0) / 1000, kernelRelease, restored };
  } catch (e) {
    await machine.destroy();
    throw e;
  }
}
