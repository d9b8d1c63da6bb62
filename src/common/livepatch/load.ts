// Loading a live patch as a person would in the guest's shell: copy the
// module in over 9p, insmod it, follow its transition in
// /sys/kernel/livepatch, force it, unload what it replaced. One
// implementation for Node (a Machine) and the page (TargetClient, whose
// Machine lives in a worker), over the Guest both are; revert.ts undoes it.
import type { Guest } from "../machine/guest.ts";
import { blockedOnlyByForced } from "./force-unsafe.ts";
import { parseTransitionRecord, type ConsistencyModel, type TransitionReport } from "./record.ts";
import { LIVEPATCH_STATE_SCRIPT, parseLivepatchState, type LivepatchTask } from "./state.ts";
import { revertLivepatch } from "./revert.ts";

/** What loading needs of a machine. */
export type ModuleGuest = Pick<Guest, "exec" | "putFile">;

export class KlpLoadError extends Error {
  override readonly name = "KlpLoadError";
  constructor(
    message: string,
    readonly detail = "",
    /** Tasks still running the old code when we gave up. */
    readonly blocking: LivepatchTask[] = [],
    /** The kernel's record of the transition, when a model was chosen. */
    readonly transition?: TransitionReport,
    /** `exists`: a module of that name is loaded already (the page says how to revert it). */
    readonly why: "insmod" | "exists" | "model" | "vanished" | "aborted" | "timeout" = "insmod",
  ) {
    super(message);
  }
}

export function describeBlocking(tasks: readonly LivepatchTask[]): string {
  return tasks.map((t) => [`  pid ${t.pid} (${t.comm})`, ...(t.stack ?? []).map((l) => `      ${l}`)].join("\n")).join("\n");
}

/** Common insmod refusals, in words a newcomer understands; insmod's own words otherwise. */
function explainInsmod(out: string, log: string): string {
  if (/File exists/.test(out)) return "a module with this name is already loaded";
  if (/Invalid module format|disagrees about version/.test(out + log)) return "the kernel refused the module's format (it was built for another kernel)";
  if (/Unknown symbol/.test(log)) return "the module uses a symbol the kernel does not export";
  if (/not enabled|livepatch: .*failed/.test(log)) return "the livepatch core refused the patch: see the kernel log below";
  return out.trim() || "insmod failed";
}

/**
 * Copies the module in (the target sees it as /host/<name>.ko) and insmods
 * it; the transition starts. Throws KlpLoadError with the kernel log's tail
 * when the kernel refuses it.
 */
export async function insertModule(guest: ModuleGuest, name: string, module: Uint8Array): Promise<void> {
  await copyModule(guest, name, module);
  await insmod(guest, name);
}

async function copyModule(guest: ModuleGuest, name: string, module: Uint8Array): Promise<void> {
  // The name becomes a file name and a shell word.
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new KlpLoadError(`invalid module name: ${name}`);
  await guest.putFile(`${name}.ko`, module);
}

async function insmod(guest: ModuleGuest, name: string): Promise<void> {
  const ins = await guest.exec(`insmod /host/${name}.ko`, { timeoutMs: 60_000 });
  if (ins.exitCode === 0) return;
  const out = ins.stderr || ins.stdout;
  const log = (await guest.exec("dmesg | tail -n 8")).stdout.trim();
  throw new KlpLoadError(`insmod ${name}.ko failed: ${explainInsmod(out, log)}`, log, [], undefined, /File exists/.test(out) ? "exists" : "insmod");
}

/** Switches every task to the patch without checking its stack; the kernel then pins the module until reboot. */
export async function forceTransition(guest: ModuleGuest, name: string): Promise<void> {
  await guest.exec(`echo 1 > /sys/kernel/livepatch/${name}/force`);
}

/**
 * The consistency model of the next patch's transition: our kernel's
 * /sys/kernel/livepatch/model, read when the module's init enables the patch
 * (so it is written before insmod).
 */
