// A small relocatable-ELF builder: sections, symbols and relocations by
// index, encoded at the end (locals first, relocations renumbered, REL
// addends stored in place, RELA sections for livepatch relocations). The
// object differ's intermediate objects and the livepatch module are both
// made with it, so both end in the same .rel*/.symtab/.strtab/.shstrtab tail.
import { SHF_ALLOC, SHF_INFO_LINK, SHF_RELA_LIVEPATCH, SHT_NOBITS, SHT_REL, SHT_RELA, SHT_STRTAB, SHT_SYMTAB, STB_LOCAL, STT_SECTION } from "./constants.ts";
import { encodeRel, encodeRela, writeImplicitAddend, type ElfRelocation } from "./relocations.ts";
import { encodeSymbols, type ElfSymbolInput } from "./symbols.ts";
import type { ElfFile, ElfHeader, ElfSection } from "./types.ts";

export interface BuiltElf {
  elf: ElfFile;
  /** indexMap[i]: the symbol table index of the i-th symbol added (locals are moved first). */
  indexMap: number[];
}

export class ElfBuilder {
  readonly sections: ElfSection[] = [
    { name: "", type: 0, flags: 0, addr: 0, offset: 0, size: 0, link: 0, info: 0, addralign: 0, entsize: 0, data: new Uint8Array(0) },
  ];
  readonly symbols: ElfSymbolInput[] = [{ name: "", value: 0, size: 0, bind: 0, type: 0, visibility: 0, shndx: 0 }];
  /** Ordinary relocations, by target section index. */
  private readonly rel = new Map<number, ElfRelocation[]>();
  /** Livepatch relocations (applied by the livepatch core), by target section index. */
  private readonly klp = new Map<number, ElfRelocation[]>();
  private readonly sectionSymbols = new Map<number, number>();

  addSection(s: Omit<ElfSection, "offset" | "addr" | "size" | "link" | "info" | "entsize"> & Partial<ElfSection>): number {
    this.sections.push({ offset: 0, addr: 0, link: 0, info: 0, entsize: 0, ...s, size: s.size ?? s.data.length, nameIndex: undefined });
    return this.sections.length - 1;
  }

  /**
   * Appends another object's section of the same name to section `index`,
   * aligned as that section wants; returns the offset its bytes start at.
   */
  appendToSection(index: number, s: ElfSection): number {
    const t = this.sections[index]!;
    const align = Math.max(1, s.addralign);
    const base = Math.ceil(t.size / align) * align;
    let data = t.data;
    if (t.type !== SHT_NOBITS) {
      data = new Uint8Array(base + s.data.length);
      data.set(t.data);
      data.set(s.data, base);
    }
    this.sections[index] = { ...t, data, size: base + s.size, addralign: Math.max(t.addralign, s.addralign) };
    return base;
  }

  addSymbol(s: ElfSymbolInput): number {
    this.symbols.push(s);
    return this.symbols.length - 1;
  }

  /** The STT_SECTION symbol of a section, created on first use. */
  sectionSymbol(section: number): number {
    let at = this.sectionSymbols.get(section);
    if (at === undefined) {
      at = this.addSymbol({ name: "", value: 0, size: 0, bind: STB_LOCAL, type: STT_SECTION, visibility: 0, shndx: section });
      this.sectionSymbols.set(section, at);
    }
    return at;
  }

  relocate(section: number, r: ElfRelocation, livepatch = false): void {
    const map = livepatch ? this.klp : this.rel;
    let list = map.get(section);
    if (!list) map.set(section, (list = []));
    list.push(r);
  }

  build(header: ElfHeader): ElfFile {
    return this.buildWithIndexes(header).elf;
  }

  /**
   * Sections in the order added, then a .rel<name> (or, for livepatch
   * relocations, .klp.rela.vmlinux.<name>) per section with relocations, in
   * the order of their first relocation, then .symtab, .strtab, .shstrtab.
   */
  buildWithIndexes(header: ElfHeader): BuiltElf {
    const encoded = encodeSymbols(this.symbols);
    const sections: ElfSection[] = this.sections.map((s) => ({ ...s, data: s.data.slice() }));
    const relocationCount = [...this.rel.values(), ...this.klp.values()].filter((l) => l.length > 0).length;
    const symtabIndex = sections.length + relocationCount;
    const renumbered = (r: ElfRelocation): number => {
      const index = encoded.indexMap[r.symbol];
      // Every relocation was added through relocate(), whose symbols come from this builder.
      if (index === undefined) throw new Error(`ElfBuilder: a relocation at 0x${r.offset.toString(16)} names symbol ${r.symbol}, which this builder never added`);
      return index;
    };
    const renumber = (list: ElfRelocation[]): ElfRelocation[] => [...list].sort((a, b) => a.offset - b.offset).map((r) => ({ ...r, symbol: renumbered(r) }));
    for (const [target, list] of this.rel) {
      if (list.length === 0) continue;
      // REL: the addend lives in the place itself.
      for (const r of list) writeImplicitAddend(sections[target]!, r.offset, r.type, r.addend);
      const data = encodeRel(renumber(list));
      sections.push({ name: `.rel${sections[target]!.name}`, type: SHT_REL, flags: SHF_INFO_LINK, addr: 0, offset: 0, size: data.length, link: symtabIndex, info: target, addralign: 4, entsize: 8, data });
    }
    for (const [target, list] of this.klp) {
      if (list.length === 0) continue;
      // RELA, and the place must hold 0: the kernel checks, to catch a
      // relocation applied twice.
      for (const r of list) writeImplicitAddend(sections[target]!, r.offset, r.type, 0);
      const data = encodeRela(renumber(list));
      sections.push({
        name: `.klp.rela.vmlinux.${sections[target]!.name}`,
        type: SHT_RELA,
        flags: SHF_ALLOC | SHF_RELA_LIVEPATCH | SHF_INFO_LINK,
        addr: 0,
        offset: 0,
        size: data.length,
        link: symtabIndex,
        info: target,
        addralign: 4,
        entsize: 12,
        data,
      });
    }
    sections.push({ name: ".symtab", type: SHT_SYMTAB, flags: 0, addr: 0, offset: 0, size: encoded.symtab.length, link: symtabIndex + 1, info: encoded.firstGlobal, addralign: 4, entsize: 16, data: encoded.symtab });
    sections.push({ name: ".strtab", type: SHT_STRTAB, flags: 0, addr: 0, offset: 0, size: encoded.strtab.length, link: 0, info: 0, addralign: 1, entsize: 0, data: encoded.strtab });
    sections.push({ name: ".shstrtab", type: SHT_STRTAB, flags: 0, addr: 0, offset: 0, size: 0, link: 0, info: 0, addralign: 1, entsize: 0, data: new Uint8Array(0) });
    return { elf: { header: { ...header, shstrndx: sections.length - 1 }, sections }, indexMap: encoded.indexMap };
  }
}
