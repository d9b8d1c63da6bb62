import { readFileSync } from "node:fs";
import { bootMachine, type BootedMachine } from "../../node/boot.ts";
import { TARGET } from "../../common/machine/profiles.ts";
import type { BuildOutput, StageTiming } from "../../common/klp/pipeline.ts";
import { buildPatch, describeBlocking, loadKlpInputs, loadLivepatch, moduleNameFor, openCompiler, TargetCrashError, unlessCrashed, type LoadOptions } from "../../node/klp/index.ts";
import type { LivepatchTask } from "../../common/livepatch/state.ts";
import { CONSISTENCY_MODELS, isConsistencyModel, type TransitionReport } from "../../common/livepatch/record.ts";
import { describeTransition } from "../../common/livepatch/describe.ts";
import { KlpLoadError } from "../../common/livepatch/load.ts";
import { runPreOnMachine } from "../../node/klp/run-pre.ts";
import { failureJson, formatFailure, formatStage, progressPrinter, formatSummary } from "../../node/klp/report.ts";
import { CliUsageError, parseOptions, type Command } from "../command.ts";
import { builderOption } from "../builder-option.ts";

const HELP = `usage: klp apply PATCH... [--exec CMD] [--json] [--builder wasm|vm|native] [--model MODEL] [--no-replace]

Resumes the target from its snapshot, builds a livepatch module from each
PATCH (a unified diff against the kernel's source), loads them in order with
insmod, waits for each transition (showing the tasks that block it if it
stalls), then runs CMD in the target and prints its output.

Options:
  --exec CMD            run CMD in the target once every patch is live; the exit
                        status is CMD's
  --builder wasm|vm|native
                        compile with the WebAssembly GCC (what the page does),
                        in the build-host VM, or natively (default)
  --model MODEL         the consistency model of the transition: hybrid
                        (upstream, default), lazy (kGraft), stop-machine
                        (kpatch/Ksplice) or immediate (upstream 4.0); --json
                        then adds the kernel's record of each transition
  --run-pre             before loading, check that every function the patch
                        replaces is, byte for byte, the code it was built
                        against (Ksplice's run-pre matching; always on with
                        --model stop-machine)
  --no-replace          load each patch alongside the earlier ones instead of
                        atomically replacing them
  --stall SECONDS       report blocking tasks after this long (default 5)
  --timeout SECONDS     give up on a transition after this long (default 60);
                        exits 1 naming the tasks that block it, with stacks
  --json                print {stages, changedFunctions, newFunctions,
                        transitionMs, transition, exec:{stdout, exitCode},
                        patches} on stdout

Progress goes to stderr; CMD's output to stdout.`;

