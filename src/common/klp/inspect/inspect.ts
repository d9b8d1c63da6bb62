// `klp inspect`: what a livepatch module carries, read back from its bytes.
// The klp structures are found the way the kernel finds them: init_module
// hands a klp_patch to klp_enable_patch, the patch points at its klp_objects,
// each object at its klp_funcs; every pointer is a relocation, so this works
// for modules built by GCC (the kernel's samples, kpatch) as well as ours.
import {
  findSectionByType,
  parseElf32,
  readRelocations,
  readSymbols,
  tryReadString,
  R_386_32,
  R_386_PC32,
  R_386_PLT32,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_RELA_LIVEPATCH,
  SHF_WRITE,
  SHN_LIVEPATCH,
  SHN_UNDEF,
  SHT_REL,
  SHT_RELA,
  SHT_SYMTAB,
  STT_FUNC,
  STT_SECTION,
  type ElfFile,
  type ElfSymbol,
} from "../../elf/index.ts";
import type { KlpLayout } from "../module/layout.ts";

export interface InspectedFunction {
  /** The klp_object's name: "vmlinux" or a module's. */
  object: string;
  oldName: string;
  oldSympos: number;
  /** The module's function that replaces it. */
  newFunc: string;
}

export interface InspectedCallback {
  object: string;
  kind: "pre_patch" | "post_patch" | "pre_unpatch" | "post_unpatch";
  function: string;
}

export interface InspectedKlpRela {
  /** The .klp.rela.<object>.<section> section. */
  section: string;
  /** Where it applies: the section and, when one covers it, the function plus offset. */
  place: string;
  offset: number;
  type: string;
  /** The .klp.sym symbol's parts: .klp.sym.<object>.<name>,<sympos>. */
  target: { object: string; name: string; sympos: number };
  addend: number;
}

export interface InspectedSection {
  name: string;
  size: number;
  /** Entries, for the kernel tables whose entry size is known. */
  entries?: number;
  purpose: string;
}

export interface ModuleInspection {
  name: string;
  modinfo: Record<string, string>;
  /** klp_patch.replace. */
  replace: boolean;
  functions: InspectedFunction[];
  callbacks: InspectedCallback[];
  klpRelocations: InspectedKlpRela[];
  /** Symbols the module loader resolves against vmlinux's exports. */
  exportedReferences: string[];
  specialSections: InspectedSection[];
  size: { file: number; loaded: number; text: number };
}

export class InspectError extends Error {
  override readonly name = "InspectError";
}

const RELOCATION_NAMES: Record<number, string> = { [R_386_32]: "R_386_32", [R_386_PC32]: "R_386_PC32", [R_386_PLT32]: "R_386_PLT32" };

/** A pointer inside the module: a section and an offset in it. */
interface Pointer {
  section: number;
  offset: number;
  symbol: ElfSymbol;
}

