// The module assembler (pipeline stage 6): the differ's intermediate objects
// (one per changed kernel object) become one loadable livepatch module.
// References to what vmlinux exports stay ordinary relocations (the module loader resolves them); references to
// anything else become .klp.rela.vmlinux.<section> entries against
// .klp.sym.vmlinux.<name>,<sympos> symbols, which the livepatch core
// resolves through kallsyms when the patch is enabled.
import {
  findSectionByType,
  readRelocations,
  readSymbols,
  writeElf32,
  ElfBuilder,
  SHN_LIVEPATCH,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_GLOBAL,
  STB_LOCAL,
  STB_WEAK,
  STT_FILE,
  STT_FUNC,
  STT_SECTION,
  type ElfFile,
  type ElfSymbol,
} from "../../elf/index.ts";
import type { ObjectDiff } from "../diff/index.ts";
import { KlpModuleError } from "./errors.ts";
import type { KlpLayout } from "./layout.ts";
import { addInitExit, addKlpStructures, addModinfo, addThisModule, setModuleInitExit, type Callback, type PatchedFunction } from "./structures.ts";
import { KPATCH_CALLBACKS } from "../kpatch-macros.ts";
import { locate } from "./sympos.ts";
import type { VmlinuxSymbols } from "./vmlinux-symbols.ts";

export interface AssembleInput {
  /**
   * One differ result per changed object. All of them patch vmlinux, so
   * their functions go into one klp_object.
   */
  diffs: readonly ObjectDiff[];
  /** Module name: also the patch's name under /sys/kernel/livepatch. */
  name: string;
  layout: KlpLayout;
  vmlinux: VmlinuxSymbols;
  /** vmlinux's exports (Module.symvers). */
  exported: ReadonlySet<string>;
  /** klp_patch.replace (atomic replace: this patch supersedes every one loaded before it). Default false. */
  replace?: boolean;
}

export interface ResolvedReference {
  name: string;
  /** "exported": resolved by the module loader; "livepatch": by the livepatch core, through kallsyms. */
  how: "exported" | "livepatch";
  sympos: number;
}

export interface AssembledModule {
  bytes: Uint8Array;
  elf: ElfFile;
  /** `from`: the index in `diffs` of the object the function belongs to. */
  functions: { name: string; sympos: number; reason: string; from: number; forceUnsafe?: boolean }[];
  references: ResolvedReference[];
}

/** Where a symbol of one differ object ended up, and what relocations against it must add to their addend. */
interface Mapped {
  symbol: number;
  /** Non-zero for a section symbol of a section appended to a same-named one. */
  shift: number;
}

/** One differ object being copied into the module. */
interface Part {
  diff: ObjectDiff;
  src: ElfFile;
  symtabIndex: number;
  symbols: ElfSymbol[];
  /** Source section index -> the module's section and the offset its bytes start at. */
  sections: Map<number, { index: number; base: number }>;
  placed: Map<number, Mapped>;
}

/** A global one of the objects defines: another object's reference to it links here. */
interface DefinedGlobal {
  symbol: number;
  file: string;
  weak: boolean;
}

type PatchedFunctions = AssembledModule["functions"];

/** The module, in the order kpatch's create-klp-module builds one. */
export function assembleModule(input: AssembleInput): AssembledModule {
  const { diffs, layout, vmlinux, exported } = input;
  checkModuleName(input.name, layout);
  if (diffs.length === 0) throw new KlpModuleError("internal", "nothing to assemble: no changed object");
  const b = new ElfBuilder();
  const parts = diffs.map(openPart);
  mergeSections(b, parts);
  const globals = placeDefinedSymbols(b, parts);
  const { references, livepatchSymbols } = resolveReferences(b, parts, globals, vmlinux, exported);
  copyRelocations(b, parts, livepatchSymbols);
  const { functions, funcs } = patchedFunctions(parts, vmlinux);
  addPatchStructures(b, input, funcs, callbacksOf(parts, layout), functions);
  const elf = b.build(parts[0]!.src.header);
  return { bytes: writeElf32(elf, { rebuildShstrtab: true }), elf, functions, references };
}

