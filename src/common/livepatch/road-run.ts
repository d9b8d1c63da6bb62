// One road, run: a fresh target, a workload started first (a task sleeping
// in a patched function, say), the module loaded under one consistency
// model, the transition followed until the kernel ends it (or we stop
// waiting), recorded, and undone. `klp models` and the page's "Three roads"
// lab both run this.
import { chooseModel, insertModule, type ModuleGuest } from "./load.ts";
import { parseTransitionRecord, transitionRunning, type ConsistencyModel, type TransitionReport } from "./record.ts";
import { revertLivepatch } from "./revert.ts";

/** A target the loader can use (load.ts), that can also start afresh. */
export interface RoadTarget extends ModuleGuest {
  /** A fresh target (resumed from its snapshot): each road starts from the same machine. */
  reset(): Promise<void>;
}

export interface RoadRun {
  /** The module's name (also its file name and its /sys/kernel/livepatch directory). */
  name: string;
  module: Uint8Array;
  model: ConsistencyModel;
  /** Started in the background before the module is loaded (e.g. `sleep 40`). */
  workload?: string;
  /** Stop waiting after this long (default 40 s): the outcome is then `timeout`. */
  timeoutMs?: number;
  pollMs?: number;
  /** Each record read while the transition runs, for a live timeline. */
  onRecord?: (report: TransitionReport) => void;
  /**
   * Ksplice's run-pre matching against the fresh target, before the patch
   * goes in: on the stop-machine road always (as Ksplice did), elsewhere when
   * asked. Resolves to how many functions matched; rejects when one differs.
   */
  runPre?: () => Promise<{ checked: number; refusal?: Error }>;
  /** Run once the transition has ended, before undoing it: the lab's visible result. */
  after?: string;
  /** Undo the patch afterwards (default true): disable it, wait, rmmod. */
  revert?: boolean;
}

export interface RoadResult {
  transition: TransitionReport;
  /** Functions run-pre matching found identical in the running kernel (when it ran). */
  runPreChecked?: number;
  /** What `after` printed (stdout, trimmed). */
  after?: string;
}

const RECORD = "/sys/kernel/livepatch/record";

/** The shell words of a workload that must outlive the agent's command and hold none of its pipes. */
export function backgrounded(workload: string): string {
  return `( ${workload} ) </dev/null >/dev/null 2>&1 &`;
}

export async function runRoad(target: RoadTarget, run: RoadRun): Promise<RoadResult> {
  await target.reset();
  await chooseModel(target, run.model);
  let runPreChecked: number | undefined;
  if (run.runPre && run.model === "stop-machine") {
    const pre = await run.runPre();
    if (pre.refusal) throw pre.refusal;
    runPreChecked = pre.checked;
  }
  if (run.workload) {
    await target.exec(backgrounded(run.workload));
    // Let the workload reach the place it sleeps in before the patch arrives.
    await target.exec("sleep 1");
  }
  // The page's target moves the bytes to its worker: the caller keeps its copy.
  await insertModule(target, run.name, run.module.slice());
  const timeoutMs = run.timeoutMs ?? 40_000;
  const pollMs = run.pollMs ?? 250;
  const t0 = performance.now();
  let report: TransitionReport;
  for (;;) {
    const text = (await target.exec(`cat ${RECORD}`)).stdout;
    const running = transitionRunning(text);
    const timedOut = running && performance.now() - t0 > timeoutMs;
    report = parseTransitionRecord(text, timedOut);
    run.onRecord?.(report);
    if (!running || timedOut) break;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const after = run.after === undefined ? undefined : (await target.exec(run.after)).stdout.trim();
  if (run.revert ?? true) await undo(target, run.name, report);
  return { transition: report, ...(after === undefined ? {} : { after }), ...(runPreChecked === undefined ? {} : { runPreChecked }) };
}

/** Back to the unpatched kernel: an aborted patch is already disabled (and freed) and only needs rmmod. */
async function undo(target: RoadTarget, name: string, report: TransitionReport): Promise<void> {
  if (report.outcome === "timeout") {
    // Still mid-transition: reversing it is the kernel's own way back.
    await target.exec(`echo 0 > /sys/kernel/livepatch/${name}/enabled`);
  }
  if (report.outcome === "aborted") {
    for (let i = 0; i < 40; i++) {
      const gone = await target.exec(`[ -d /sys/kernel/livepatch/${name} ] || echo gone`);
      if (gone.stdout.trim() === "gone") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await target.exec(`rmmod ${name}`);
    return;
  }
  await revertLivepatch((c) => target.exec(c), name, 60_000, 250);
}