export const applyCommand: Command = {
  name: "apply",
  usage: "apply PATCH... [--exec CMD]",
  summary: "build patches and load them into the running target",
  help: HELP,
  async run(args) {
    const { options, positional } = parseOptions(args, { exec: "string", builder: "string", "no-replace": "boolean", stall: "string", timeout: "string", json: "boolean", model: "string", "run-pre": "boolean" });
    if (positional.length === 0) throw new CliUsageError("give at least one PATCH file");
    const builder = builderOption(options.builder);
    const stallMs = options.stall === undefined ? 5_000 : Number(options.stall) * 1000;
    if (!(stallMs > 0)) throw new CliUsageError("--stall needs a positive number of seconds");
    const timeoutMs = options.timeout === undefined ? 60_000 : Number(options.timeout) * 1000;
    if (!(timeoutMs > 0)) throw new CliUsageError("--timeout needs a positive number of seconds");
    const json = options.json === true;
    const model = options.model;
    if (model !== undefined && !isConsistencyModel(model)) throw new CliUsageError(`--model must be one of ${CONSISTENCY_MODELS.join(", ")}, not '${String(model)}'`);
    const exec = typeof options.exec === "string" ? options.exec : undefined;
    const log = (line: string): void => void process.stderr.write(`${line}\n`);

    const names = uniqueNames(positional.map(moduleNameFor));
    const patches = positional.map((file, i) => ({ file, name: names[i]!, diffText: readFileSync(file, "utf8") }));

    if (patches.length > 1 && options["no-replace"] !== true) {
      log(`note: atomic replace is on: each patch replaces the ones loaded before it, so only ${patches[patches.length - 1]!.name} stays enabled; --no-replace stacks them`);
    }
    // The target resumes while the patches build.
    const target = bootMachine(TARGET, { snapshot: true });
    target.catch(() => undefined);
    const { kbuild } = loadKlpInputs();
    let booted: BootedMachine | undefined;
    const report: { name: string; stages: StageTiming[]; changedFunctions: BuildOutput["changedFunctions"]; newFunctions: string[]; transitionMs: number; transition?: TransitionReport }[] = [];
    try {
      const open = await openCompiler(builder, kbuild);
      const built: BuildOutput[] = [];
      try {
        for (const p of patches) {
          log(`building ${p.name} from ${p.file} (${builder} builder)`);
          built.push(await buildPatch({ diffText: p.diffText, name: p.name, replace: options["no-replace"] !== true, compiler: open.compiler, onStage: (s) => log(formatStage(s)), onProgress: progressPrinter(log) }));
          log(formatSummary(built[built.length - 1]!));
        }
      } finally {
        await open.close();
      }
      booted = await target;
      if (options["run-pre"] === true || model === "stop-machine") {
        for (const out of built) {
          const pre = await runPreOnMachine(booted.machine, out.changedFunctions);
          if (pre.refusal) throw pre.refusal;
          log(`run-pre  ${out.name}: ${pre.checked} function${pre.checked === 1 ? "" : "s"} match the running kernel byte for byte`);
        }
      }
      for (const out of built) {
        log(`loading ${out.name}`);
        const { transitionMs, transition } = await unlessCrashed(
          booted.machine,
          loadLivepatch(booted.machine, out.name, out.module, {
            model,
            stallMs,
            timeoutMs,
            onStall: (tasks) => log(`  transition of ${out.name} stalled; blocking tasks:\n${describeBlocking(tasks)}`),
            forceUnsafe: forceUnsafeOf(out, (tasks) => log(`  forced: only KPATCH_FORCE_UNSAFE functions can be holding up ${out.name} (blocking pids ${tasks.map((t) => t.pid).join(", ")}); the module stays loaded until reboot`)),
          }),
        );
        log(`  transition  ${transitionMs} ms${transition ? ` (${describeTransition(transition)})` : ""}`);
        report.push({ name: out.name, stages: out.stages, changedFunctions: out.changedFunctions, newFunctions: out.newFunctions, transitionMs, ...(transition ? { transition } : {}) });
      }
      const result = exec === undefined ? undefined : await unlessCrashed(booted.machine, booted.machine.control.exec(exec, { timeoutMs: 120_000 }));
      // A command may survive an oops (the kernel kills only the task that hit it): still a failure.
      if (booted.machine.health.report) {
        if (result && !json) {
          process.stdout.write(result.stdoutBytes);
          process.stderr.write(result.stderr);
        }
        throw new TargetCrashError(booted.machine.health.report);
      }
      if (json) {
        console.log(
          JSON.stringify(
            {
              stages: report.flatMap((r) => r.stages.map((s) => ({ patch: r.name, ...s }))),
              changedFunctions: report.flatMap((r) => r.changedFunctions),
              newFunctions: report.flatMap((r) => r.newFunctions),
              transitionMs: report.reduce((sum, r) => sum + r.transitionMs, 0),
              ...(model ? { transition: report.at(-1)?.transition ?? null } : {}),
              exec: result ? { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode } : null,
              patches: report,
            },
            null,
            2,
          ),
        );
      } else if (result) {
        process.stdout.write(result.stdoutBytes);
        process.stderr.write(result.stderr);
      }
      return result?.exitCode ?? 0;
    } catch (e) {
      if (json) {
        const transition = e instanceof KlpLoadError ? e.transition : undefined;
        console.log(JSON.stringify({ error: failureJson(e), patches: report, ...(transition ? { transition } : {}) }, null, 2));
      }
      console.error(formatFailure("apply", e));
      return 1;
    } finally {
      await (booted ?? (await target.catch(() => undefined)))?.machine.destroy();
    }
  },
};

/** KPATCH_FORCE_UNSAFE's functions, for the loader; undefined when the patch marks none. */
function forceUnsafeOf(out: BuildOutput, onForce: (tasks: LivepatchTask[]) => void): LoadOptions["forceUnsafe"] {
  const marked = out.changedFunctions.filter((f) => f.forceUnsafe).map((f) => f.name);
  return marked.length ? { patched: out.changedFunctions.map((f) => f.name), marked, onForce } : undefined;
}

/** Two patches with the same file name still need two module names. */
function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k === 1 ? n : `${n}_${k}`;
  });
}
