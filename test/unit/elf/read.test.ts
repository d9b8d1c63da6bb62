import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  EM_386,
  ET_DYN,
  ET_REL,
  PT_GNU_STACK,
  PT_LOAD,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_INFO_LINK,
  SHT_GROUP,
  SHT_NOBITS,
  SHT_NULL,
  SHT_PROGBITS,
  SHT_REL,
  SHT_STRTAB,
  SHT_SYMTAB,
  findSection,
  findSectionByType,
  parseElf32,
} from "../../../src/common/elf/index.ts";

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../fixtures/elf/${name}`, import.meta.url)));

describe("parseElf32", () => {
  it("reads the header of a gcc -c object", () => {
    const elf = parseElf32(fixture("greet.o"));
    expect(elf.header).toEqual({
      osabi: 0,
      abiVersion: 0,
      type: ET_REL,
      machine: EM_386,
      version: 1,
      entry: 0,
      flags: 0,
      shstrndx: 18,
    });
    expect(elf.programHeaders).toEqual([]);
  });

  it("reads section headers as readelf -S shows them", () => {
    const elf = parseElf32(fixture("greet.o"));
    expect(elf.sections.map((s) => s.name)).toEqual([
      "",
      ".group",
      ".text",
      ".data",
      ".bss",
      ".rodata.greet.str1.1",
      ".text.greet",
      ".rel.text.greet",
      ".bss.seen.0",
      ".rodata.greet_banner",
      ".data.greet_calls",
      ".text.__x86.get_pc_thunk.bx",
      ".comment",
      ".note.GNU-stack",
      ".eh_frame",
      ".rel.eh_frame",
      ".symtab",
      ".strtab",
      ".shstrtab",
    ]);
    const [nul, group] = elf.sections;
    expect(nul!.type).toBe(SHT_NULL);
    expect(group).toMatchObject({ type: SHT_GROUP, link: 16, info: 8, entsize: 4, size: 8 });

    const text = elf.sections[6]!;
    expect(text).toMatchObject({
      type: SHT_PROGBITS,
      flags: SHF_ALLOC | SHF_EXECINSTR,
      offset: 0x50,
      size: 0x4c,
      addralign: 16,
    });
    expect(text.data.length).toBe(0x4c);
    expect(Array.from(text.data.subarray(0, 6))).toEqual([0x53, 0xe8, 0xfc, 0xff, 0xff, 0xff]);

    expect(elf.sections[7]).toMatchObject({
      type: SHT_REL,
      flags: SHF_INFO_LINK,
      link: 16,
      info: 6,
      entsize: 8,
      size: 0x48,
    });
    expect(elf.sections[16]).toMatchObject({ type: SHT_SYMTAB, link: 17, info: 7, entsize: 16 });
    expect(elf.sections[17]!.type).toBe(SHT_STRTAB);
  });

  it("keeps the size of SHT_NOBITS sections with empty data", () => {
    const elf = parseElf32(fixture("table.o"));
    const bss = elf.sections[findSection(elf, ".bss.table_scratch")]!;
    expect(bss.type).toBe(SHT_NOBITS);
    expect(bss.size).toBe(64);
    expect(bss.addralign).toBe(32);
    expect(bss.data.length).toBe(0);
  });

  it("copies section data instead of aliasing the input", () => {
    const bytes = fixture("greet.o");
    const elf = parseElf32(bytes);
    const text = elf.sections[6]!;
    bytes[text.offset]! ^= 0xff;
    expect(text.data[0]).toBe(0x53);
  });

  it("reads a real kernel object", () => {
    const elf = parseElf32(fixture("cmdline.o"));
    expect(elf.header.type).toBe(ET_REL);
    expect(elf.header.machine).toBe(EM_386);
    expect(elf.sections).toHaveLength(20);
    expect(findSection(elf, ".init.text")).toBe(7);
    expect(findSection(elf, "__mcount_loc")).toBe(9);
    expect(findSection(elf, ".rel__mcount_loc")).toBe(10);
    expect(findSectionByType(elf, SHT_SYMTAB)).toBe(17);
    expect(findSection(elf, ".nope")).toBe(-1);
    const str = elf.sections[findSection(elf, ".rodata.str1.1")]!;
    expect(new TextDecoder().decode(str.data)).toBe("cmdline\0");
  });

  it("parses ET_DYN files with program headers", () => {
    const elf = parseElf32(fixture("libtable.so"));
    expect(elf.header.type).toBe(ET_DYN);
    expect(elf.programHeaders).toHaveLength(6);
    expect(elf.programHeaders?.[0]).toEqual({
      type: PT_LOAD,
      offset: 0,
      vaddr: 0,
      paddr: 0,
      filesz: 0x3e8,
      memsz: 0x3e8,
      flags: 5,
      align: 0x1000,
    });
    expect(elf.programHeaders?.[1]).toMatchObject({ type: PT_LOAD, offset: 0xf50, vaddr: 0x1f50 });
    expect(elf.programHeaders?.[4]!.type).toBe(PT_GNU_STACK);
    expect(elf.sections[findSection(elf, ".text")]).toMatchObject({ addr: 0x220, offset: 0x220 });
  });
});
