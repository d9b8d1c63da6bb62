// Phase 1 (load): an ELF32 relocatable object as a graph the later phases
// can walk: sections with their relocations resolved to symbol objects, and
// symbols linked to the section that holds them.
import {
  findSectionByType,
  readRelocations,
  readSymbols,
  R_386_PC32,
  R_386_PLT32,
  SHF_EXECINSTR,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
  STT_FILE,
  STT_SECTION,
  type ElfFile,
  type ElfSection,
  type ElfSymbol,
} from "../../elf/index.ts";
import { KlpDiffError } from "./errors.ts";

export interface ObjSymbol extends ElfSymbol {
  /** The section that defines it; undefined for UND/ABS/COMMON symbols. */
  section: ObjSection | undefined;
}

export interface ObjRelocation {
  offset: number;
  type: number;
  symbol: ObjSymbol;
  /** Explicit (RELA) or implicit (REL, read from the patched place) addend. */
  addend: number;
  /**
   * What to add to the addend to get the target's offset: 4 for i386
   * PC-relative relocations in code (the field is the last 4 bytes of a
   * call/jmp, so the assembler stores target - 4), 0 everywhere else
   * (PC-relative table entries like __ex_table store the target itself).
   */
  bias: number;
}

export interface ObjSection {
  index: number;
  name: string;
  header: ElfSection;
  /** Relocations that apply to this section, sorted by offset. */
  relocations: ObjRelocation[];
  /** The STT_SECTION symbol, when the assembler emitted one. */
  sectionSymbol: ObjSymbol | undefined;
  /** Named symbols (functions, objects, labels) defined in this section. */
  symbols: ObjSymbol[];
}

export interface ObjectModel {
  elf: ElfFile;
  sections: ObjSection[];
  symbols: ObjSymbol[];
  /** The first STT_FILE symbol's name (e.g. "cmdline.c"): how vmlinux's symtab groups this object's statics. */
  file: string;
}

/** Relocation sections are not sections of their own in the model; these are their targets' lists. */
export function isRelocationSection(s: ElfSection): boolean {
  return s.type === SHT_REL || s.type === SHT_RELA;
}

/** Sections that hold the object's own bookkeeping (symbols, names, relocations), never code or data a symbol can live in. */
function isMetadata(s: ElfSection): boolean {
  return isRelocationSection(s) || s.type === SHT_SYMTAB || s.type === SHT_STRTAB;
}

export function loadObject(elf: ElfFile, label: string): ObjectModel {
  const symtabIndex = findSectionByType(elf, SHT_SYMTAB);
  if (symtabIndex < 0) throw new KlpDiffError("malformed-object", `${label} has no symbol table`);
  const sections: ObjSection[] = elf.sections.map((header, index) => ({
    index,
    name: header.name,
    header,
    relocations: [],
    sectionSymbol: undefined,
    symbols: [],
  }));
  const symbols: ObjSymbol[] = readSymbols(elf, symtabIndex).map((s) => ({
    ...s,
    section: s.shndx !== SHN_UNDEF && s.shndx < SHN_LORESERVE ? sections[s.shndx] : undefined,
  }));
  let file = "";
  for (const s of symbols) {
    if (s.type === STT_FILE && file === "") file = s.name;
    if (s.shndx !== SHN_UNDEF && s.shndx < SHN_LORESERVE && (!s.section || isMetadata(s.section.header))) {
      throw new KlpDiffError("malformed-object", `${label}: symbol \`${s.name}\` is defined in ${s.section ? `${s.section.name}, a ${s.section.header.type === SHT_SYMTAB ? "symbol table" : "relocation or string table"}` : `missing section ${s.shndx}`}`);
    }
    if (!s.section) continue;
    if (s.type === STT_SECTION) s.section.sectionSymbol = s;
    else if (s.name !== "") s.section.symbols.push(s);
  }
  for (const header of elf.sections) {
    if (!isRelocationSection(header) || header.link !== symtabIndex) continue;
    const target = sections[header.info];
    if (!target || header.info === 0 || isMetadata(target.header)) throw new KlpDiffError("malformed-object", `${label}: ${header.name} applies to missing section ${header.info}`);
    for (const r of readRelocations(header, header.type === SHT_REL ? target.header : undefined)) {
      const symbol = symbols[r.symbol];
      if (!symbol) throw new KlpDiffError("malformed-object", `${label}: ${header.name} names missing symbol ${r.symbol}`);
      const bias = (r.type === R_386_PC32 || r.type === R_386_PLT32) && target.header.flags & SHF_EXECINSTR ? 4 : 0;
      target.relocations.push({ offset: r.offset, type: r.type, symbol, addend: r.addend, bias });
    }
    target.relocations.sort((a, b) => a.offset - b.offset);
  }
  return { elf, sections, symbols, file };
}

/** The function or object symbol that covers `offset` in `section`, if any. */
export function symbolAt(section: ObjSection, offset: number): ObjSymbol | undefined {
  let best: ObjSymbol | undefined;
  for (const s of section.symbols) {
    const inside = s.size > 0 ? offset >= s.value && offset < s.value + s.size : offset === s.value;
    if (inside && (!best || s.size > best.size)) best = s;
  }
  return best;
}
