// A command running in the target should not wait out its timeout when the
// kernel under it has crashed: the console says so, with the trace that
// explains it, and the CLI stops right there.
import type { Machine } from "../../machine/machine.ts";
import { crashExcerpt, type CrashReport } from "../../common/machine/health.ts";

export class TargetCrashError extends Error {
  override readonly name = "TargetCrashError";
  constructor(readonly report: CrashReport) {
    super(`the target's kernel ${report.kind === "panic" ? "panicked" : `reported ${report.kind === "oops" ? "an oops" : "a BUG"}`}: ${report.line.trim()}`);
  }

  /** The console from the line that gave it away (the trace), at most `max` lines. */
  trace(max = 40): string[] {
    return crashExcerpt(this.report, 0, max);
  }
}

/**
 * Races `work` against a crash of the machine's kernel. The crash wins
 * `settleMs` after its first line, so that the report carries the whole
 * trace the kernel prints after it.
 */
export async function unlessCrashed<T>(machine: Machine, work: Promise<T>, settleMs = 1_500): Promise<T> {
  let stop = (): void => undefined;
  const crashed = new Promise<never>((_, reject) => {
    const fail = (report: CrashReport) => setTimeout(() => reject(new TargetCrashError(report)), settleMs);
    if (machine.health.report) {
      fail(machine.health.report);
      return;
    }
    stop = machine.onCrash(fail);
  });
  try {
    return await Promise.race([work, crashed]);
  } finally {
    stop();
  }
}
