// Bytes of a function the kernel itself rewrites after linking: they cannot
// be expected to equal the object's, so run-pre matching skips them. Each
// comes from a table the object carries (or, for ftrace, from the call the
// table points at), found here per section of the object.
import { STT_FUNC, STT_SECTION } from "../../elf/index.ts";
import { DEFAULT_SPECIAL_SIZES, splitEntries, type SpecialSection } from "../diff/special.ts";
import type { ObjectModel, ObjRelocation, ObjSection } from "../diff/model.ts";
import type { StructLayout } from "../module/layout.ts";
import type { WildcardKind } from "./types.ts";

/** A rewritten range, as an offset in the object's section. */
export interface Wildcard {
  section: number;
  offset: number;
  length: number;
  why: WildcardKind;
}

/** A call or jmp rel32: what ftrace, static calls and long jump labels patch. */
const CALL_SIZE = 5;

/** The jump-label forms that are two bytes long: `jmp rel8` and the 2-byte NOP (66 90) the kernel swaps it with. */
function jumpLabelLength(code: Uint8Array, at: number): number {
  return code[at] === 0xeb || (code[at] === 0x66 && code[at + 1] === 0x90) ? 2 : CALL_SIZE;
}

interface SiteTable {
  /** The table's entries, split as the differ splits them. */
  table: SpecialSection;
  why: WildcardKind;
  /** How many bytes one entry's site covers, given the entry's bytes and the code the site is in. */
  length(entry: Uint8Array, code: Uint8Array, site: number): number;
}

function siteTables(altInstr: StructLayout & { instrlen?: number }): SiteTable[] {
  // struct alt_instr ends in `u8 instrlen; u8 replacementlen;` (6.12,
  // arch/x86/include/asm/alternative.h): when the layout does not measure
  // instrlen, it is the entry's second-to-last byte.
  const instrlen = altInstr.instrlen ?? altInstr.size - 2;
  const table = (name: string, entrySize: number, purpose: string): SpecialSection => ({ name, entrySize, ownerOffset: 0, purpose });
  return [
    // ftrace turns `call __fentry__` into a 5-byte NOP at boot, and into a call to its trampoline while a function is traced or patched.
    { table: table("__mcount_loc", 4, "ftrace call sites"), why: "ftrace", length: () => CALL_SIZE },
    // apply_alternatives() replaces the instrlen bytes of the original with the replacement (and NOP padding) when the CPU has the feature.
    { table: table(".altinstructions", altInstr.size, "CPU-feature alternatives"), why: "alternative", length: (entry) => entry[instrlen]! },
    // struct jump_entry { s32 code; s32 target; long key; }: a NOP or a jmp, 5 bytes or 2, flipped whenever the static key changes.
    { table: table("__jump_table", 12, "jump labels"), why: "jump-label", length: (_entry, code, site) => jumpLabelLength(code, site) },
    // struct static_call_site { s32 addr; s32 key; }: an inline static call's `call`, retargeted by static_call_update().
    { table: table(".static_call_sites", 8, "inline static calls"), why: "static-call", length: () => CALL_SIZE },
  ];
}

/**
 * runtime_const_ptr()/runtime_const_shift_right_32() (fs/dcache.c's
 * d_hash): one `.long 1b - size - .` per site in runtime_ptr_<sym> /
 * runtime_shift_<sym>, the immediate written once at boot.
 */
function runtimeConstLength(name: string): number | undefined {
  // sizeof(long) on i386; the shift count is an imm8.
  if (name.startsWith("runtime_ptr_")) return 4;
  if (name.startsWith("runtime_shift_")) return 1;
  return undefined;
}

/** Where a table entry's relocation points: a section of the object and an offset in it. */
function siteOf(r: ObjRelocation): { section: ObjSection; offset: number } | undefined {
  const section = r.symbol.section;
  if (!section) return undefined;
  // Table entries are data: no PC bias. A section symbol's value is 0, a function's is its offset.
  return { section, offset: (r.symbol.type === STT_SECTION ? 0 : r.symbol.value) + r.addend };
}

/** Every range of the object's code that the running kernel may have rewritten. */
export function rewrittenSites(model: ObjectModel, altInstr: StructLayout & { instrlen?: number } = { size: DEFAULT_SPECIAL_SIZES.altInstr, align: 1 }): Wildcard[] {
  const out: Wildcard[] = [];
  const add = (section: ObjSection, offset: number, length: number, why: WildcardKind) => {
    if (length > 0) out.push({ section: section.index, offset, length, why });
  };
  const tables = new Map(siteTables(altInstr).map((t) => [t.table.name, t]));
  for (const section of model.sections) {
    const t = tables.get(section.name);
    if (t) {
      for (const entry of splitEntries(section, t.table)) {
        const site = entry.owner && siteOf(entry.owner);
        if (!site) continue;
        add(site.section, site.offset, t.length(section.header.data.subarray(entry.offset, entry.offset + t.table.entrySize), site.section.header.data, site.offset), t.why);
      }
      continue;
    }
    const constant = runtimeConstLength(section.name);
    if (constant !== undefined) {
      for (const r of section.relocations) {
        const site = siteOf(r);
        if (site) add(site.section, site.offset, constant, "runtime-const");
      }
    }
    // DEFINE_STATIC_CALL's trampolines (__SCT__<name>): a `jmp` to the
    // current target, or a `ret`, rewritten by every static_call_update().
    if (section.name === ".static_call.text") {
      for (const fn of section.symbols) if (fn.type === STT_FUNC) add(section, fn.value, CALL_SIZE, "static-call");
    }
    // The call itself, in case a site is missing from __mcount_loc (a table this object lacks): the relocation is the call's rel32.
    for (const r of section.relocations) {
      if (r.symbol.name === "__fentry__" && r.offset >= 1) add(section, r.offset - 1, CALL_SIZE, "ftrace");
    }
  }
  return out;
}
