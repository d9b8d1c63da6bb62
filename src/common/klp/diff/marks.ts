// What kpatch's marking macros (kpatch-macros.h) left in the patched object:
// each use is a pointer in a .kpatch.* section, whose relocation names the
// function or (for KPATCH_IGNORE_SECTION) the string with a section's name.
// Read here once; classify and include honour them; nothing of it is carried.
import { STT_FUNC } from "../../elf/index.ts";
import { KPATCH_MARK_SECTIONS } from "../kpatch-macros.ts";
import { KlpDiffError } from "./errors.ts";
import type { ObjectModel, ObjSection, ObjSymbol } from "./model.ts";
import { resolveReference } from "./references.ts";

export interface Marks {
  /** KPATCH_IGNORE_FUNCTION: not patched even when changed (and their .cold parts). */
  ignoredFunctions: Set<ObjSymbol>;
  /** KPATCH_IGNORE_SECTION: their contents neither count as a change nor are refused. */
  ignoredSections: Set<ObjSection>;
  /** KPATCH_FORCE_UNSAFE. */
  forced: Set<ObjSymbol>;
}

/** Sections the macros write: bookkeeping for the differ, never part of a patch. */
export function isMarkSection(name: string): boolean {
  return name.startsWith(".kpatch.");
}

export function readMarks(model: ObjectModel): Marks {
  const marks: Marks = { ignoredFunctions: new Set(), ignoredSections: new Set(), forced: new Set() };
  const section = (name: string): ObjSection | undefined => model.sections.find((s) => s.name === name);
  const functions = (name: string, macro: string): ObjSymbol[] =>
    (section(name)?.relocations ?? []).map((r) => {
      const ref = resolveReference(r);
      if (ref.kind !== "symbol" || ref.symbol.type !== STT_FUNC || !ref.symbol.section) {
        throw new KlpDiffError("bad-kpatch-mark", `${macro}() must name a function defined in this file (found an entry in ${name} that points elsewhere)`, { section: name });
      }
      return ref.symbol;
    });
  for (const fn of functions(KPATCH_MARK_SECTIONS.ignoreFunctions, "KPATCH_IGNORE_FUNCTION")) {
    marks.ignoredFunctions.add(fn);
    // GCC's split-off parts of it go with it (kpatch: the function's children).
    for (const s of model.symbols) if (s.type === STT_FUNC && s.name.startsWith(`${fn.name}.`)) marks.ignoredFunctions.add(s);
  }
  for (const fn of functions(KPATCH_MARK_SECTIONS.force, "KPATCH_FORCE_UNSAFE")) marks.forced.add(fn);
  for (const r of section(KPATCH_MARK_SECTIONS.ignoreSections)?.relocations ?? []) {
    const ref = resolveReference(r);
    const name = ref.kind === "string" ? ref.text : undefined;
    const target = name === undefined ? undefined : model.sections.find((s) => s.name === name);
    if (!target) {
      throw new KlpDiffError(
        "bad-kpatch-mark",
        `KPATCH_IGNORE_SECTION(${name === undefined ? "…" : JSON.stringify(name)}): this file has no such section; give a section name as the compiler writes it (e.g. "__syscalls_metadata")`,
        { section: name ?? KPATCH_MARK_SECTIONS.ignoreSections },
      );
    }
    marks.ignoredSections.add(target);
  }
  return marks;
}

/** Whether the differ must neither compare nor carry `s`: the macros' own pointers, and what they ignore. */
export function isMarkedAway(marks: Marks, s: ObjSymbol): boolean {
  return s.section !== undefined && (isMarkSection(s.section.name) || marks.ignoredSections.has(s.section));
}
