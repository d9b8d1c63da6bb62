// The kernel's record of its last livepatch transition
// (/sys/kernel/livepatch/record, from images/kernel/patches/0005-…), parsed
// into the transition report of `klp apply --model`, `klp models` and the
// page's "Three roads" lab.

export const CONSISTENCY_MODELS = ["hybrid", "lazy", "stop-machine", "immediate"] as const;
export type ConsistencyModel = (typeof CONSISTENCY_MODELS)[number];

export function isConsistencyModel(value: unknown): value is ConsistencyModel {
  return CONSISTENCY_MODELS.some((m) => m === value);
}

export type SwitchVia = "stack-check" | "user-return" | "idle" | "safe-point" | "signal" | "force" | "stop-machine" | "immediate";

/**
 * How a transition ended: `timeout` is ours (we stopped waiting while it still
 * ran), `running` a record read mid-transition, `none` no transition yet.
 */
export type TransitionOutcome = "complete" | "aborted" | "forced" | "timeout" | "running" | "none";

export interface TaskSwitch {
  pid: number;
  comm: string;
  via: SwitchVia;
  /** Since the transition started. */
  atMs: number;
}

export interface BlockedTask {
  pid: number;
  comm: string;
  /** The replaced function found on its stack (stop-machine attempts). */
  func?: string;
  /** The stop-machine attempt it blocked (1-based), or undefined for a task still pending. */
  attempt?: number;
  stack: string[];
}

export interface TransitionReport {
  patch: string;
  model: ConsistencyModel;
  target: "patched" | "unpatched";
  outcome: TransitionOutcome;
  /** Start to end (or to the moment of reading, while it runs). */
  ms: number;
  stopped: { count: number; totalUs: number; maxUs: number };
  /** Each stop-machine window: when it began (since the start) and how long every CPU stood still. */
  stops: { atMs: number; us: number }[];
  /** When fake signals went out (since the start). */
  signalsAtMs: number[];
  attempts: number;
  reversed: number;
  signals: number;
  switched: TaskSwitch[];
  blocked: BlockedTask[];
  /** Tasks not yet switched (only while the transition runs). */
  pending: BlockedTask[];
}

export class RecordFormatError extends Error {
  override readonly name = "RecordFormatError";
}

/** `key=value … comm=rest of line` (comm may hold spaces, so it comes last). */
function fields(rest: string): Map<string, string> {
  const out = new Map<string, string>();
  const comm = rest.indexOf("comm=");
  const head = comm >= 0 ? rest.slice(0, comm) : rest;
  for (const w of head.trim().split(/\s+/).filter(Boolean)) {
    const eq = w.indexOf("=");
    if (eq > 0) out.set(w.slice(0, eq), w.slice(eq + 1));
  }
  if (comm >= 0) out.set("comm", rest.slice(comm + 5));
  return out;
}

function num(map: Map<string, string>, key: string, line: string): number {
  const v = Number(map.get(key));
  if (!Number.isFinite(v)) throw new RecordFormatError(`record: '${key}' is not a number in: ${line}`);
  return v;
}

/**
 * Parses the record. `timedOut`: the caller stopped waiting while the kernel
 * still said in-progress, which makes the outcome `timeout`.
 */
export function parseTransitionRecord(text: string, timedOut = false): TransitionReport {
  const scalars = new Map<string, string>();
  const report: TransitionReport = {
    patch: "",
    model: "hybrid",
    target: "patched",
    outcome: "none",
    ms: 0,
    stopped: { count: 0, totalUs: 0, maxUs: 0 },
    stops: [],
    signalsAtMs: [],
    attempts: 0,
    reversed: 0,
    signals: 0,
    switched: [],
    blocked: [],
    pending: [],
  };
  let frames: string[] | undefined;
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    if (line.startsWith(" frame ")) {
      if (!frames) throw new RecordFormatError(`record: a frame line outside a blocked/pending entry: ${line}`);
      frames.push(line.slice(7).trim());
      continue;
    }
    const sp = line.indexOf(" ");
    const key = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? "" : line.slice(sp + 1);
    frames = undefined;
    if (key === "switch") {
      const f = fields(rest);
      report.switched.push({ pid: num(f, "pid", line), comm: f.get("comm") ?? "", via: (f.get("via") ?? "") as SwitchVia, atMs: num(f, "at_us", line) / 1000 });
    } else if (key === "blocked" || key === "pending") {
      const f = fields(rest);
      const entry: BlockedTask = { pid: num(f, "pid", line), comm: f.get("comm") ?? "", stack: [] };
      if (key === "blocked") {
        entry.attempt = num(f, "attempt", line);
        const func = f.get("func");
        if (func && func !== "-") entry.func = func;
        report.blocked.push(entry);
      } else report.pending.push(entry);
      frames = entry.stack;
    } else if (key === "stop") {
      const f = fields(rest);
      report.stops.push({ atMs: num(f, "at_us", line) / 1000, us: num(f, "us", line) });
    } else if (key === "signal") {
      report.signalsAtMs.push(num(fields(rest), "at_us", line) / 1000);
    } else if (key === "stops") {
      const f = fields(rest);
      report.stopped = { count: num(f, "count", line), totalUs: num(f, "total_us", line), maxUs: num(f, "max_us", line) };
    } else {
      scalars.set(key, rest.trim());
    }
  }
  const state = scalars.get("state");
  if (!state) throw new RecordFormatError("record: no 'state' line (is this kernel built with the consistency-models patch?)");
  if (state === "none") return report;
  const model = scalars.get("model");
  if (!isConsistencyModel(model)) throw new RecordFormatError(`record: unknown model '${model}'`);
  report.patch = scalars.get("patch") ?? "";
  report.model = model;
  report.target = scalars.get("target") === "unpatched" ? "unpatched" : "patched";
  report.attempts = Number(scalars.get("attempts") ?? 0);
  report.reversed = Number(scalars.get("reversed") ?? 0);
  report.signals = Number(scalars.get("signals") ?? 0);
  const start = Number(scalars.get("start_ns") ?? 0);
  const end = Number(scalars.get("end_ns") ?? 0);
  const now = Number(scalars.get("now_ns") ?? 0);
  report.ms = Math.round(((end || now) - start) / 1e4) / 100;
  const forced = scalars.get("forced") === "1";
  report.outcome =
    state === "aborted" ? "aborted" : state === "complete" ? (forced ? "forced" : "complete") : timedOut ? "timeout" : "running";
  return report;
}

/** Still running: neither the kernel nor the caller has ended it. */
export function transitionRunning(text: string): boolean {
  return /^state in-progress$/m.test(text);
}
