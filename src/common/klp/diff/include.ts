// Phase 4 (include): from the functions the patch redirects and the things
// it carries, collect every section the new code needs — new data, string
// literals, anonymous tables, .cold parts — and the entries of special
// sections (special.ts) that belong to included functions. What the code
// refers to but is not included becomes an external reference to vmlinux.
import { SHF_EXECINSTR, STT_FUNC } from "../../elf/index.ts";
import type { Classification } from "./classify.ts";
import { isColdPart, isInitSection } from "./classify.ts";
import type { Correlation } from "./correlate.ts";
import { KlpDiffError } from "./errors.ts";
import type { ObjectModel, ObjRelocation, ObjSection, ObjSymbol } from "./model.ts";
import { resolveReference } from "./references.ts";
import type { DiffTrace, IncludedSymbol } from "./types.ts";
import {
  COMPANION_SECTIONS,
  isIgnoredReferrer,
  isRegularSection,
  specialSections,
  splitEntries,
  type SpecialSection,
  type SpecialSizes,
} from "./special.ts";

/** A special section cut down to the entries of included functions. */
export interface FilteredSection {
  source: ObjSection;
  data: Uint8Array;
  /** Relocations with offsets in the filtered data. */
  relocations: ObjRelocation[];
}

export interface Inclusion {
  /** Whole sections copied from the patched object. */
  sections: Set<ObjSection>;
  filtered: FilteredSection[];
  /** What inclusion found to carry beyond classify's list: unchanged .cold parts of patched functions. */
  carried: Map<ObjSymbol, IncludedSymbol>;
}

export interface IncludeOptions {
  sizes?: SpecialSizes;
  /** Sections KPATCH_IGNORE_SECTION names, never refused as unknown tables. */
  ignored?: ReadonlySet<ObjSection>;
  trace?: DiffTrace;
}

/** `ignored`: sections KPATCH_IGNORE_SECTION names, never refused as unknown tables. */
/**
 * Walks from the patched and carried functions to everything their code
 * needs, keeps the special-section entries of included code, and refuses a
 * table it cannot carry. Steps: the code's own references, the special
 * sections' entries (and what they refer to), then the unknown tables.
 */
export function include(model: ObjectModel, corr: Correlation, cls: Classification, options: IncludeOptions = {}): Inclusion {
  const trace = options.trace ?? (() => undefined);
  const closure = new Closure(corr, cls, trace);
  for (const s of [...cls.patched.keys(), ...cls.carried.keys()]) if (s.section) closure.add(s.section, `\`${s.name}\` is part of the patch`);
  closure.drain((s) => {
    const fn = s.symbols.find((f) => f.type === STT_FUNC);
    return fn ? `\`${fn.name}\`` : s.name;
  });
  const specials = specialSections(options.sizes);
  const filtered = filterSpecialSections(model, closure, specials, trace);
  closure.drain(() => "a special-section entry");
  refuseUnknownTables(model, closure, specials, options.ignored ?? new Set());
  return { sections: closure.sections, filtered, carried: closure.carried };
}

/** The sections included so far and the queue of those whose references are still to follow. */
class Closure {
  readonly sections = new Set<ObjSection>();
  readonly carried = new Map<ObjSymbol, IncludedSymbol>();
  private readonly queue: ObjSection[] = [];

  constructor(
    private readonly corr: Correlation,
    private readonly cls: Classification,
    private readonly trace: DiffTrace,
  ) {}

  add(s: ObjSection, why: string): void {
    if (this.sections.has(s)) return;
    this.sections.add(s);
    this.queue.push(s);
    this.trace(`${s.name} included: ${why}`);
  }

  /** Follows the queued sections' relocations; `from` names the referrer in messages. */
  drain(from: (s: ObjSection) => string): void {
    while (this.queue.length > 0) {
      const s = this.queue.shift()!;
      this.walk(s.relocations, from(s));
    }
  }

  /** A section outside the walk (a filtered special section) whose references must come along. */
  follow(relocations: readonly ObjRelocation[], from: string): void {
    this.walk(relocations, from);
  }

  /** Whether the relocation points into included code. */
  codeIncluded(r: ObjRelocation | undefined): boolean {
    if (!r) return false;
    const ref = resolveReference(r);
    const section = ref.kind === "symbol" ? ref.symbol.section : ref.section;
    return section !== undefined && this.sections.has(section) && (section.header.flags & SHF_EXECINSTR) !== 0;
  }

  private carriedOrPatched(s: ObjSymbol): boolean {
    return this.cls.patched.has(s) || this.cls.carried.has(s) || this.carried.has(s);
  }

