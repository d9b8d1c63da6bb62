// The diff stage over every compiled object: a header change recompiles many
// objects and most come out identical, which is fine as long as one changed.
import { findFunctions } from "../../c/functions.ts";
import { diffObjects, KlpDiffError, type DiffOptions, type MovedLine, type ObjectDiff } from "../diff/index.ts";
import { KPATCH_CALLBACKS } from "../kpatch-macros.ts";
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

/** `patchedText`: a patched file's text, to give a refusal the line of the function it names. */
export function diffAll(
  compiled: readonly Compiled[],
  options: Omit<DiffOptions, "movedLine">,
  movedLineFor: (files: readonly string[]) => MovedLine,
  patchedText: (path: string) => string | undefined = () => undefined,
): DiffedObject[] {
  const out: DiffedObject[] = [];
  let noChange: KlpBuildError | undefined;
  for (const c of compiled) {
    try {
      const trace = options.trace;
      const mine = trace && ((line: string) => trace(`${c.object}: ${line}`));
      const diff = diffObjects(c.original, c.patched, { ...options, movedLine: movedLineFor(c.because), trace: mine, carryNewGlobals: compiled.length > 1 });
      out.push({ object: c.object, diff });
    } catch (e) {
      const text = e instanceof KlpDiffError && e.function !== undefined ? patchedText(c.source) : undefined;
      const line = text === undefined ? undefined : functionLine(text, (e as KlpDiffError).function!);
      const err = toBuildError("diff", e, { file: c.source, ...(line === undefined ? {} : { line }) });
      if (err.kind === "no-change") {
        noChange = err;
        continue;
      }
      throw compiled.length > 1 ? err.within(c.object) : err;
    }
  }
  checkNewGlobalsReached(out);
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

/** An object whose only change is new globals (carryNewGlobals): no function of it is redirected, and it sets no callback. */
function onlyAdds(d: ObjectDiff): boolean {
  return d.changedFunctions.length === 0 && !d.included.some((i) => Object.hasOwn(KPATCH_CALLBACKS, i.name));
}

/**
 * The objects whose only change is new globals are carried for the others
 * to call (a new helper in a.c, called from b.c's changed function). When
 * no object changes anything that runs, nothing would reach them: refused
 * as the differ refuses one such object. One nothing in the patch refers to
 * is still carried (as kpatch does), and said so.
 */
function checkNewGlobalsReached(out: readonly DiffedObject[]): void {
  const adding = out.filter((o) => onlyAdds(o.diff));
  if (adding.length === 0) return;
  if (adding.length === out.length) {
    const added = adding.flatMap((o) => o.diff.newGlobals.map((n) => `\`${n}\` (${o.object})`));
    throw new KlpBuildError(
      "diff",
      "new-code-unreached",
      `no functional change: the patch only adds ${added.join(", ")}, which no existing function calls, so the running kernel would never reach it`,
    );
  }
  for (const o of adding) {
    const used = new Set(out.filter((x) => x !== o).flatMap((x) => x.diff.externals.filter((e) => !e.local).map((e) => e.name)));
    const unused = o.diff.newGlobals.filter((n) => !used.has(n));
    const carried = o.diff.newGlobals.filter((n) => used.has(n));
    if (carried.length > 0) o.diff.notes.push(`${o.object} only adds ${carried.map((n) => `\`${n}\``).join(", ")}: carried, for the changed code of the other files that uses ${carried.length > 1 ? "them" : "it"}`);
    if (unused.length > 0) o.diff.notes.push(`${o.object} adds ${unused.map((n) => `\`${n}\``).join(", ")}, which nothing in the patch calls or reads: carried, but the running kernel will not reach ${unused.length > 1 ? "them" : "it"}`);
  }
}

/**
 * Where the source defines the function an object symbol stands for: GCC's
 * clones and parts (`f.constprop.0`, `f.cold`) are `f`, a syscall's
 * `__do_sys_x`/`__se_sys_x`/`__ia32_sys_x` is its SYSCALL_DEFINE (`sys_x`).
 */
function functionLine(text: string, symbol: string): number | undefined {
  const base = symbol.replace(/\..*$/, "").replace(/^__(?:do|se|ia32|x64)_sys_/, "sys_");
  return findFunctions(text).find((f) => f.name === base)?.line;
}