function checkModuleName(name: string, layout: KlpLayout): void {
  const limit = layout.module.name_len - 1;
  if (!/^[A-Za-z0-9_]+$/.test(name) || name.length > limit) {
    throw new KlpModuleError("bad-module-name", `module name ${JSON.stringify(name)} must be letters, digits and _ (at most ${limit}): it becomes /sys/kernel/livepatch/<name>`);
  }
}

function openPart(diff: ObjectDiff): Part {
  const symtabIndex = findSectionByType(diff.elf, SHT_SYMTAB);
  return { diff, src: diff.elf, symtabIndex, symbols: readSymbols(diff.elf, symtabIndex), sections: new Map(), placed: new Map() };
}

/**
 * Sections. Same-named sections of several objects become one: the kernel
 * finds its tables (__bug_table, __ex_table, .altinstructions,
 * __mcount_loc, ...) by name and would read only one of two.
 */
function mergeSections(b: ElfBuilder, parts: readonly Part[]): void {
  const byName = new Map<string, number>();
  for (const part of parts) {
    part.src.sections.forEach((s, i) => {
      if (i === 0 || s.type === SHT_REL || s.type === SHT_RELA || s.type === SHT_SYMTAB || s.type === SHT_STRTAB) return;
      const key = `${s.name}\0${s.type}\0${s.flags}`;
      const at = byName.get(key);
      if (at !== undefined) {
        part.sections.set(i, { index: at, base: b.appendToSection(at, s) });
        return;
      }
      const index = b.addSection({ ...s, data: s.data.slice() });
      byName.set(key, index);
      part.sections.set(i, { index, base: 0 });
    });
  }
}

/**
 * Defined symbols. Included code is private to the patch: local, so it can
 * never clash with, or be mistaken for, the vmlinux symbol it replaces.
 * Globals are returned so another object's reference to a new function or
 * variable links to it.
 */
function placeDefinedSymbols(b: ElfBuilder, parts: readonly Part[]): Map<string, DefinedGlobal> {
  const definedGlobals = new Map<string, DefinedGlobal>();
  for (const part of parts) {
    for (const s of part.symbols) {
      if (s.index === 0 || s.shndx === SHN_UNDEF) continue;
      if (s.shndx >= SHN_LORESERVE) {
        part.placed.set(s.index, { symbol: b.addSymbol({ ...s }), shift: 0 });
        continue;
      }
      const where = part.sections.get(s.shndx);
      if (!where) continue; // a symbol of a dropped section (none expected)
      if (s.type === STT_SECTION) {
        part.placed.set(s.index, { symbol: b.sectionSymbol(where.index), shift: where.base });
        continue;
      }
      const symbol = b.addSymbol({ ...s, shndx: where.index, value: s.value + where.base, bind: s.type === STT_FILE ? s.bind : STB_LOCAL });
      part.placed.set(s.index, { symbol, shift: 0 });
      if (s.bind === STB_LOCAL) continue;
      const twin = definedGlobals.get(s.name);
      // As the linker does: a strong definition wins over a __weak one, two strong ones are an error.
      if (twin && !twin.weak && s.bind !== STB_WEAK) {
        throw new KlpModuleError("duplicate-symbol", `\`${s.name}\` is defined by both ${twin.file} and ${part.diff.file}: a global name can be defined once`, s.name);
      }
      if (!twin || twin.weak) definedGlobals.set(s.name, { symbol, file: part.diff.file, weak: s.bind === STB_WEAK });
    }
  }
  return definedGlobals;
}

/**
 * References. To a global another object of the patch defines: that
 * definition. Exported: undefined, for the module loader. The rest:
 * livepatch symbols with their kallsyms position, resolved when the patch is
 * enabled. One module symbol per target, whichever object refers to it.
 */
