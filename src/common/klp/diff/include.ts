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
import {
  COMPANION_SECTIONS,
  isIgnoredReferrer,
  isRegularSection,
  specialSections,
  splitEntries,
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
}

/** `ignored`: sections KPATCH_IGNORE_SECTION names, never refused as unknown tables. */
export function include(model: ObjectModel, corr: Correlation, cls: Classification, sizes: SpecialSizes | undefined, ignored: ReadonlySet<ObjSection> = new Set()): Inclusion {
  const sections = new Set<ObjSection>();
  const queue: ObjSection[] = [];
  const add = (s: ObjSection): void => {
    if (sections.has(s)) return;
    sections.add(s);
    queue.push(s);
  };
  const carriedOrPatched = (s: ObjSymbol): boolean => cls.patched.has(s) || cls.carried.has(s);
  for (const s of [...cls.patched.keys(), ...cls.carried.keys()]) if (s.section) add(s.section);

  const walk = (relocations: readonly ObjRelocation[], from: string): void => {
    for (const r of relocations) {
      const ref = resolveReference(r);
      if (ref.kind !== "symbol") {
        add(ref.section); // string literals, anonymous tables: copied whole
        continue;
      }
      const sym = ref.symbol;
      if (!sym.section || sections.has(sym.section)) continue;
      if (carriedOrPatched(sym) || !corr.symbols.has(sym)) {
        if (isInitSection(sym.section.name)) {
          throw new KlpDiffError(
            "init-reference",
            `${from} refers to \`${sym.name}\`, which is __init/__exit (${sym.section.name}): that code is freed after boot and cannot be used by a live patch.`,
            { function: sym.name },
          );
        }
        add(sym.section);
        continue;
      }
      // An unchanged .cold part is still part of its (patched) parent: it
      // jumps back into the parent's code, so the old one must not be used.
      if (sym.type === STT_FUNC && isColdPart(sym)) {
        cls.carried.set(sym, { name: sym.name, kind: "helper", reason: "cold part of a patched function" });
        add(sym.section);
      }
      // Otherwise: unchanged, stays in vmlinux (external reference).
    }
  };
  while (queue.length > 0) {
    const s = queue.shift()!;
    const fn = s.symbols.find((f) => f.type === STT_FUNC);
    walk(s.relocations, fn ? `\`${fn.name}\`` : s.name);
  }

  // Special sections: keep the entries whose owner is included code.
  const codeIncluded = (r: ObjRelocation | undefined): boolean => {
    if (!r) return false;
    const ref = resolveReference(r);
    const section = ref.kind === "symbol" ? ref.symbol.section : ref.section;
    return section !== undefined && sections.has(section) && (section.header.flags & SHF_EXECINSTR) !== 0;
  };
  const pointsAtEntry = (r: ObjRelocation): boolean => {
    const ref = resolveReference(r);
    return ref.kind === "symbol" && ref.symbol.type === STT_FUNC && ref.addend + r.bias === 0;
  };
  const filtered: FilteredSection[] = [];
  const specials = specialSections(sizes);
  const handled = new Set<string>(specials.map((s) => s.name));
  for (const list of COMPANION_SECTIONS.values()) for (const n of list) handled.add(n);
  for (const special of specials) {
    const source = model.sections.find((s) => s.name === special.name);
    if (!source) continue;
    const kept = splitEntries(source, special).filter((e) => codeIncluded(e.owner));
    if (kept.length === 0) continue;
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
      if (c) add(c);
    }
    if (special.name !== "__mcount_loc") walk(relocations, special.name);
  }
  while (queue.length > 0) walk(queue.shift()!.relocations, "a special-section entry");

  // Kernel tables this differ does not know, pointing into included code:
  // dropping their entries could break the patched code, so refuse by name.
  for (const s of model.sections) {
    if (s.index === 0 || sections.has(s) || handled.has(s.name) || isRegularSection(s.name) || isIgnoredReferrer(s.name) || ignored.has(s)) continue;
    // A pointer to an included function's entry is fine (ftrace redirects
    // the old one); an entry pointing inside its code belongs to that code.
    const hit = s.relocations.find((r) => codeIncluded(r) && !pointsAtEntry(r));
    if (!hit) continue;
    const ref = resolveReference(hit);
    const fn = ref.kind === "symbol" ? ref.symbol.name : ref.section.name;
    throw new KlpDiffError(
      "unsupported-section",
      `\`${fn}\` has an entry in the special section ${s.name}, which this tool does not know how to carry into a live patch ` +
        `(supported: ${specials.map((x) => x.name).join(", ")}). Avoid the construct that creates it in the changed function.`,
      { function: fn, section: s.name },
    );
  }
  return { sections, filtered };
}
