// Phase 5 (emit): the intermediate object. Only the included sections, with
// their relocations rewritten to point either at symbols the object now
// defines or at undefined symbols named as in vmlinux (the original
// object's names: a static the compiler renumbered keeps its old name).
import {
  encodeRel,
  encodeSymbols,
  writeImplicitAddend,
  SHN_UNDEF,
  SHT_REL,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_GLOBAL,
  STB_LOCAL,
  STT_FILE,
  STT_NOTYPE,
  STT_SECTION,
  SHN_ABS,
  type ElfFile,
  type ElfRelocation,
  type ElfSection,
  type ElfSymbolInput,
} from "../../elf/index.ts";
import type { Classification } from "./classify.ts";
import type { Correlation } from "./correlate.ts";
import type { Inclusion } from "./include.ts";
import type { ObjectModel, ObjRelocation, ObjSection, ObjSymbol } from "./model.ts";
import { resolveReference } from "./references.ts";
import type { ExternalSymbol } from "./types.ts";

export interface Emitted {
  elf: ElfFile;
  externals: ExternalSymbol[];
}

interface OutSection {
  source: ObjSection;
  header: ElfSection;
  relocations: readonly ObjRelocation[];
}

export function emit(
  patched: ObjectModel,
  corr: Correlation,
  cls: Classification,
  inc: Inclusion,
  exported: ReadonlySet<string>,
): Emitted {
  const out: OutSection[] = [];
  for (const s of patched.sections) {
    if (inc.sections.has(s)) out.push({ source: s, header: { ...s.header, data: s.header.data.slice(), nameIndex: undefined }, relocations: s.relocations });
  }
  for (const f of inc.filtered) {
    out.push({ source: f.source, header: { ...f.source.header, data: f.data, size: f.data.length, nameIndex: undefined }, relocations: f.relocations });
  }
  const sectionIndex = new Map<ObjSection, number>(out.map((o, i) => [o.source, i + 1]));

  // Symbols: null, the file, section symbols, defined symbols, then externals.
  const symbols: ElfSymbolInput[] = [{ name: "", value: 0, size: 0, bind: 0, type: 0, visibility: 0, shndx: 0 }];
  symbols.push({ name: patched.file, value: 0, size: 0, bind: STB_LOCAL, type: STT_FILE, visibility: 0, shndx: SHN_ABS });
  const sectionSymbol = new Map<ObjSection, number>();
  out.forEach((o, i) => {
    sectionSymbol.set(o.source, symbols.length);
    symbols.push({ name: "", value: 0, size: 0, bind: STB_LOCAL, type: STT_SECTION, visibility: 0, shndx: i + 1 });
  });
  const defined = new Map<ObjSymbol, number>();
  for (const o of out) {
    if (!inc.sections.has(o.source)) continue; // filtered special sections define nothing
    for (const s of o.source.symbols) {
      const changed = cls.patched.get(s);
      defined.set(s, symbols.length);
      symbols.push({
        name: changed ? changed.name : s.name,
        value: s.value,
        size: s.size,
        bind: s.bind,
        type: s.type,
        visibility: s.visibility,
        shndx: sectionIndex.get(o.source)!,
      });
    }
  }
  const externals: ExternalSymbol[] = [];
  const externalByName = new Map<string, number>();
  const external = (s: ObjSymbol): number => {
    const twin = corr.symbols.get(s);
    const name = twin ? twin.name : s.name;
    let at = externalByName.get(name);
    if (at === undefined) {
      at = symbols.length;
      externalByName.set(name, at);
      symbols.push({ name, value: 0, size: 0, bind: STB_GLOBAL, type: STT_NOTYPE, visibility: 0, shndx: SHN_UNDEF });
      const local = twin ? twin.bind === STB_LOCAL : false;
      externals.push({ index: at, name, local, exported: !local && exported.has(name) });
    }
    return at;
  };

  // Relocations, against the new symbol indexes (pre-encoding order).
  const relocs: ElfRelocation[][] = out.map((o) =>
    o.relocations.map((r) => {
      const ref = resolveReference(r);
      let symbol: number;
      let addend: number;
      if (ref.kind === "symbol") {
        const d = defined.get(ref.symbol);
        symbol = d ?? external(ref.symbol);
        addend = ref.addend;
      } else {
        symbol = sectionSymbol.get(ref.section)!;
        addend = r.addend;
      }
      return { offset: r.offset, type: r.type, symbol, addend };
    }),
  );

  const encoded = encodeSymbols(symbols);
  for (const e of externals) e.index = encoded.indexMap[e.index];
  const sections: ElfSection[] = [{ name: "", type: 0, flags: 0, addr: 0, offset: 0, size: 0, link: 0, info: 0, addralign: 0, entsize: 0, data: new Uint8Array(0) }];
  sections.push(...out.map((o) => o.header));
  const symtabIndex = sections.length + out.filter((_, i) => relocs[i].length > 0).length;
  out.forEach((o, i) => {
    if (relocs[i].length === 0) return;
    for (const r of relocs[i]) writeImplicitAddend(o.header, r.offset, r.type, r.addend);
    const data = encodeRel(relocs[i].map((r) => ({ ...r, symbol: encoded.indexMap[r.symbol] })));
    sections.push({ name: `.rel${o.header.name}`, type: SHT_REL, flags: 0x40, addr: 0, offset: 0, size: data.length, link: symtabIndex, info: i + 1, addralign: 4, entsize: 8, data });
  });
  sections.push({ name: ".symtab", type: SHT_SYMTAB, flags: 0, addr: 0, offset: 0, size: encoded.symtab.length, link: symtabIndex + 1, info: encoded.firstGlobal, addralign: 4, entsize: 16, data: encoded.symtab });
  sections.push({ name: ".strtab", type: SHT_STRTAB, flags: 0, addr: 0, offset: 0, size: encoded.strtab.length, link: 0, info: 0, addralign: 1, entsize: 0, data: encoded.strtab });
  sections.push({ name: ".shstrtab", type: SHT_STRTAB, flags: 0, addr: 0, offset: 0, size: 0, link: 0, info: 0, addralign: 1, entsize: 0, data: new Uint8Array(0) });
  const elf: ElfFile = { header: { ...patched.elf.header, shstrndx: sections.length - 1 }, sections };
  return { elf, externals };
}