export async function chooseModel(guest: ModuleGuest, model: ConsistencyModel): Promise<void> {
  const set = await guest.exec(`echo ${model} > /sys/kernel/livepatch/model`);
  if (set.exitCode === 0) return;
  throw new KlpLoadError(
    `this target's kernel cannot choose a consistency model (${set.stderr.trim() || "no /sys/kernel/livepatch/model"})`,
    "Rebuild the images with `npm run images`: the kernel needs the consistency-models patch.",
    [],
    undefined,
    "model",
  );
}

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
   * KPATCH_FORCE_UNSAFE: when the transition stalls and only `marked`
   * functions among the `patched` ones can be holding it up
   * (force-unsafe.ts), force it (the module then stays pinned until reboot).
   */
  forceUnsafe?: { patched: readonly string[]; marked: readonly string[]; onForce?: (blocking: LivepatchTask[]) => void };
}

async function blockingTasks(guest: ModuleGuest): Promise<LivepatchTask[]> {
  const r = await guest.exec(LIVEPATCH_STATE_SCRIPT);
  return parseLivepatchState(r.stdout).tasks.filter((t) => t.pending);
}

async function transitionRecord(guest: ModuleGuest, timedOut = false): Promise<TransitionReport> {
  return parseTransitionRecord((await guest.exec("cat /sys/kernel/livepatch/record")).stdout, timedOut);
}

/** Inserts the module and waits for its transition to finish; returns its duration in ms. */
export async function loadLivepatch(
  guest: ModuleGuest,
  name: string,
  module: Uint8Array,
  options: LoadOptions = {},
): Promise<{ transitionMs: number; transition?: TransitionReport }> {
  if (options.model) await chooseModel(guest, options.model);
  await copyModule(guest, name, module);
  // From insmod on: the copy over 9p is not part of the transition.
  const t0 = performance.now();
  await insmod(guest, name);
  const stallMs = options.stallMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 60_000;
  let reported = false;
  for (;;) {
    const r = await guest.exec(`cat /sys/kernel/livepatch/${name}/transition 2>/dev/null || echo gone`);
    const state = r.stdout.trim();
    if (state === "gone") {
      const transition = options.model ? await transitionRecord(guest) : undefined;
      if (transition?.outcome === "aborted" && transition.patch === name) {
        const who = transition.blocked.at(-1);
        throw new KlpLoadError(
          `${name}: the ${transition.model} transition was aborted after ${transition.attempts} attempts${who ? `: ${who.comm} (pid ${who.pid}) had ${who.func ?? "a patched function"} on its stack` : ""}; the patch is disabled and its module can be removed`,
          who ? describeBlocking([{ pid: who.pid, comm: who.comm, patchState: "unpatched", pending: true, stack: who.stack }]) : "",
          [],
          transition,
          "aborted",
        );
      }
      throw new KlpLoadError(`${name}: the patch vanished from /sys/kernel/livepatch right after insmod (replaced, or disabled by its own callback?)`, "", [], undefined, "vanished");
    }
    const elapsed = performance.now() - t0;
    if (state === "0") return { transitionMs: Math.round(elapsed), ...(options.model ? { transition: await transitionRecord(guest) } : {}) };
    if (elapsed > timeoutMs) {
      const blocking = await blockingTasks(guest);
      const transition = options.model ? await transitionRecord(guest, true) : undefined;
      throw new KlpLoadError(`${name}: the transition did not finish in ${Math.round(timeoutMs / 1000)} s; these tasks still run the old code:`, describeBlocking(blocking), blocking, transition, "timeout");
    }
    if (!reported && elapsed > stallMs) {
      reported = true;
      const blocking = await blockingTasks(guest);
      options.onStall?.(blocking);
      const f = options.forceUnsafe;
      if (f && blockedOnlyByForced(blocking, f.patched, f.marked)) {
        await forceTransition(guest, name);
        f.onForce?.(blocking);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * After an atomic replace the old patch disables itself; its module stays
 * loaded until removed. Waits for the old patch to leave sysfs, then unloads
 * it (best effort: a module that cannot go yet stays, and says nothing).
 */
export async function unloadReplaced(guest: ModuleGuest, name: string, timeoutMs = 60_000, pollMs = 250): Promise<void> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    const r = await guest.exec(`[ -d /sys/kernel/livepatch/${name} ] && echo present || echo gone`);
    if (r.stdout.trim() === "gone") {
      await guest.exec(`grep -q '^${name} ' /proc/modules && rmmod ${name}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Disables a loaded patch, waits for its transition back and rmmods it (revert.ts; what the page's Revert does). */
export function unloadLivepatch(guest: ModuleGuest, name: string, timeoutMs = 60_000): Promise<void> {
  return revertLivepatch((command) => guest.exec(command), name, timeoutMs, 100);
}
