// The samples gallery, in the order a tutorial would take them.
import type { Sample } from "./types.ts";
import { cmdline } from "./cmdline.ts";
import { meminfo } from "./meminfo.ts";
import { uname } from "./uname.ts";
import { shadow } from "./shadow-variable.ts";
import { callbacks } from "./callbacks.ts";
import { forkShadow } from "./fork-shadow.ts";
import { sleepingTask } from "./sleeping-task.ts";
import { refusedData } from "./refused-data.ts";

export type { Sample } from "./types.ts";

export const SAMPLES: readonly Sample[] = [cmdline, meminfo, uname, shadow, forkShadow, callbacks, sleepingTask, refusedData];

export function sampleById(id: string): Sample | undefined {
  return SAMPLES.find((s) => s.id === id);
}
