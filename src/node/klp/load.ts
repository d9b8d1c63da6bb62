// Loads a built livepatch module into a running target and follows its
// transition, as a person would with insmod and /sys/kernel/livepatch.
import type { Machine } from "../../machine/machine.ts";
import { LIVEPATCH_STATE_SCRIPT, parseLivepatchState, type LivepatchTask } from "../../common/livepatch/state.ts";
import { revertLivepatch } from "../../common/livepatch/revert.ts";
import { parseTransitionRecord, type ConsistencyModel, type TransitionReport } from "../../common/livepatch/record.ts";
import { blockedOnlyByForced } from "../../common/livepatch/force-unsafe.ts";

export interface LoadOptions {
  /**
   * The consistency model of the transition (our kernel's
   * /sys/kernel/livepatch/model, written before insmod); the result then
   * carries the kernel's record of the transition.
   */
  model?: ConsistencyModel;
  /** Report the tasks blocking the transition once it has taken this long (default 5 s). */
  stallMs?: number;
  /** Give up after this long (default 60 s); the patch stays loaded, mid-transition. */
  timeoutMs?: number;
  onStall?: (blocking: LivepatchTask[]) => void;
  /**
   * KPATCH_FORCE_UNSAFE: when the transition stalls and every task blocking
   * it is blocked only by `marked` functions among the `patched` ones, force
   * it (the module then stays pinned until reboot).
   */
  forceUnsafe?: { patched: readonly string[]; marked: readonly string[]; onForce?: (blocking: LivepatchTask[]) => void };
}

export class KlpLoadError extends Error {
  override readonly name = "KlpLoadError";
  constructor(
    message: string,
    readonly detail = "",
    /** Tasks still running the old code when we gave up. */
    readonly blocking: LivepatchTask[] = [],
    /** The kernel's record of the transition, when a model was chosen. */
    readonly transition?: TransitionReport,
  ) {
    super(message);
  }
}

export function describeBlocking(tasks: readonly LivepatchTask[]): string {
  return tasks.map((t) => [`  pid ${t.pid} (${t.comm})`, ...(t.stack ?? []).map((l) => `      ${l}`)].join("\n")).join("\n");
}

async function blockingTasks(machine: Machine): Promise<LivepatchTask[]> {
  const r = await machine.control.exec(LIVEPATCH_STATE_SCRIPT);
  return parseLivepatchState(r.stdout).tasks.filter((t) => t.pending);
}

/** Copies the module in over 9p, insmods it and waits for the transition; returns its duration in ms. */
async function transitionRecord(machine: Machine, timedOut = false): Promise<TransitionReport> {
  return parseTransitionRecord((await machine.control.exec("cat /sys/kernel/livepatch/record")).stdout, timedOut);
}

export async function loadLivepatch(
  machine: Machine,
  name: string,
  module: Uint8Array,
  options: LoadOptions = {},
): Promise<{ transitionMs: number; transition?: TransitionReport }> {
  if (options.model) {
    const set = await machine.control.exec(`echo ${options.model} > /sys/kernel/livepatch/model`);
    if (set.exitCode !== 0) throw new KlpLoadError(`this target's kernel cannot choose a consistency model (${set.stderr.trim() || "no /sys/kernel/livepatch/model"})`, "Rebuild the images with `npm run images`: the kernel needs the consistency-models patch.");
  }
  await machine.putFile(`${name}.ko`, module);
  const t0 = performance.now();
  const ins = await machine.control.exec(`insmod /host/${name}.ko`);
  if (ins.exitCode !== 0) {
    const log = await machine.control.exec("dmesg | tail -n 8");
    throw new KlpLoadError(`insmod ${name}.ko failed: ${(ins.stderr || ins.stdout).trim()}`, log.stdout.trim());
  }
  const stallMs = options.stallMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 60_000;
  let reported = false;
  for (;;) {
    const r = await machine.control.exec(`cat /sys/kernel/livepatch/${name}/transition 2>/dev/null || echo gone`);
    const state = r.stdout.trim();
    if (state === "gone") {
      const transition = options.model ? await transitionRecord(machine) : undefined;
      if (transition?.outcome === "aborted" && transition.patch === name) {
        const who = transition.blocked.at(-1);
        throw new KlpLoadError(
          `${name}: the ${transition.model} transition was aborted after ${transition.attempts} attempts${who ? `: ${who.comm} (pid ${who.pid}) had ${who.func ?? "a patched function"} on its stack` : ""}; the patch is disabled and its module can be removed`,
          who ? describeBlocking([{ pid: who.pid, comm: who.comm, patchState: "unpatched", pending: true, stack: who.stack }]) : "",
          [],
          transition,
        );
      }
      throw new KlpLoadError(`${name}: the patch vanished from /sys/kernel/livepatch right after insmod (replaced, or disabled by its own callback?)`);
    }
    const elapsed = performance.now() - t0;
    if (state === "0") return { transitionMs: Math.round(elapsed), ...(options.model ? { transition: await transitionRecord(machine) } : {}) };
    if (elapsed > timeoutMs) {
      const blocking = await blockingTasks(machine);
      const transition = options.model ? await transitionRecord(machine, true) : undefined;
      throw new KlpLoadError(`${name}: the transition did not finish in ${Math.round(timeoutMs / 1000)} s; these tasks still run the old code:`, describeBlocking(blocking), blocking, transition);
    }
    if (!reported && elapsed > stallMs) {
      reported = true;
      const blocking = await blockingTasks(machine);
      options.onStall?.(blocking);
      const f = options.forceUnsafe;
      if (f && blockedOnlyByForced(blocking, f.patched, f.marked)) {
        await machine.control.exec(`echo 1 > /sys/kernel/livepatch/${name}/force`);
        f.onForce?.(blocking);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Disables a loaded patch, waits for its transition back and rmmods it (as the page's Revert does). */
export function unloadLivepatch(machine: Machine, name: string, timeoutMs = 60_000): Promise<void> {
  return revertLivepatch((command) => machine.control.exec(command), name, timeoutMs, 100);
}