function resolveReferences(
  b: ElfBuilder,
  parts: readonly Part[],
  definedGlobals: ReadonlyMap<string, DefinedGlobal>,
  vmlinux: VmlinuxSymbols,
  exported: ReadonlySet<string>,
): { references: ResolvedReference[]; livepatchSymbols: Set<number> } {
  const references: ResolvedReference[] = [];
  const livepatchSymbols = new Set<number>();
  const externalSymbols = new Map<string, number>();
  const external = (key: string, add: () => number, how: ResolvedReference["how"], sympos: number, name = key): number => {
    let at = externalSymbols.get(key);
    if (at === undefined) {
      at = add();
      externalSymbols.set(key, at);
      references.push({ name, how, sympos });
    }
    return at;
  };
  for (const part of parts) {
    const externals = new Map(part.diff.externals.map((e) => [e.index, e]));
    for (const s of part.symbols) {
      if (s.index === 0 || s.shndx !== SHN_UNDEF) continue;
      const ext = externals.get(s.index);
      if (!ext) throw new KlpModuleError("internal", `${part.diff.file}: undefined symbol \`${s.name}\` is not among the differ's externals`, s.name);
      const defined = ext.local ? undefined : definedGlobals.get(ext.name);
      if (defined) {
        part.placed.set(s.index, { symbol: defined.symbol, shift: 0 });
        continue;
      }
      if (ext.exported || (!ext.local && exported.has(ext.name))) {
        part.placed.set(s.index, { symbol: external(ext.name, () => b.addSymbol({ ...s, bind: STB_GLOBAL }), "exported", 0), shift: 0 });
        continue;
      }
      const where = locate(vmlinux, ext.name, ext.local, part.diff.file, part.diff.localSymbols);
      const name = `.klp.sym.vmlinux.${ext.name},${where.sympos}`;
      const symbol = external(name, () => b.addSymbol({ ...s, name, bind: STB_GLOBAL, shndx: SHN_LIVEPATCH }), "livepatch", where.sympos, ext.name);
      livepatchSymbols.add(symbol);
      part.placed.set(s.index, { symbol, shift: 0 });
    }
  }
  return { references, livepatchSymbols };
}

/** Relocations: against livepatch symbols -> .klp.rela (RELA), others REL. */
function copyRelocations(b: ElfBuilder, parts: readonly Part[], livepatchSymbols: ReadonlySet<number>): void {
  for (const part of parts) {
    const { src } = part;
    src.sections.forEach((rel) => {
      if (rel.type !== SHT_REL && rel.type !== SHT_RELA) return;
      if (rel.link !== part.symtabIndex) return;
      const target = part.sections.get(rel.info);
      if (target === undefined) return;
      for (const r of readRelocations(rel, rel.type === SHT_REL ? src.sections[rel.info] : undefined)) {
        const m = part.placed.get(r.symbol);
        if (m === undefined) throw new KlpModuleError("internal", `relocation in ${rel.name} names symbol ${r.symbol}, which was dropped`);
        const livepatch = livepatchSymbols.has(m.symbol);
        // Replacement code is copied into the function by apply_alternatives()
        // when the module loads, before the livepatch core resolves .klp.rela
        // entries: a livepatch relocation there would be copied unresolved.
        if (livepatch && src.sections[rel.info]!.name === ".altinstr_replacement") {
          const name = b.symbols[m.symbol]!.name;
          throw new KlpModuleError(
            "alternative-unexported",
            `a CPU-feature alternative in the patched code refers to ${name.replace(/^\.klp\.sym\.vmlinux\.(.*),\d+$/, "`$1`")}, which vmlinux does not export; ` +
              `alternatives are applied before livepatch relocations, so this cannot work. Avoid the alternative (or the call) in the changed function.`,
            name,
          );
        }
        b.relocate(target.index, { ...r, offset: r.offset + target.base, symbol: m.symbol, addend: r.addend + m.shift }, livepatch);
      }
    });
  }
}

