import { readFileSync } from "node:fs";
import { bootMachine, type BootedMachine } from "../../node/boot.ts";
import { TARGET } from "../../common/machine/profiles.ts";
import { buildPatch, loadKlpInputs, moduleNameFor, openCompiler } from "../../node/klp/index.ts";
import { CONSISTENCY_MODELS, isConsistencyModel, type ConsistencyModel, type TransitionReport } from "../../common/livepatch/record.ts";
import { runRoad, type RoadTarget } from "../../common/livepatch/road-run.ts";
import { describeTransition } from "../../common/livepatch/describe.ts";
import { roadOf } from "../../common/livepatch/roads.ts";
import { ROAD_LABS, roadLab } from "../../common/livepatch/road-labs.ts";
import { failureJson, formatFailure, progressPrinter, formatStage } from "../../node/klp/report.ts";
import { CliUsageError, parseOptions, type Command } from "../command.ts";
import { builderOption } from "../builder-option.ts";
import type { BuildOutput, BuiltFunction } from "../../common/klp/pipeline.ts";
import { runPreOnMachine } from "../../node/klp/run-pre.ts";

const HELP = `usage: klp models PATCH... [--while CMD] [--after CMD] [--timeout S] [--models LIST] [--json]
       klp models --lab ID [--models LIST] [--json]

Runs one patch down each road to live patching, side by side: for each
consistency model (hybrid, lazy, stop-machine, immediate) a fresh target from
its snapshot; CMD started in the background first (e.g. 'sleep 40', so that
a task sleeps inside a patched function); the module, built once, loaded
under that model; the transition followed until the kernel ends it (at most
S seconds), recorded, and reverted. Prints a table; --json prints
{models: [{model, outcome, ms, stopped:{count,totalUs,maxUs}, attempts,
switched:[{pid,comm,via,atMs}], blocked:[{pid,comm,stack}]}, ...]}.

Options:
  --lab ID             a ready-made lab (patch, workload and check): ${ROAD_LABS.map((l) => l.id).join(", ")}
  --while CMD          run CMD in the background before loading the patch
  --after CMD          run CMD once the transition has ended (the visible result)
  --timeout S          stop waiting for a transition after S seconds (default 40);
                       its outcome is then "timeout"
  --models LIST        comma-separated subset, in order (default: all four)
  --builder wasm|vm|native   how to compile (default native)
  --json               machine-readable output on stdout`;

/** A fresh target per road: the previous one is destroyed and the snapshot resumed. */
class FreshTarget implements RoadTarget {
  private booted: BootedMachine | undefined;

  async reset(): Promise<void> {
    await this.booted?.machine.destroy();
    this.booted = undefined;
    this.booted = await bootMachine(TARGET, { snapshot: true });
  }

  /** Run-pre matching of a built patch against this target's running kernel. */
  runPre(functions: readonly BuiltFunction[]) {
    return runPreOnMachine(this.machine, functions);
  }

  private get machine() {
    if (!this.booted) throw new Error("the target is not running (reset() first)");
    return this.booted.machine;
  }

  exec(command: string) {
    return this.machine.exec(command, { timeoutMs: 120_000 });
  }

  putFile(name: string, bytes: Uint8Array) {
    return this.machine.putFile(name, bytes);
  }

  async destroy(): Promise<void> {
    await this.booted?.machine.destroy();
  }
}

export const modelsCommand: Command = {
  name: "models",
  usage: "models PATCH... [--while CMD]",
  summary: "run a patch under each consistency model and compare",
  help: HELP,
  async run(args) {
    const { options, positional } = parseOptions(args, { while: "string", after: "string", lab: "string", timeout: "string", models: "string", builder: "string", json: "boolean" });
    const lab = typeof options.lab === "string" ? roadLab(options.lab) : undefined;
    if (options.lab !== undefined && !lab) throw new CliUsageError(`--lab: no lab '${String(options.lab)}' (there are ${ROAD_LABS.map((l) => l.id).join(", ")})`);
    if (positional.length === 0 && !lab) throw new CliUsageError("give at least one PATCH file, or --lab ID");
    const timeoutMs = options.timeout === undefined ? 40_000 : Number(options.timeout) * 1000;
    if (!(timeoutMs > 0)) throw new CliUsageError("--timeout needs a positive number of seconds");
    const models: ConsistencyModel[] = [];
    for (const m of typeof options.models === "string" ? options.models.split(",").map((s) => s.trim()) : CONSISTENCY_MODELS) {
      if (!isConsistencyModel(m)) throw new CliUsageError(`--models: '${m}' is not one of ${CONSISTENCY_MODELS.join(", ")}`);
      models.push(m);
    }
    const builder = builderOption(options.builder);
    const json = options.json === true;
    const workload = typeof options.while === "string" ? options.while : lab?.workload;
    const after = typeof options.after === "string" ? options.after : lab?.after;
    const log = (line: string): void => void process.stderr.write(`${line}\n`);
    const name = lab ? lab.id.replace(/-/g, "_") : moduleNameFor(positional[positional.length - 1]!);
    const diffText = lab ? lab.diff : positional.map((f) => readFileSync(f, "utf8")).join("\n");

    const target = new FreshTarget();
    const results: (TransitionReport & { after?: string })[] = [];
    try {
      const { kbuild } = loadKlpInputs();
      const open = await openCompiler(builder, kbuild);
      let built: BuildOutput;
      try {
        log(`building ${name} (${builder} builder)`);
        built = await buildPatch({ diffText, name, compiler: open.compiler, onStage: (s) => log(formatStage(s)), onProgress: progressPrinter(log) });
      } finally {
        await open.close();
      }
      for (const model of models) {
        log(`${model}: ${roadOf(model).title}${workload ? `, while '${workload}' runs` : ""}`);
        const road = await runRoad(target, { name, module: built.module, model, workload, after, timeoutMs, runPre: () => target.runPre(built.changedFunctions) });
        if (road.runPreChecked !== undefined) log(`  run-pre: ${road.runPreChecked} replaced functions match the running kernel byte for byte`);
        log(`  ${describeTransition(road.transition)}`);
        if (road.after !== undefined) log(`  after: ${road.after}`);
        results.push(road.after === undefined ? road.transition : { ...road.transition, after: road.after });
      }
      if (json) console.log(JSON.stringify({ models: results }, null, 2));
      else console.log(table(results));
      return 0;
    } catch (e) {
      if (json) console.log(JSON.stringify({ error: failureJson(e), models: results }, null, 2));
      console.error(formatFailure("models", e));
      return 1;
    } finally {
      await target.destroy();
    }
  },
};

/** The side-by-side summary: one row per road. */
function table(results: (TransitionReport & { after?: string })[]): string {
  const withAfter = results.some((r) => r.after !== undefined);
  const rows = [
    ["model", "outcome", "time", "longest stop", "attempts", "blocked by", "switched by", ...(withAfter ? ["result"] : [])],
    ...results.map((r) => {
      const vias = new Map<string, number>();
      for (const s of r.switched) vias.set(s.via, (vias.get(s.via) ?? 0) + 1);
      return [
        r.model,
        r.outcome,
        `${(r.ms / 1000).toFixed(2)} s`,
        r.stopped.count ? `${r.stopped.maxUs} µs` : "-",
        String(r.attempts),
        [...new Set([...r.blocked, ...r.pending].map((b) => `${b.comm}[${b.pid}]`))].join(" ") || "-",
        [...vias].map(([v, n]) => `${v} ${n}`).join(", ") || "-",
        ...(withAfter ? [r.after ?? ""] : []),
      ];
    }),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}
