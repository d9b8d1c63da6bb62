// Phase 5 (emit): the intermediate object. Only the included sections, with
// their relocations rewritten to point either at symbols the object now
// defines or at undefined symbols named as in vmlinux (the original
// object's names: a static the compiler renumbered keeps its old name).
// Written with the module's ElfBuilder, so both end the same way.
import { ElfBuilder, SHN_ABS, SHN_UNDEF, STB_GLOBAL, STB_LOCAL, STT_FILE, STT_NOTYPE, type ElfFile } from "../../elf/index.ts";
import type { Classification } from "./classify.ts";
import type { Correlation } from "./correlate.ts";
import type { Inclusion } from "./include.ts";
import type { ObjectModel, ObjRelocation, ObjSection, ObjSymbol } from "./model.ts";
import { resolveReference } from "./references.ts";
import type { DiffTrace, ExternalSymbol } from "./types.ts";

export interface Emitted {
  elf: ElfFile;
  externals: ExternalSymbol[];
}

interface OutSection {
  source: ObjSection;
  /** Its index in the output. */
  index: number;
  relocations: readonly ObjRelocation[];
}

export function emit(
  patched: ObjectModel,
  corr: Correlation,
  cls: Classification,
  inc: Inclusion,
  exported: ReadonlySet<string>,
  trace: DiffTrace = () => undefined,
): Emitted {
  const b = new ElfBuilder();
  // Sections: the included ones in the object's order, then the filtered special sections.
  const out: OutSection[] = [];
  for (const s of patched.sections) {
    if (inc.sections.has(s)) out.push({ source: s, index: b.addSection({ ...s.header, data: s.header.data.slice() }), relocations: s.relocations });
  }
  for (const f of inc.filtered) {
    out.push({ source: f.source, index: b.addSection({ ...f.source.header, data: f.data, size: f.data.length }), relocations: f.relocations });
  }
  const sectionIndex = new Map<ObjSection, number>(out.map((o) => [o.source, o.index]));

  // Symbols: the file, section symbols, defined symbols, then externals.
  b.addSymbol({ name: patched.file, value: 0, size: 0, bind: STB_LOCAL, type: STT_FILE, visibility: 0, shndx: SHN_ABS });
  const sectionSymbol = new Map<ObjSection, number>();
  for (const o of out) sectionSymbol.set(o.source, b.sectionSymbol(o.index));
  const defined = new Map<ObjSymbol, number>();
  for (const o of out) {
    if (!inc.sections.has(o.source)) continue; // filtered special sections define nothing
    for (const s of o.source.symbols) {
      const changed = cls.patched.get(s);
      defined.set(s, b.addSymbol({ name: changed ? changed.name : s.name, value: s.value, size: s.size, bind: s.bind, type: s.type, visibility: s.visibility, shndx: sectionIndex.get(o.source)! }));
    }
  }
  const externals: ExternalSymbol[] = [];
  const externalByName = new Map<string, number>();
  const external = (s: ObjSymbol): number => {
    const twin = corr.symbols.get(s);
    const name = twin ? twin.name : s.name;
    let at = externalByName.get(name);
    if (at === undefined) {
      at = b.addSymbol({ name, value: 0, size: 0, bind: STB_GLOBAL, type: STT_NOTYPE, visibility: 0, shndx: SHN_UNDEF });
      externalByName.set(name, at);
      const local = twin ? twin.bind === STB_LOCAL : false;
      const isExported = !local && exported.has(name);
      externals.push({ index: at, name, local, exported: isExported });
      trace(`\`${name}\` stays in vmlinux: ${isExported ? "exported, the module loader resolves it" : `${local ? "a static" : "not exported"}, a livepatch relocation resolves it`}`);
    }
    return at;
  };

  // Relocations, against the new symbol indexes (the builder renumbers them when it encodes).
  for (const o of out) {
    for (const r of o.relocations) {
      const ref = resolveReference(r);
      const symbol = ref.kind === "symbol" ? (defined.get(ref.symbol) ?? external(ref.symbol)) : sectionSymbol.get(ref.section)!;
      b.relocate(o.index, { offset: r.offset, type: r.type, symbol, addend: ref.kind === "symbol" ? ref.addend : r.addend });
    }
  }

  const { elf, indexMap } = b.buildWithIndexes(patched.elf.header);
  for (const e of externals) e.index = indexMap[e.index]!;
  return { elf, externals };
}
