// The diff stage over every compiled object: a header change recompiles many
// objects and most come out identical, which is fine as long as one changed.
import { diffObjects, type DiffOptions, type MovedLine, type ObjectDiff } from "../diff/index.ts";
import { KlpBuildError } from "./error.ts";
import { toBuildError } from "./translate.ts";

/** One object, compiled pristine and patched. */
export interface Compiled {
  object: string;
  /** Its source file. */
  source: string;
  /** The changed files it reads. */
  because: readonly string[];
  original: Uint8Array;
  patched: Uint8Array;
}

export interface DiffedObject {
  object: string;
  diff: ObjectDiff;
}

export function diffAll(compiled: readonly Compiled[], options: Omit<DiffOptions, "movedLine">, movedLineFor: (files: readonly string[]) => MovedLine): DiffedObject[] {
  const out: DiffedObject[] = [];
  let noChange: KlpBuildError | undefined;
  for (const c of compiled) {
    try {
      const trace = options.trace;
      const mine = trace && ((line: string) => trace(`${c.object}: ${line}`));
      out.push({ object: c.object, diff: diffObjects(c.original, c.patched, { ...options, movedLine: movedLineFor(c.because), trace: mine }) });
    } catch (e) {
      const err = toBuildError("diff", e, { file: c.source });
      if (err.kind === "no-change") {
        noChange = err;
        continue;
      }
      throw compiled.length > 1 ? err.within(c.object) : err;
    }
  }
  if (out.length === 0) {
    // One object: the differ's own words say best why (e.g. "only adds `f`, which nothing calls").
    if (compiled.length === 1 && noChange) throw noChange;
    throw new KlpBuildError(
      "diff",
      "no-change",
      `no functional change: the compiled objects (${compiled.length}) are the same as the running kernel's (comments, whitespace or unused code only?)`,
      { detail: noChange?.message ?? "", cause: noChange?.cause },
    );
  }
  return out;
}
