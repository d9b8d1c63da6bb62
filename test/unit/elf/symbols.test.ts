import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  EM_386,
  ET_REL,
  ElfError,
  SHN_ABS,
  SHN_COMMON,
  SHN_LIVEPATCH,
  SHN_UNDEF,
  SHT_NULL,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_GLOBAL,
  STB_LOCAL,
  STB_WEAK,
  STT_FILE,
  STT_FUNC,
  STT_NOTYPE,
  STT_OBJECT,
  STT_SECTION,
  STV_DEFAULT,
  STV_HIDDEN,
  encodeSymbols,
  findSection,
  findSectionByType,
  findSymbol,
  parseElf32,
  readSymbols,
  writeElf32,
} from "../../../src/common/elf/index.ts";
import type { ElfFile, ElfSymbolInput } from "../../../src/common/elf/index.ts";

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../fixtures/elf/${name}`, import.meta.url)));

type Row = [name: string, value: number, size: number, type: number, bind: number, vis: number, shndx: number];

const sym = ([name, value, size, type, bind, visibility, shndx]: Row, index: number) => ({
  index,
  name,
  value,
  size,
  type,
  bind,
  visibility,
  shndx,
});

const NULL_SYMBOL: ElfSymbolInput = {
  name: "",
  value: 0,
  size: 0,
  bind: 0,
  type: 0,
  visibility: 0,
  shndx: 0,
};

/** A minimal ET_REL holding just a symbol table, to decode encodeSymbols output. */
function fileWith(symtab: Uint8Array, strtab: Uint8Array, firstGlobal: number): ElfFile {
  const base = { flags: 0, addr: 0, offset: 0, entsize: 0, link: 0, info: 0, addralign: 1 };
  return {
    header: { osabi: 0, abiVersion: 0, type: ET_REL, machine: EM_386, version: 1, entry: 0, flags: 0, shstrndx: 3 },
    sections: [
      { ...base, name: "", type: SHT_NULL, size: 0, data: new Uint8Array(0), addralign: 0 },
      { ...base, name: ".symtab", type: SHT_SYMTAB, size: symtab.length, data: symtab, link: 2, info: firstGlobal, entsize: 16, addralign: 4 },
      { ...base, name: ".strtab", type: SHT_STRTAB, size: strtab.length, data: strtab },
      { ...base, name: ".shstrtab", type: SHT_STRTAB, size: 0, data: new Uint8Array(0) },
    ],
  };
}

describe("readSymbols", () => {
  it("decodes greet.o as readelf -s does", () => {
    const elf = parseElf32(fixture("greet.o"));
    const rows: Row[] = [
      ["", 0, 0, STT_NOTYPE, STB_LOCAL, STV_DEFAULT, SHN_UNDEF],
      ["greet.c", 0, 0, STT_FILE, STB_LOCAL, STV_DEFAULT, SHN_ABS],
      ["", 0, 0, STT_SECTION, STB_LOCAL, STV_DEFAULT, 6],
      ["seen.0", 0, 4, STT_OBJECT, STB_LOCAL, STV_DEFAULT, 8],
      [".LC0", 0, 0, STT_NOTYPE, STB_LOCAL, STV_DEFAULT, 5],
      ["", 0, 0, STT_SECTION, STB_LOCAL, STV_DEFAULT, 8],
      ["", 0, 0, STT_SECTION, STB_LOCAL, STV_DEFAULT, 11],
      ["greet", 0, 76, STT_FUNC, STB_GLOBAL, STV_DEFAULT, 6],
      ["__x86.get_pc_thunk.bx", 0, 0, STT_FUNC, STB_GLOBAL, STV_HIDDEN, 11],
      ["_GLOBAL_OFFSET_TABLE_", 0, 0, STT_NOTYPE, STB_GLOBAL, STV_DEFAULT, SHN_UNDEF],
      ["greet_calls", 0, 4, STT_OBJECT, STB_GLOBAL, STV_DEFAULT, 10],
      ["external_counter", 0, 0, STT_NOTYPE, STB_GLOBAL, STV_DEFAULT, SHN_UNDEF],
      ["printf", 0, 0, STT_NOTYPE, STB_GLOBAL, STV_DEFAULT, SHN_UNDEF],
      ["greet_banner", 0, 21, STT_OBJECT, STB_GLOBAL, STV_DEFAULT, 9],
    ];
    expect(readSymbols(elf, 16)).toEqual(rows.map(sym));
  });

  it("decodes weak, static and kernel symbols", () => {
    const table = parseElf32(fixture("table.o"));
    const tsyms = readSymbols(table, findSectionByType(table, SHT_SYMTAB));
    expect(tsyms[findSymbol(tsyms, "table_lookup")]).toMatchObject({ bind: STB_WEAK, type: STT_FUNC, size: 63, shndx: 8 });
    expect(tsyms[findSymbol(tsyms, "on_b")]).toMatchObject({ bind: STB_LOCAL, type: STT_FUNC, size: 9, shndx: 4 });
    expect(tsyms[findSymbol(tsyms, "table_scratch")]).toMatchObject({ type: STT_OBJECT, size: 64, shndx: 10 });
    expect(table.sections[10]!.name).toBe(".bss.table_scratch");

    const kernel = parseElf32(fixture("cmdline.o"));
    const ksyms = readSymbols(kernel, 17);
    expect(ksyms).toHaveLength(15);
    expect(ksyms[3]).toEqual(sym(["proc_cmdline_init", 0, 54, STT_FUNC, STB_LOCAL, STV_DEFAULT, 7], 3));
    expect(ksyms[9]).toEqual(sym(["__fentry__", 0, 0, STT_NOTYPE, STB_GLOBAL, STV_DEFAULT, SHN_UNDEF], 9));
    expect(ksyms.slice(9).every((s) => s.bind === STB_GLOBAL)).toBe(true);
    expect(findSymbol(ksyms, "saved_command_line")).toBe(12);
    expect(findSymbol(ksyms, "missing")).toBe(-1);
  });

  it("reads a dynamic symbol table", () => {
    const elf = parseElf32(fixture("libtable.so"));
    const syms = readSymbols(elf, findSection(elf, ".dynsym"));
    expect(syms.map((s) => s.name)).toContain("table_lookup");
    expect(syms.map((s) => s.name)).toContain("ext_hook");
  });

  it("reports bad table references", () => {
    const elf = parseElf32(fixture("greet.o"));
    expect(() => readSymbols(elf, 0)).toThrow(/symbol table index 0 is not a section/);
    expect(() => readSymbols(elf, 99)).toThrow(ElfError);
    expect(() => readSymbols(elf, 6)).toThrow(/section 6 \(\.text\.greet\) is SHT_PROGBITS, not a symbol table/);
    elf.sections[16]!.link = 6;
    expect(() => readSymbols(elf, 16)).toThrow(/sh_link 6 is SHT_PROGBITS, expected SHT_STRTAB/);
    elf.sections[16]!.link = 17;
    elf.sections[16]!.entsize = 0;
    expect(() => readSymbols(elf, 16)).toThrow(/sh_entsize is 0, expected 16/);
    elf.sections[16]!.entsize = 16;
    elf.sections[16]!.data = elf.sections[16]!.data.slice(0, 20);
    expect(() => readSymbols(elf, 16)).toThrow(/size 0x14 is not a multiple of 16/);
  });

  it("reports a bad name offset and section index", () => {
    const elf = parseElf32(fixture("greet.o"));
    const data = elf.sections[16]!.data;
    new DataView(data.buffer).setUint32(3 * 16, 0x1000, true);
    expect(() => readSymbols(elf, 16)).toThrow(
      /section 16 \(\.symtab\): symbol 3 name: string offset 0x1000 is outside the string table \(size 0x78\)/,
    );
    const elf2 = parseElf32(fixture("greet.o"));
    new DataView(elf2.sections[16]!.data.buffer).setUint16(3 * 16 + 14, 300, true);
    expect(() => readSymbols(elf2, 16)).toThrow(/symbol 3 has st_shndx 300, but the file has 19 sections/);
  });
});

describe("encodeSymbols", () => {
  it.each(["greet.o", "table.o", "combined.o", "cmdline.o"])(
    "re-encodes %s byte for byte (.symtab, .strtab and sh_info)",
    (name) => {
      const elf = parseElf32(fixture(name));
      const index = findSectionByType(elf, SHT_SYMTAB);
      const symtab = elf.sections[index]!;
      const out = encodeSymbols(readSymbols(elf, index));
      expect(out.symtab).toEqual(symtab.data);
      expect(out.strtab).toEqual(elf.sections[symtab.link]!.data);
      expect(out.firstGlobal).toBe(symtab.info);
      expect(out.indexMap).toEqual(readSymbols(elf, index).map((s) => s.index));
    },
  );

  it("round-trips through readSymbols, putting locals first", () => {
    const input: ElfSymbolInput[] = [
      NULL_SYMBOL,
      { name: "patched_fn", value: 0x10, size: 0x20, bind: STB_GLOBAL, type: STT_FUNC, visibility: STV_DEFAULT, shndx: 2 },
      { name: "helper", value: 0, size: 8, bind: STB_LOCAL, type: STT_FUNC, visibility: STV_DEFAULT, shndx: 2 },
      { name: ".klp.sym.vmlinux.saved_command_line,0", value: 0, size: 0, bind: STB_GLOBAL, type: STT_OBJECT, visibility: STV_DEFAULT, shndx: SHN_LIVEPATCH },
      { name: "fn", value: 0, size: 0, bind: STB_WEAK, type: STT_FUNC, visibility: STV_HIDDEN, shndx: SHN_UNDEF },
      { name: "common_buf", value: 4, size: 64, bind: STB_GLOBAL, type: STT_OBJECT, visibility: STV_DEFAULT, shndx: SHN_COMMON },
      { name: "", value: 0, size: 0, bind: STB_LOCAL, type: STT_SECTION, visibility: STV_DEFAULT, shndx: 2 },
      { name: "big", value: 0xffffffff, size: 0x80000000, bind: STB_GLOBAL, type: STT_OBJECT, visibility: STV_DEFAULT, shndx: SHN_ABS },
    ];
    const out = encodeSymbols(input);
    expect(out.firstGlobal).toBe(3);
    expect(out.indexMap).toEqual([0, 3, 1, 4, 5, 6, 2, 7]);
    // "fn" is the tail of "patched_fn", "helper" is stored whole.
    expect(new TextDecoder().decode(out.strtab)).toBe(
      "\0helper\0patched_fn\0.klp.sym.vmlinux.saved_command_line,0\0common_buf\0big\0",
    );

    const back = readSymbols(fileWith(out.symtab, out.strtab, out.firstGlobal), 1);
    expect(back).toHaveLength(input.length);
    input.forEach((s, i) => {
      expect(back[out.indexMap[i]!]).toEqual({ ...s, index: out.indexMap[i] });
    });

    // The encoded table also survives a trip through the writer.
    const file = fileWith(out.symtab, out.strtab, out.firstGlobal);
    expect(readSymbols(parseElf32(writeElf32(file)), 1)).toEqual(back);
  });

  it("rejects input it cannot encode", () => {
    expect(() => encodeSymbols([])).toThrow(/symbols\[0\] must be the null symbol/);
    const fn: ElfSymbolInput = { ...NULL_SYMBOL, name: "f", bind: STB_GLOBAL, type: STT_FUNC, shndx: 1 };
    expect(() => encodeSymbols([fn])).toThrow(ElfError);
    expect(() => encodeSymbols([NULL_SYMBOL, { ...fn, bind: 16 }])).toThrow(/symbol 1 \("f"\) bind is 16/);
    expect(() => encodeSymbols([NULL_SYMBOL, { ...fn, visibility: 4 }])).toThrow(/visibility is 4/);
    expect(() => encodeSymbols([NULL_SYMBOL, { ...fn, shndx: 0x10000 }])).toThrow(/shndx is 65536/);
    expect(() => encodeSymbols([NULL_SYMBOL, { ...fn, value: -0x80000001 }])).toThrow(/value/);
    expect(() => encodeSymbols([NULL_SYMBOL, { ...fn, name: "a\0b" }])).toThrow(ElfError);
  });
});
