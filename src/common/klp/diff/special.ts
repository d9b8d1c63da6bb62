// Special sections: tables whose entries each belong to one function, so a
// live patch carries exactly the entries of the functions it includes. Every
// other section of this kind that points into an included function is
// refused by name (see include.ts), rather than silently dropped.
import { KlpDiffError } from "./errors.ts";
import type { ObjRelocation, ObjSection } from "./model.ts";

export interface SpecialSection {
  name: string;
  /** Bytes per entry (measured for our config by images/tools/klp-layout.c). */
  entrySize: number;
  /** Offset, inside an entry, of the relocation that names the owning function's code. */
  ownerOffset: number;
  /** What the kernel does with it; for error messages and docs. */
  purpose: string;
}

export interface SpecialSizes {
  bugEntry: number;
  exceptionTableEntry: number;
  altInstr: number;
}

/** Sizes for our i386 config (klp-layout.json): bug_entry 12, exception_table_entry 12, alt_instr 14. */
export const DEFAULT_SPECIAL_SIZES: SpecialSizes = { bugEntry: 12, exceptionTableEntry: 12, altInstr: 14 };

/** The special sections this differ supports. */
export function specialSections(sizes: SpecialSizes = DEFAULT_SPECIAL_SIZES): SpecialSection[] {
  return [
    // struct bug_entry { bug_addr, file, line, flags }: WARN/BUG sites. The
    // line lives here, not in the code, so moved lines never change a function.
    { name: "__bug_table", entrySize: sizes.bugEntry, ownerOffset: 0, purpose: "WARN()/BUG() sites" },
    // struct exception_table_entry { insn, fixup, data }, PC-relative: fixups for user accessors.
    { name: "__ex_table", entrySize: sizes.exceptionTableEntry, ownerOffset: 0, purpose: "user-access fault fixups" },
    // struct alt_instr { instr_offset, repl_offset, ... }: CPU-feature alternatives;
    // the replacement code in .altinstr_replacement comes along whole.
    { name: ".altinstructions", entrySize: sizes.altInstr, ownerOffset: 0, purpose: "CPU-feature alternatives" },
    // One address per traceable function: ftrace's list of __fentry__ call sites.
    { name: "__mcount_loc", entrySize: 4, ownerOffset: 0, purpose: "ftrace call sites" },
  ];
}

/** Sections that follow a special section wholesale when any of its entries is kept. */
export const COMPANION_SECTIONS: ReadonlyMap<string, readonly string[]> = new Map([
  [".altinstructions", [".altinstr_replacement", ".altinstr_aux"]],
]);

/**
 * Sections that may point at code but never need to follow it into a live
 * patch: compiler bookkeeping that the module loader discards, or tables that
 * only matter at boot (init code cannot be patched anyway).
 */
export function isIgnoredReferrer(name: string): boolean {
  return (
    isBootOnlyTable(name) ||
    name.startsWith(".discard.") ||
    name.startsWith(".debug_") ||
    name === ".eh_frame" ||
    name === ".export_symbol" ||
    name === ".comment" ||
    name.startsWith(".note") ||
    // kpatch-macros.h's marks (diff/marks.ts): read by the differ, never carried.
    name.startsWith(".kpatch.")
  );
}

/**
 * Tables read only while booting (initcalls, early params, CPU drivers):
 * a patch loads after boot, so their entries never matter to it.
 */
export function isBootOnlyTable(name: string): boolean {
  // Not .init.text: boot code may store a function's address somewhere that outlives it.
  return /^\.(initcall|con_initcall|exitcall|x86_cpu_dev\.init)/.test(name) || [".init.setup", ".init.data", ".init.rodata"].includes(name);
}

/** Sections holding ordinary code or data, as opposed to kernel tables. */
export function isRegularSection(name: string): boolean {
  return /^\.(text|data|rodata|bss|init\.|exit\.|ref\.|sched\.text|noinstr\.text|cpuidle\.text|entry\.text|head\.text|modinfo)/.test(name);
}

export interface SpecialEntry {
  /** Offset of the entry in its section. */
  offset: number;
  /** Relocations inside the entry, offsets relative to the section. */
  relocations: ObjRelocation[];
  /** The relocation at ownerOffset, naming the code the entry belongs to. */
  owner: ObjRelocation | undefined;
}

/** Splits a special section into its entries. */
export function splitEntries(section: ObjSection, special: SpecialSection): SpecialEntry[] {
  const size = section.header.size;
  if (size % special.entrySize !== 0) {
    throw new KlpDiffError("malformed-object", `${section.name} is ${size} bytes, not a multiple of its ${special.entrySize}-byte entries`, { section: section.name });
  }
  const entries: SpecialEntry[] = [];
  for (let offset = 0; offset < size; offset += special.entrySize) {
    const relocations = section.relocations.filter((r) => r.offset >= offset && r.offset < offset + special.entrySize);
    entries.push({ offset, relocations, owner: relocations.find((r) => r.offset === offset + special.ownerOffset) });
  }
  return entries;
}