export function inspectModule(bytes: Uint8Array, layout: KlpLayout): ModuleInspection {
  const elf = parseElf32(bytes);
  const symtab = findSectionByType(elf, SHT_SYMTAB);
  if (symtab < 0) throw new InspectError("the module has no symbol table: is it a kernel module (.ko)?");
  const symbols = readSymbols(elf, symtab);
  const relocs = relocationsByPlace(elf, symbols);
  const pointer = (section: number, offset: number): Pointer | undefined => relocs.get(section)?.get(offset);
  const u32 = (section: number, offset: number): number => {
    const d = elf.sections[section]!.data;
    return offset + 4 <= d.length ? new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(offset, true) : 0;
  };
  const string = (p: Pointer | undefined): string | undefined => (p ? tryReadString(elf.sections[p.section]!.data, p.offset) : undefined);
  const named = (p: Pointer): string => {
    if (p.symbol.type !== STT_SECTION && p.symbol.name) return p.symbol.name;
    return nameAt(symbols, p.section, p.offset) ?? `${elf.sections[p.section]!.name}+${p.offset}`;
  };

  const modinfo = readModinfo(elf);
  const patch = findPatch(elf, symbols, relocs);
  const functions: InspectedFunction[] = [];
  const callbacks: InspectedCallback[] = [];
  let replace = false;
  if (patch) {
    replace = elf.sections[patch.section]!.data[patch.offset + layout.klp_patch.replace] === 1;
    const objs = pointer(patch.section, patch.offset + layout.klp_patch.objs);
    const O = layout.klp_object;
    const F = layout.klp_func;
    // The arrays end with a zeroed entry: no funcs pointer, no old_name pointer.
    for (let o = objs?.offset ?? 0; objs && pointer(objs.section, o + O.funcs); o += O.size) {
      const object = string(pointer(objs.section, o + O.name)) ?? "vmlinux";
      const funcs = pointer(objs.section, o + O.funcs)!;
      for (let f = funcs.offset; pointer(funcs.section, f + F.old_name); f += F.size) {
        const newFunc = pointer(funcs.section, f + F.new_func);
        functions.push({
          object,
          oldName: string(pointer(funcs.section, f + F.old_name)) ?? "?",
          oldSympos: u32(funcs.section, f + F.old_sympos),
          newFunc: newFunc ? named(newFunc) : "?",
        });
      }
      if (O.callbacks !== undefined && layout.klp_callbacks) {
        for (const kind of ["pre_patch", "post_patch", "pre_unpatch", "post_unpatch"] as const) {
          const fn = pointer(objs.section, o + O.callbacks + layout.klp_callbacks[kind]);
          if (fn) callbacks.push({ object, kind, function: named(fn) });
        }
      }
    }
  }

  const klpRelocations: InspectedKlpRela[] = [];
  elf.sections.forEach((s) => {
    if (s.type !== SHT_RELA || !(s.flags & SHF_RELA_LIVEPATCH)) return;
    for (const r of readRelocations(s)) {
      const sym = symbols[r.symbol];
      const m = sym && /^\.klp\.sym\.([^.]+)\.(.+),(\d+)$/.exec(sym.name);
      if (!sym || !m) throw new InspectError(`${s.name}: entry at offset ${r.offset} names ${sym ? `\`${sym.name}\`` : `symbol ${r.symbol}`}, not a .klp.sym.<object>.<name>,<sympos> symbol`);
      klpRelocations.push({
        section: s.name,
        place: placeName(elf, symbols, s.info, r.offset),
        offset: r.offset,
        type: RELOCATION_NAMES[r.type] ?? `type ${r.type}`,
        target: { object: m[1]!, name: m[2]!, sympos: Number(m[3]) },
        addend: r.addend,
      });
    }
  });

  const exportedReferences = [...new Set(symbols.filter((s) => s.index !== 0 && s.shndx === SHN_UNDEF && s.name !== "").map((s) => s.name))].sort();
  let loaded = 0;
  let text = 0;
  for (const s of elf.sections) {
    if (!(s.flags & SHF_ALLOC)) continue;
    loaded += s.size;
    if (s.flags & SHF_EXECINSTR) text += s.size;
  }
  return {
    name: modinfo.name ?? thisModuleName(elf, layout) ?? "?",
    modinfo,
    replace,
    functions,
    callbacks,
    klpRelocations,
    exportedReferences,
    specialSections: specialSectionsOf(elf, layout),
    size: { file: bytes.length, loaded, text },
  };
}

/** Every relocation of the module (REL and RELA, livepatch ones too) by the place it patches. */
function relocationsByPlace(elf: ElfFile, symbols: ElfSymbol[]): Map<number, Map<number, Pointer>> {
  const out = new Map<number, Map<number, Pointer>>();
  elf.sections.forEach((s) => {
    if (s.type !== SHT_REL && s.type !== SHT_RELA) return;
    const target = elf.sections[s.info];
    if (!target) return;
    let map = out.get(s.info);
    if (!map) out.set(s.info, (map = new Map()));
    for (const r of readRelocations(s, s.type === SHT_REL ? target : undefined)) {
      const symbol = symbols[r.symbol];
      if (!symbol) continue;
      // Where it points inside the module; undefined targets keep section 0.
      const inside = symbol.shndx !== SHN_UNDEF && symbol.shndx !== SHN_LIVEPATCH && symbol.shndx < elf.sections.length;
      map.set(r.offset, { section: inside ? symbol.shndx : 0, offset: inside ? symbol.value + r.addend : r.addend, symbol });
    }
  });
  return out;
}

/** The klp_patch: the writable data init_module points at last before it calls klp_enable_patch. */
function findPatch(elf: ElfFile, symbols: ElfSymbol[], relocs: Map<number, Map<number, Pointer>>): Pointer | undefined {
  const init = symbols.find((s) => s.name === "init_module" && s.type === STT_FUNC && s.shndx !== SHN_UNDEF);
  const code = init && relocs.get(init.shndx);
  if (!init || !code) return undefined;
  const end = init.value + Math.max(init.size, 1);
  let candidate: Pointer | undefined;
  for (const [offset, p] of [...code].sort((a, b) => a[0] - b[0])) {
    if (offset < init.value || offset >= end) continue;
    if (p.symbol.name === "klp_enable_patch") return candidate;
    if (p.section !== 0 && elf.sections[p.section]!.flags & SHF_WRITE) candidate = p;
  }
  return candidate;
}

function readModinfo(elf: ElfFile): Record<string, string> {
  const out: Record<string, string> = {};
  const s = elf.sections.find((x) => x.name === ".modinfo");
  if (!s) return out;
  for (const entry of new TextDecoder().decode(s.data).split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

function thisModuleName(elf: ElfFile, layout: KlpLayout): string | undefined {
  const s = elf.sections.find((x) => x.name === ".gnu.linkonce.this_module");
  return s ? tryReadString(s.data, layout.module.name) || undefined : undefined;
}

/** The named symbol that covers `offset` in `section`. */
function nameAt(symbols: ElfSymbol[], section: number, offset: number): string | undefined {
  const hit = symbols.find((s) => s.shndx === section && s.type !== STT_SECTION && s.name !== "" && offset >= s.value && offset < s.value + Math.max(s.size, 1));
  return hit && (hit.value === offset ? hit.name : `${hit.name}+0x${(offset - hit.value).toString(16)}`);
}

function placeName(elf: ElfFile, symbols: ElfSymbol[], section: number, offset: number): string {
  return nameAt(symbols, section, offset) ?? `${elf.sections[section]?.name ?? `section ${section}`}+0x${offset.toString(16)}`;
}

/** Kernel tables and other sections the loader treats specially, with their entry counts where known. */
function specialSectionsOf(elf: ElfFile, layout: KlpLayout): InspectedSection[] {
  const known: Record<string, { entry?: number; purpose: string }> = {
    __bug_table: { entry: layout.bug_entry.size, purpose: "WARN()/BUG() sites" },
    __ex_table: { entry: layout.exception_table_entry.size, purpose: "user-access fault fixups" },
    ".altinstructions": { entry: layout.alt_instr.size, purpose: "CPU-feature alternatives" },
    ".altinstr_replacement": { purpose: "replacement code of the alternatives" },
    ".altinstr_aux": { purpose: "alternatives' fallback code" },
    __mcount_loc: { entry: 4, purpose: "ftrace call sites (one per traceable function)" },
    __jump_table: { purpose: "static keys (jump labels)" },
    ".static_call_sites": { purpose: "static call sites" },
    ".smp_locks": { entry: 4, purpose: "LOCK prefixes to patch out on UP" },
    ".parainstructions": { purpose: "paravirt patch sites" },
    ".retpoline_sites": { entry: 4, purpose: "retpoline call sites" },
    ".return_sites": { entry: 4, purpose: "return thunk sites" },
    __patchable_function_entries: { entry: 4, purpose: "patchable function entries" },
  };
  const out: InspectedSection[] = [];
  for (const s of elf.sections) {
    const k = known[s.name];
    if (!k) continue;
    out.push({ name: s.name, size: s.size, purpose: k.purpose, ...(k.entry ? { entries: Math.floor(s.size / k.entry) } : {}) });
  }
  return out;
}
