// Phase 2 (correlate): pair every symbol and section of the patched object
// with its twin in the original, by stable names (names.ts). Static locals
// whose stable names collide (two functions each with a `static int count`)
// are told apart by the functions that use them.
import { STB_LOCAL, STT_FILE, STT_SECTION } from "../../elf/index.ts";
import { isRelocationSection, type ObjectModel, type ObjSection, type ObjSymbol } from "./model.ts";
import { stableName, stableSectionName } from "./names.ts";
import type { DiffTrace } from "./types.ts";

export interface Correlation {
  /** patched symbol -> original symbol */
  symbols: Map<ObjSymbol, ObjSymbol>;
  /** patched section -> original section */
  sections: Map<ObjSection, ObjSection>;
}

function symbolKey(s: ObjSymbol): string {
  return `${s.bind === STB_LOCAL ? "L" : "G"}:${s.type}:${stableName(s.name)}`;
}

/**
 * Static locals a macro makes, one per use (pr_*_once's `__already_done` in
 * .data..once, ratelimit state, lockdep keys, dynamic-debug descriptors,
 * switch tables): nothing tells two uses in one function apart, so pairing
 * by name or user could give a new pr_warn_once() the flag of an old one
 * (silenced because the other printed). `__func__` too: a changed function
 * carries its own name rather than a livepatch relocation to vmlinux's. Never correlated, as upstream
 * klp-diff does: the patched code gets its own copies, so a once-message
 * may print once more after patching.
 */
const PER_USE_STATICS = /^(__already_done|__warned|__print_once|__func__|__key|_rs|descriptor|_entry|_entry_ptr|CSWTCH)\.\d+$/;

export function isPerUseStatic(s: ObjSymbol): boolean {
  return s.bind === STB_LOCAL && PER_USE_STATICS.test(s.name);
}

function correlatable(s: ObjSymbol): boolean {
  return s.index !== 0 && s.name !== "" && s.type !== STT_SECTION && s.type !== STT_FILE && !isPerUseStatic(s);
}

/** Names of the functions whose code refers to `s`: a static local's fingerprint. */
function users(model: ObjectModel, s: ObjSymbol): string {
  const names = new Set<string>();
  for (const section of model.sections) {
    for (const r of section.relocations) {
      const hit = r.symbol === s || (r.symbol.type === STT_SECTION && r.symbol.section === s.section && s.section !== undefined);
      if (!hit) continue;
      for (const fn of section.symbols) names.add(stableName(fn.name));
    }
  }
  return [...names].sort().join(",");
}

function group(model: ObjectModel): Map<string, ObjSymbol[]> {
  const out = new Map<string, ObjSymbol[]>();
  for (const s of model.symbols) {
    if (!correlatable(s)) continue;
    const key = symbolKey(s);
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(s);
  }
  return out;
}

export function correlate(original: ObjectModel, patched: ObjectModel, trace: DiffTrace = () => undefined): Correlation {
  const symbols = new Map<ObjSymbol, ObjSymbol>();
  const pair = (p: ObjSymbol, o: ObjSymbol, how: string): void => {
    symbols.set(p, o);
    trace(`correlated \`${p.name}\` with \`${o.name}\` (${how})`);
  };
  const before = group(original);
  for (const [key, list] of group(patched)) {
    const twins = before.get(key);
    if (!twins) {
      for (const p of list) trace(`\`${p.name}\`: no twin in the original`);
      continue;
    }
    if (list.length === 1 && twins.length === 1) {
      pair(list[0]!, twins[0]!, "the only one of its stable name");
      continue;
    }
    // Ambiguous: first exact names, then the set of functions using each,
    // then the order GCC numbered them in.
    const left = [...twins];
    const take = (p: ObjSymbol, match: (o: ObjSymbol) => boolean, how: string): boolean => {
      const i = left.findIndex(match);
      if (i < 0) return false;
      pair(p, left[i]!, how);
      left.splice(i, 1);
      return true;
    };
    const rest = list.filter((p) => !take(p, (o) => o.name === p.name && users(original, o) === users(patched, p), "same name, same users"));
    const rest2 = rest.filter((p) => !take(p, (o) => users(original, o) === users(patched, p), "same users"));
    for (const p of rest2) if (!take(p, () => true, "in GCC's numbering order")) trace(`\`${p.name}\`: no twin left in the original`);
  }

  const sections = new Map<ObjSection, ObjSection>();
  // Sections that hold a correlated symbol at offset 0 follow that symbol
  // (-ffunction-sections/-fdata-sections: one symbol, one section).
  for (const [p, o] of symbols) {
    if (p.section && o.section && p.value === 0 && o.value === 0 && !sections.has(p.section)) {
      sections.set(p.section, o.section);
    }
  }
  // The rest by stable name.
  const byName = new Map<string, ObjSection>();
  for (const s of original.sections) if (s.index !== 0 && !isRelocationSection(s.header)) byName.set(stableSectionName(s.name), s);
  const taken = new Set(sections.values());
  for (const s of patched.sections) {
    if (s.index === 0 || isRelocationSection(s.header) || sections.has(s)) continue;
    const twin = byName.get(stableSectionName(s.name));
    if (twin && !taken.has(twin)) {
      sections.set(s, twin);
      taken.add(twin);
    }
  }
  return { symbols, sections };
}
