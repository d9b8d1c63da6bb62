// The three roads measured on the cmdline sample: each model's transition on
// a fresh target (no workload, so every road completes), and the longest
// stop of the whole machine on the stop-machine road.
import { CONSISTENCY_MODELS, type ConsistencyModel } from "../../common/livepatch/record.ts";
import { runRoad, type RoadTarget } from "../../common/livepatch/road-run.ts";
import { cmdline } from "../../common/samples/cmdline.ts";
import { TARGET } from "../../common/machine/profiles.ts";
import { bootMachine, type BootedMachine } from "../boot.ts";
import { buildPatch, loadKlpInputs, openCompiler } from "../klp/index.ts";

export interface RoadsBench {
  transitionMs: Record<ConsistencyModel, number>;
  stopWindowMaxUs: number;
}

export async function benchRoads(log: (s: string) => void): Promise<RoadsBench> {
  const open = await openCompiler("native", loadKlpInputs().kbuild);
  const built = await buildPatch({ diffText: cmdline.diff, name: "bench_roads", compiler: open.compiler });
  await open.close();
  let booted: BootedMachine | undefined;
  const target: RoadTarget = {
    reset: async () => {
      await booted?.machine.destroy();
      booted = await bootMachine(TARGET, { snapshot: true });
    },
    exec: (c) => booted!.machine.exec(c, { timeoutMs: 60_000 }),
    putFile: (name, bytes) => booted!.machine.putFile(name, bytes),
  };
  const transitionMs = {} as Record<ConsistencyModel, number>;
  let stopWindowMaxUs = 0;
  try {
    for (const model of CONSISTENCY_MODELS) {
      log(`roads: cmdline sample under ${model}`);
      const { transition } = await runRoad(target, { name: "bench_roads", module: built.module, model });
      if (transition.outcome !== "complete") throw new Error(`${model}: the transition ended ${transition.outcome}`);
      transitionMs[model] = transition.ms;
      if (model === "stop-machine") stopWindowMaxUs = transition.stopped.maxUs;
    }
  } finally {
    await booted?.machine.destroy();
  }
  return { transitionMs, stopWindowMaxUs };
}
