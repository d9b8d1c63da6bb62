import { TARGET } from "../../common/machine/profiles.ts";
import { bootMachine } from "../boot.ts";

export interface TargetBench {
  restoreSeconds: number;
  /** Median of 20 `true` requests over the control channel. */
  execRoundtripMs: number;
}

export async function benchTarget(): Promise<TargetBench> {
  const { machine, bootSeconds } = await bootMachine(TARGET, { snapshot: true });
  try {
    const times: number[] = [];
    for (let i = 0; i < 21; i++) {
      const t = performance.now();
      await machine.control.exec("true");
      if (i > 0) times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { restoreSeconds: bootSeconds, execRoundtripMs: times[Math.floor(times.length / 2)]! };
  } finally {
    await machine.destroy();
  }
}
