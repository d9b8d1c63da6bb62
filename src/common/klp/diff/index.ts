// The object differ (pipeline stage 5), in the phases of kpatch's
// create-diff-object: load -> correlate -> read the kpatch marks ->
// compare/classify (and refuse what cannot be live patched) -> include ->
// emit. Pure functions over bytes; options.trace hears every decision.
import { parseElf32, STB_LOCAL, STT_FUNC, STT_OBJECT } from "../../elf/index.ts";
import { classify, isNewGlobal } from "./classify.ts";
import { correlate } from "./correlate.ts";
import { emit } from "./emit.ts";
import { include } from "./include.ts";
import { readMarks } from "./marks.ts";
import { loadObject } from "./model.ts";
import type { DiffOptions, ObjectDiff } from "./types.ts";

export { KlpDiffError, type KlpDiffCode, type KlpDiffReason } from "./errors.ts";
export type { ChangedFunction, DiffOptions, DiffTrace, ExternalSymbol, IncludedSymbol, ObjectDiff } from "./types.ts";
export type { MovedLine } from "./compare.ts";
export { DEFAULT_SPECIAL_SIZES, specialSections, type SpecialSizes, type SpecialSection } from "./special.ts";
export { stableName } from "./names.ts";

/** Compares the original and patched builds of one kernel object. Throws KlpDiffError when the change cannot be live patched. */
export function diffObjects(original: Uint8Array, patched: Uint8Array, options: DiffOptions = {}): ObjectDiff {
  const trace = options.trace ?? (() => undefined);
  const o = loadObject(parseElf32(original), "the original object");
  const p = loadObject(parseElf32(patched), "the patched object");
  const corr = correlate(o, p, trace);
  const marks = readMarks(p);
  const cls = classify(p, corr, { movedLine: options.movedLine, marks, trace, carryNewGlobals: options.carryNewGlobals });
  const inc = include(p, corr, cls, { sizes: options.specialSizes, ignored: marks.ignoredSections, trace });
  const { elf, externals } = emit(p, corr, cls, inc, options.exported ?? new Set(), trace);
  return {
    file: p.file,
    localSymbols: o.symbols.filter((s) => s.bind === STB_LOCAL && s.section && (s.type === STT_FUNC || s.type === STT_OBJECT)).map((s) => ({ name: s.name, size: s.size })),
    changedFunctions: [...cls.patched.values()],
    included: [...cls.carried.values(), ...inc.carried.values()],
    newGlobals: [...cls.carried].filter(([s, info]) => (info.kind === "new-function" || info.kind === "new-data") && isNewGlobal(s)).map(([s]) => s.name),
    notes: cls.notes,
    elf,
    externals,
    specialSections: inc.filtered.map((f) => f.source.name),
  };
}
