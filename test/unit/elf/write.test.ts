import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  EM_386,
  ET_REL,
  ElfError,
  SHF_ALLOC,
  SHN_LORESERVE,
  SHN_XINDEX,
  SHT_NOBITS,
  SHT_NULL,
  SHT_PROGBITS,
  SHT_STRTAB,
  findSection,
  layoutElf32,
  parseElf32,
  writeElf32,
} from "../../../src/common/elf/index.ts";
import type { ElfFile, ElfSection } from "../../../src/common/elf/index.ts";

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../fixtures/elf/${name}`, import.meta.url)));

const OBJECTS = ["greet.o", "table.o", "combined.o", "cmdline.o"];

function section(name: string, type: number, data: Uint8Array, extra: Partial<ElfSection> = {}): ElfSection {
  return {
    name,
    type,
    flags: 0,
    addr: 0,
    offset: 0,
    size: data.length,
    link: 0,
    info: 0,
    addralign: 1,
    entsize: 0,
    data,
    ...extra,
  };
}

/** Index of the first differing byte, or -1: cheap on megabytes, unlike toEqual. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

function u16(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8);
}

describe("writeElf32", () => {
  it.each(OBJECTS)("reproduces %s byte for byte", (name) => {
    const bytes = fixture(name);
    expect(firstDifference(writeElf32(parseElf32(bytes)), bytes)).toBe(-1);
  });

  it.each(OBJECTS)("computes the same offsets GNU as / ld -r chose for %s", (name) => {
    const elf = parseElf32(fixture(name));
    const layout = layoutElf32(elf);
    expect(layout.offsets).toEqual(elf.sections.map((s) => s.offset));
    expect(layout.size).toBe(fixture(name).length);
  });

  it("does not trust the sh_offset values it is given", () => {
    const bytes = fixture("table.o");
    const elf = parseElf32(bytes);
    for (const s of elf.sections) s.offset = 0xdead;
    expect(writeElf32(elf)).toEqual(bytes);
  });

  it("lays sections out strictly by index with order: index", () => {
    const elf = parseElf32(fixture("greet.o"));
    const out = writeElf32(elf, { order: "index" });
    const back = parseElf32(out);
    let end = 52;
    back.sections.forEach((s, i) => {
      expect(s.name).toBe(elf.sections[i]!.name);
      expect(s.data).toEqual(elf.sections[i]!.data);
      if (i === 0) return;
      expect(s.offset).toBeGreaterThanOrEqual(end);
      expect(s.offset % Math.max(1, s.addralign)).toBe(0);
      end = s.offset + (s.type === SHT_NOBITS ? 0 : s.size);
    });
    const shoff = new DataView(out.buffer).getUint32(0x20, true);
    expect(shoff % 4).toBe(0);
    expect(shoff).toBeGreaterThanOrEqual(end);
  });

  it("keeps SHT_NOBITS sizes", () => {
    const back = parseElf32(writeElf32(parseElf32(fixture("combined.o"))));
    const bss = back.sections[findSection(back, ".bss.table_scratch")];
    expect(bss).toMatchObject({ type: SHT_NOBITS, size: 64, addralign: 32 });
  });

  it("rebuilds .shstrtab when a section is renamed", () => {
    const elf = parseElf32(fixture("greet.o"));
    elf.sections[6]!.name = ".text.greet_patched";
    const back = parseElf32(writeElf32(elf));
    expect(back.sections.map((s) => s.name)).toEqual(elf.sections.map((s) => s.name));
    back.sections.forEach((s, i) => {
      if (i !== elf.header.shstrndx) expect(s.data).toEqual(elf.sections[i]!.data);
    });
  });

  it("rebuilds .shstrtab on request and deduplicates names", () => {
    const elf = parseElf32(fixture("combined.o"));
    const out = writeElf32(elf, { rebuildShstrtab: true });
    const back = parseElf32(out);
    expect(back.sections.map((s) => s.name)).toEqual(elf.sections.map((s) => s.name));
    // ".text.greet" is stored once, as the tail of ".rel.text.greet".
    const rel = back.sections[findSection(back, ".rel.text.greet")]!;
    const text = back.sections[findSection(back, ".text.greet")]!;
    expect(text.nameIndex).toBe((rel.nameIndex ?? 0) + 4);
    // Two .group sections in greet.o/table.o style files share one entry too.
    const indexes = back.sections.filter((s) => s.name === ".group").map((s) => s.nameIndex);
    expect(new Set(indexes).size).toBe(1);
  });

  it("appends new sections and names them", () => {
    const elf = parseElf32(fixture("cmdline.o"));
    const payload = new TextEncoder().encode("hello");
    elf.sections.push(section(".klp.note", SHT_PROGBITS, payload, { flags: SHF_ALLOC, addralign: 8 }));
    const back = parseElf32(writeElf32(elf));
    expect(back.sections).toHaveLength(21);
    const added = back.sections[20]!;
    expect(added).toMatchObject({ name: ".klp.note", type: SHT_PROGBITS, size: 5, addralign: 8 });
    expect(added.offset % 8).toBe(0);
    expect(added.data).toEqual(payload);
    expect(back.sections[7]!.data).toEqual(elf.sections[7]!.data);
  });

  it("builds a file from scratch", () => {
    const file: ElfFile = {
      header: { osabi: 0, abiVersion: 0, type: ET_REL, machine: EM_386, version: 1, entry: 0, flags: 0, shstrndx: 2 },
      sections: [
        section("", SHT_NULL, new Uint8Array(0), { addralign: 0 }),
        section(".data", SHT_PROGBITS, Uint8Array.of(1, 2, 3), { addralign: 4 }),
        section(".shstrtab", SHT_STRTAB, new Uint8Array(0)),
      ],
    };
    const back = parseElf32(writeElf32(file));
    expect(back.header).toEqual(file.header);
    expect(back.sections.map((s) => [s.name, s.offset, s.size])).toEqual([
      ["", 0, 0],
      [".data", 52, 3],
      [".shstrtab", 55, 17],
    ]);
  });

  it("uses extended section numbering past SHN_LORESERVE sections", () => {
    const count = SHN_LORESERVE + 16;
    const sections: ElfSection[] = [section("", SHT_NULL, new Uint8Array(0), { addralign: 0 })];
    for (let i = 1; i < count - 1; i++) sections.push(section(`s${i % 7}`, SHT_PROGBITS, new Uint8Array(0)));
    sections.push(section(".shstrtab", SHT_STRTAB, new Uint8Array(0)));
    const file: ElfFile = {
      header: { osabi: 0, abiVersion: 0, type: ET_REL, machine: EM_386, version: 1, entry: 0, flags: 0, shstrndx: count - 1 },
      sections,
    };
    const out = writeElf32(file);
    expect(u16(out, 0x30)).toBe(0);
    expect(u16(out, 0x32)).toBe(SHN_XINDEX);
    const back = parseElf32(out);
    expect(back.sections.length).toBe(count);
    expect(back.header.shstrndx).toBe(count - 1);
    expect(back.sections[count - 2]!.name).toBe(`s${(count - 2) % 7}`);
    expect(firstDifference(writeElf32(back), out)).toBe(-1);
  });

  describe("rejects files it cannot lay out", () => {
    const base = (): ElfFile => parseElf32(fixture("greet.o"));

    it("program headers", () => {
      const elf = parseElf32(fixture("libtable.so"));
      expect(() => writeElf32(elf)).toThrow(/relocatable files only; this file has 6 program headers/);
    });

    it("size not matching data", () => {
      const elf = base();
      elf.sections[6]!.size += 1;
      expect(() => writeElf32(elf)).toThrow(/section 6 \(\.text\.greet\): size 0x4d does not match data length 0x4c/);
    });

    it("data in a SHT_NOBITS section", () => {
      const elf = base();
      elf.sections[8]!.data = new Uint8Array(4);
      expect(() => writeElf32(elf)).toThrow(ElfError);
    });

    it("a non-null section 0", () => {
      const elf = base();
      elf.sections[0]!.type = SHT_PROGBITS;
      expect(() => writeElf32(elf)).toThrow(/section 0 must be the SHT_NULL section/);
    });

    it("a bad shstrndx", () => {
      const elf = base();
      elf.header.shstrndx = 99;
      expect(() => writeElf32(elf)).toThrow(/shstrndx is 99/);
    });

    it("a shstrndx that is not a string table", () => {
      const elf = base();
      elf.sections[6]!.name = ".text.renamed";
      elf.header.shstrndx = 6;
      expect(() => writeElf32(elf)).toThrow(/header.shstrndx 6 is SHT_PROGBITS, expected SHT_STRTAB/);
    });

    it("names without a .shstrtab", () => {
      const elf = base();
      elf.header.shstrndx = 0;
      expect(() => writeElf32(elf)).toThrow(/has a name but header.shstrndx is 0/);
    });

    it("alignment that is not a power of two", () => {
      const elf = base();
      elf.sections[6]!.addralign = 12;
      expect(() => writeElf32(elf)).toThrow(/sh_addralign 0xc is not a power of two/);
    });

    it("fields that do not fit", () => {
      const elf = base();
      elf.sections[6]!.flags = 2 ** 32;
      expect(() => writeElf32(elf)).toThrow(/flags: 4294967296 does not fit in 32 bits/);
      const elf2 = base();
      elf2.header.machine = 0x10000;
      expect(() => writeElf32(elf2)).toThrow(ElfError);
    });
  });
});
