// The module assembler (pipeline stage 6): the differ's intermediate object
// becomes a loadable livepatch module. References to what vmlinux exports
// stay ordinary relocations (the module loader resolves them); references to
// anything else become .klp.rela.vmlinux.<section> entries against
// .klp.sym.vmlinux.<name>,<sympos> symbols, which the livepatch core
// resolves through kallsyms when the patch is enabled.
import {
  findSectionByType,
  readRelocations,
  readSymbols,
  writeElf32,
  SHN_LIVEPATCH,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_GLOBAL,
  STB_LOCAL,
  STT_FILE,
  STT_FUNC,
  STT_SECTION,
  type ElfFile,
  type ElfSymbol,
} from "../../elf/index.ts";
import type { ObjectDiff } from "../diff/index.ts";
import { ElfBuilder } from "./builder.ts";
import { KlpModuleError } from "./errors.ts";
import type { KlpLayout } from "./layout.ts";
import { addInitExit, addKlpStructures, addModinfo, addThisModule, setModuleInitExit, type Callback, type PatchedFunction } from "./structures.ts";
import { KPATCH_CALLBACKS } from "../kpatch-macros.ts";
import { locate } from "./sympos.ts";
import type { VmlinuxSymbols } from "./vmlinux-symbols.ts";

export interface AssembleInput {
  diff: ObjectDiff;
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
  functions: { name: string; sympos: number; reason: string }[];
  references: ResolvedReference[];
}

export function assembleModule(input: AssembleInput): AssembledModule {
  const { diff, layout, vmlinux, exported } = input;
  const limit = layout.module.name_len - 1;
  if (!/^[A-Za-z0-9_]+$/.test(input.name) || input.name.length > limit) {
    throw new KlpModuleError("bad-name", `module name ${JSON.stringify(input.name)} must be letters, digits and _ (at most ${limit}): it becomes /sys/kernel/livepatch/<name>`);
  }
  const src = diff.elf;
  const symtabIndex = findSectionByType(src, SHT_SYMTAB);
  const srcSymbols = readSymbols(src, symtabIndex);
  const b = new ElfBuilder();

  // Sections the differ included, in order.
  const sectionMap = new Map<number, number>();
  src.sections.forEach((s, i) => {
    if (i === 0 || s.type === SHT_REL || s.type === SHT_RELA || s.type === SHT_SYMTAB || s.type === SHT_STRTAB) return;
    sectionMap.set(i, b.addSection({ ...s, data: s.data.slice() }));
  });

  // Symbols. Externals: exported ones stay undefined for the loader, the
  // rest become livepatch symbols with their kallsyms position.
  const externals = new Map(diff.externals.map((e) => [e.index, e]));
  const references: ResolvedReference[] = [];
  const livepatchSymbols = new Set<number>();
  const symbolMap = new Map<number, number>();
  for (const s of srcSymbols) {
    if (s.index === 0) continue;
    const ext = externals.get(s.index);
    if (s.shndx === SHN_UNDEF && ext) {
      if (ext.exported || (!ext.local && exported.has(ext.name))) {
        references.push({ name: ext.name, how: "exported", sympos: 0 });
        symbolMap.set(s.index, b.addSymbol({ ...s, bind: STB_GLOBAL }));
        continue;
      }
      const where = locate(vmlinux, ext.name, ext.local, diff.file, diff.localSymbols);
      references.push({ name: ext.name, how: "livepatch", sympos: where.sympos });
      const at = b.addSymbol({ ...s, name: `.klp.sym.vmlinux.${ext.name},${where.sympos}`, bind: STB_GLOBAL, shndx: SHN_LIVEPATCH });
      livepatchSymbols.add(at);
      symbolMap.set(s.index, at);
      continue;
    }
    const shndx = s.shndx !== SHN_UNDEF && s.shndx < SHN_LORESERVE ? sectionMap.get(s.shndx) : s.shndx;
    if (shndx === undefined) continue; // a symbol of a dropped section (none expected)
    // Included code is private to the patch: local, so it can never clash
    // with, or be mistaken for, the vmlinux symbol it replaces.
    symbolMap.set(s.index, b.addSymbol({ ...s, shndx, bind: s.type === STT_SECTION || s.type === STT_FILE ? s.bind : STB_LOCAL }));
  }

  // Relocations: against livepatch symbols -> .klp.rela (RELA), others REL.
  src.sections.forEach((rel) => {
    if (rel.type !== SHT_REL && rel.type !== SHT_RELA) return;
    if (rel.link !== symtabIndex) return;
    const target = sectionMap.get(rel.info);
    if (target === undefined) return;
    for (const r of readRelocations(rel, rel.type === SHT_REL ? src.sections[rel.info] : undefined)) {
      const symbol = symbolMap.get(r.symbol);
      if (symbol === undefined) throw new KlpModuleError("layout", `relocation in ${rel.name} names symbol ${r.symbol}, which was dropped`);
      const livepatch = livepatchSymbols.has(symbol);
      // Replacement code is copied into the function by apply_alternatives()
      // when the module loads, before the livepatch core resolves .klp.rela
      // entries: a livepatch relocation there would be copied unresolved.
      if (livepatch && src.sections[rel.info].name === ".altinstr_replacement") {
        const name = b.symbols[symbol].name;
        throw new KlpModuleError(
          "unresolved-symbol",
          `a CPU-feature alternative in the patched code refers to ${name.replace(/^\.klp\.sym\.vmlinux\.(.*),\d+$/, "`$1`")}, which vmlinux does not export; ` +
            `alternatives are applied before livepatch relocations, so this cannot work. Avoid the alternative (or the call) in the changed function.`,
          name,
        );
      }
      b.relocate(target, { ...r, symbol }, livepatch);
    }
  });

  // The patched functions: klp_func entries.
  const functions: AssembledModule["functions"] = [];
  const funcs: PatchedFunction[] = diff.changedFunctions.map((f) => {
    const src = srcSymbols.find((s) => s.name === f.name && s.type === STT_FUNC && s.shndx !== SHN_UNDEF);
    const newFunc = src ? symbolMap.get(src.index) : undefined;
    if (newFunc === undefined) throw new KlpModuleError("layout", `the differ's object lacks the new \`${f.name}\``, f.name);
    const where = locate(vmlinux, f.name, f.local, diff.file, diff.localSymbols);
    functions.push({ name: f.name, sympos: where.sympos, reason: f.reason });
    return { oldName: f.name, old_sympos: where.sympos, newFunc };
  });

  const mod = addThisModule(b, layout, input.name);
  const patch = addKlpStructures(b, layout, funcs, mod.symbol, input.replace === true, callbacksOf(src, srcSymbols, symbolMap, layout));
  const { init, exit } = addInitExit(b, patch);
  setModuleInitExit(b, layout, mod.section, init, exit);
  addModinfo(b, { license: "GPL", livepatch: "Y", name: input.name, vermagic: layout.vermagic });

  const elf = b.build(src.header);
  return { bytes: writeElf32(elf, { rebuildShstrtab: true }), elf, functions, references };
}