  private walk(relocations: readonly ObjRelocation[], from: string): void {
    for (const r of relocations) {
      const ref = resolveReference(r);
      if (ref.kind !== "symbol") {
        this.add(ref.section, `${from} refers to it`); // string literals, anonymous tables: copied whole
        continue;
      }
      const sym = ref.symbol;
      if (!sym.section || this.sections.has(sym.section)) continue;
      if (this.carriedOrPatched(sym) || !this.corr.symbols.has(sym)) {
        if (isInitSection(sym.section.name)) {
          throw new KlpDiffError(
            "init-reference",
            `${from} refers to \`${sym.name}\`, which is __init/__exit (${sym.section.name}): that code is freed after boot and cannot be used by a live patch.`,
            { function: sym.name },
          );
        }
        this.add(sym.section, `${from} refers to \`${sym.name}\`${this.corr.symbols.has(sym) ? "" : ", which is new"}`);
        continue;
      }
      // An unchanged .cold part is still part of its (patched) parent: it
      // jumps back into the parent's code, so the old one must not be used.
      if (sym.type === STT_FUNC && isColdPart(sym)) {
        this.carried.set(sym, { name: sym.name, kind: "helper", reason: "cold part of a patched function" });
        this.add(sym.section, `\`${sym.name}\` is the cold part of ${from}`);
      }
      // Otherwise: unchanged, stays in vmlinux (external reference).
    }
  }
}

/** Special sections: keep the entries whose owner is included code, and the companions they need. */
function filterSpecialSections(model: ObjectModel, closure: Closure, specials: readonly SpecialSection[], trace: DiffTrace): FilteredSection[] {
  const pointsIntoCode = (r: ObjRelocation | undefined): boolean => closure.codeIncluded(r);
  const filtered: FilteredSection[] = [];
  for (const special of specials) {
    const source = model.sections.find((s) => s.name === special.name);
    if (!source) continue;
    const entries = splitEntries(source, special);
    const kept = entries.filter((e) => pointsIntoCode(e.owner));
    if (kept.length === 0) continue;
    trace(`${special.name}: ${kept.length} of ${entries.length} entries kept (those of included code)`);
    const data = new Uint8Array(kept.length * special.entrySize);
    const relocations: ObjRelocation[] = [];
    kept.forEach((e, i) => {
      const at = i * special.entrySize;
      data.set(source.header.data.subarray(e.offset, e.offset + special.entrySize), at);
      for (const r of e.relocations) relocations.push({ ...r, offset: r.offset - e.offset + at });
    });
    filtered.push({ source, data, relocations });
    for (const companion of COMPANION_SECTIONS.get(special.name) ?? []) {
      const c = model.sections.find((s) => s.name === companion);
      if (c) closure.add(c, `the kept entries of ${special.name} refer to it`);
    }
    if (special.name !== "__mcount_loc") closure.follow(relocations, special.name);
  }
  return filtered;
}

/** What to write instead, for the tables kpatch's patch-author guide names (this kernel has neither jump labels nor inline static calls, but a patch may bring its own). */
const TABLE_HINTS = new Map([
  ["__jump_table", "It is a jump label (static_branch_likely/unlikely, static_key_true/false): use static_key_enabled(&key) in the changed function instead, a plain test of the key."],
  [".static_call_sites", "It is a static call: write KPATCH_STATIC_CALL(name)(args) (or KLP_STATIC_CALL, from <linux/kpatch-macros.h> or <linux/livepatch_helpers.h>) instead of static_call(name)(args)."],
  ["__tracepoints_ptrs", "It is a tracepoint defined in the patch: trace with an existing tracepoint, or with pr_debug()."],
]);

/**
 * Kernel tables this differ does not know, pointing into included code:
 * dropping their entries could break the patched code, so refuse by name.
 */
function refuseUnknownTables(model: ObjectModel, closure: Closure, specials: readonly SpecialSection[], ignored: ReadonlySet<ObjSection>): void {
  const handled = new Set<string>(specials.map((s) => s.name));
  for (const list of COMPANION_SECTIONS.values()) for (const n of list) handled.add(n);
  const pointsAtEntry = (r: ObjRelocation): boolean => {
    const ref = resolveReference(r);
    return ref.kind === "symbol" && ref.symbol.type === STT_FUNC && ref.addend + r.bias === 0;
  };
  for (const s of model.sections) {
    if (s.index === 0 || closure.sections.has(s) || handled.has(s.name) || isRegularSection(s.name) || isIgnoredReferrer(s.name) || ignored.has(s)) continue;
    // A pointer to an included function's entry is fine (ftrace redirects
    // the old one); an entry pointing inside its code belongs to that code.
    const hit = s.relocations.find((r) => closure.codeIncluded(r) && !pointsAtEntry(r));
    if (!hit) continue;
    const ref = resolveReference(hit);
    const fn = ref.kind === "symbol" ? ref.symbol.name : ref.section.name;
    throw new KlpDiffError(
      "unsupported-section",
      `\`${fn}\` has an entry in the special section ${s.name}, which this tool does not know how to carry into a live patch ` +
        `(supported: ${specials.map((x) => x.name).join(", ")}). ${TABLE_HINTS.get(s.name) ?? "Avoid the construct that creates it in the changed function."}`,
      { function: fn, section: s.name },
    );
  }
}