/** The patched functions: klp_func entries, all under the vmlinux klp_object. */
function patchedFunctions(parts: readonly Part[], vmlinux: VmlinuxSymbols): { functions: PatchedFunctions; funcs: PatchedFunction[] } {
  const functions: PatchedFunctions = [];
  const funcs: PatchedFunction[] = [];
  const patchedBy = new Map<string, string>();
  for (const [from, part] of parts.entries()) {
    for (const f of part.diff.changedFunctions) {
      const src = part.symbols.find((s) => s.name === f.name && s.type === STT_FUNC && s.shndx !== SHN_UNDEF);
      const newFunc = src ? part.placed.get(src.index)?.symbol : undefined;
      if (newFunc === undefined) throw new KlpModuleError("internal", `the differ's object for ${part.diff.file} lacks the new \`${f.name}\``, f.name);
      const where = locate(vmlinux, f.name, f.local, part.diff.file, part.diff.localSymbols);
      const key = `${f.name},${where.sympos}`;
      const twin = patchedBy.get(key);
      if (twin) throw new KlpModuleError("duplicate-symbol", `\`${f.name}\` is patched from both ${twin} and ${part.diff.file}`, f.name);
      patchedBy.set(key, part.diff.file);
      functions.push({ name: f.name, sympos: where.sympos, reason: f.reason, from, ...(f.forceUnsafe ? { forceUnsafe: true } : {}) });
      funcs.push({ oldName: f.name, old_sympos: where.sympos, newFunc });
    }
  }
  return { functions, funcs };
}

/** struct module, klp_patch/klp_object/klp_func, the module's init/exit and .modinfo. */
function addPatchStructures(b: ElfBuilder, input: AssembleInput, funcs: readonly PatchedFunction[], callbacks: Callback[], functions: PatchedFunctions): void {
  const { layout } = input;
  const mod = addThisModule(b, layout, input.name);
  const patch = addKlpStructures(b, layout, [...funcs], mod.symbol, input.replace === true, callbacks);
  const { init, exit } = addInitExit(b, patch);
  setModuleInitExit(b, layout, mod.section, init, exit);
  // KPATCH_FORCE_UNSAFE has no place in klp_func: recorded for the loader (and `modinfo`) to read.
  const forced = functions.filter((f) => f.forceUnsafe).map((f) => f.name);
  addModinfo(b, { license: "GPL", livepatch: "Y", name: input.name, vermagic: layout.vermagic, ...(forced.length ? { klp_force_unsafe: forced.join(",") } : {}) });
}

/**
 * kpatch-macros.h's callbacks: each KPATCH_*_CALLBACK leaves a pointer
 * variable with a fixed name whose only content is a relocation to the
 * callback. The function it points to goes into klp_object.callbacks, which
 * has one slot of each kind: two files setting the same one are refused.
 */
function callbacksOf(parts: readonly Part[], layout: KlpLayout): Callback[] {
  const found: Callback[] = [];
  const setBy = new Map<string, string>();
  for (const part of parts) {
    const { src } = part;
    for (const [variable, field] of Object.entries(KPATCH_CALLBACKS)) {
      const v = part.symbols.find((s) => s.name === variable && s.shndx !== SHN_UNDEF && s.shndx < SHN_LORESERVE);
      if (!v) continue;
      const macro = variable.replace(/^__kpatch_(.*)_callback$/, "KPATCH_$1_CALLBACK").toUpperCase();
      if (!layout.klp_callbacks || layout.klp_object.callbacks === undefined) {
        throw new KlpModuleError("layout-missing", `the patch uses ${macro}, but this image's klp-layout.json does not measure klp_object.callbacks: rebuild the images`, variable);
      }
      const twin = setBy.get(variable);
      if (twin) throw new KlpModuleError("duplicate-callback", `${macro} is used in both ${twin} and ${part.diff.file}: a patch has one callback of each kind`, variable);
      setBy.set(variable, part.diff.file);
      const rel = src.sections.find((r) => (r.type === SHT_REL || r.type === SHT_RELA) && r.info === v.shndx);
      const r = rel && readRelocations(rel, rel.type === SHT_REL ? src.sections[v.shndx] : undefined).find((x) => x.offset === v.value);
      const m = r && part.placed.get(r.symbol);
      if (!r || m === undefined) throw new KlpModuleError("bad-callback", `${variable} does not point to a function of the patch`, variable);
      found.push({ offset: layout.klp_object.callbacks + layout.klp_callbacks[field], symbol: m.symbol, addend: r.addend + m.shift });
    }
  }
  return found;
}