/**
 * kpatch-macros.h's callbacks: each KPATCH_*_CALLBACK leaves a pointer
 * variable with a fixed name whose only content is a relocation to the
 * callback. The function it points to goes into klp_object.callbacks.
 */
function callbacksOf(src: ElfFile, symbols: readonly ElfSymbol[], symbolMap: ReadonlyMap<number, number>, layout: KlpLayout): Callback[] {
  const found: Callback[] = [];
  for (const [variable, field] of Object.entries(KPATCH_CALLBACKS)) {
    const v = symbols.find((s) => s.name === variable && s.shndx !== SHN_UNDEF && s.shndx < SHN_LORESERVE);
    if (!v) continue;
    if (!layout.klp_callbacks || layout.klp_object.callbacks === undefined) {
      throw new KlpModuleError("layout", `the patch uses ${variable.replace(/^__kpatch_(.*)_callback$/, "KPATCH_$1_CALLBACK").toUpperCase()}, but this image's klp-layout.json does not measure klp_object.callbacks: rebuild the images`, variable);
    }
    const rel = src.sections.find((r) => (r.type === SHT_REL || r.type === SHT_RELA) && r.info === v.shndx);
    const r = rel && readRelocations(rel, rel.type === SHT_REL ? src.sections[v.shndx] : undefined).find((x) => x.offset === v.value);
    const symbol = r && symbolMap.get(r.symbol);
    if (!r || symbol === undefined) throw new KlpModuleError("layout", `${variable} does not point to a function of the patch`, variable);
    found.push({ offset: layout.klp_object.callbacks + layout.klp_callbacks[field], symbol, addend: r.addend });
  }
  return found;
}
