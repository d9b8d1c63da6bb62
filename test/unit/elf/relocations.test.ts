import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ElfError,
  R_386_16,
  R_386_32,
  R_386_8,
  R_386_GOT32X,
  R_386_GOTOFF,
  R_386_GOTPC,
  R_386_NONE,
  R_386_PC16,
  R_386_PC32,
  R_386_PLT32,
  RELA_SIZE,
  SHF_ALLOC,
  SHF_INFO_LINK,
  SHF_RELA_LIVEPATCH,
  SHT_NOBITS,
  SHT_PROGBITS,
  SHT_REL,
  SHT_RELA,
  encodeRel,
  encodeRela,
  findSection,
  implicitAddend,
  parseElf32,
  readRelocations,
  relocTypeName,
  relocationWidth,
  writeImplicitAddend,
} from "../../../src/common/elf/index.ts";
import type { ElfRelocation, ElfSection } from "../../../src/common/elf/index.ts";

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../fixtures/elf/${name}`, import.meta.url)));

const rel = (offset: number, type: number, symbol: number, addend = 0): ElfRelocation => ({
  offset,
  type,
  symbol,
  addend,
});

function section(type: number, data: Uint8Array, extra: Partial<ElfSection> = {}): ElfSection {
  return { name: ".x", type, flags: 0, addr: 0, offset: 0, size: data.length, link: 0, info: 0, addralign: 4, entsize: 0, data, ...extra };
}

describe("readRelocations", () => {
  it("decodes PIC relocations with their implicit addends", () => {
    const elf = parseElf32(fixture("greet.o"));
    const relText = elf.sections[findSection(elf, ".rel.text.greet")]!;
    const target = elf.sections[relText.info]!;
    expect(target.name).toBe(".text.greet");
    expect(readRelocations(relText, target)).toEqual([
      rel(0x02, R_386_PC32, 8, -4),
      rel(0x08, R_386_GOTPC, 9, 2),
      rel(0x15, R_386_GOTOFF, 5, 0),
      rel(0x1b, R_386_GOTOFF, 10, 0),
      rel(0x28, R_386_GOTOFF, 5, 0),
      rel(0x2e, R_386_GOT32X, 11, 0),
      rel(0x37, R_386_GOTOFF, 4, 0),
      rel(0x3d, R_386_PLT32, 12, -4),
      rel(0x43, R_386_GOTOFF, 5, 0),
    ]);
    const relEh = elf.sections[findSection(elf, ".rel.eh_frame")]!;
    expect(readRelocations(relEh, elf.sections[relEh.info])).toEqual([
      rel(0x20, R_386_PC32, 2, 0),
      rel(0x4c, R_386_PC32, 6, 0),
    ]);
  });

  it("decodes a kernel object's relocations", () => {
    const elf = parseElf32(fixture("cmdline.o"));
    const relInit = elf.sections[findSection(elf, ".rel.init.text")]!;
    expect(relInit).toMatchObject({ type: SHT_REL, flags: SHF_INFO_LINK, info: 7, link: 17 });
    expect(readRelocations(relInit, elf.sections[7])).toEqual([
      rel(0x01, R_386_PC32, 9, -4),
      rel(0x0f, R_386_32, 4, 0),
      rel(0x14, R_386_32, 7, 0),
      rel(0x19, R_386_PC32, 10, -4),
      rel(0x1f, R_386_32, 11, 0),
    ]);
    const mcount = elf.sections[findSection(elf, ".rel__mcount_loc")]!;
    expect(readRelocations(mcount)).toEqual([rel(0, R_386_32, 5), rel(4, R_386_32, 7)]);
  });

  it("leaves REL addends at 0 without a target section", () => {
    const elf = parseElf32(fixture("greet.o"));
    const relocs = readRelocations(elf.sections[7]!);
    expect(relocs.map((r) => r.addend)).toEqual(Array(9).fill(0));
  });

  it.each(["greet.o", "table.o", "combined.o", "cmdline.o"])("re-encodes every REL section of %s byte for byte", (name) => {
    const elf = parseElf32(fixture(name));
    const rels = elf.sections.filter((s) => s.type === SHT_REL);
    expect(rels.length).toBeGreaterThan(0);
    for (const s of rels) expect(encodeRel(readRelocations(s, elf.sections[s.info]))).toEqual(s.data);
  });

  it("round-trips SHT_RELA (livepatch relocation sections)", () => {
    const relocs = [
      rel(0x0, R_386_32, 3, 0x7fffffff),
      rel(0x4, R_386_PC32, 0xffffff, -4),
      rel(0x8, R_386_NONE, 0, 0),
      rel(0xfffffffc, 0xff, 1, -0x80000000),
    ];
    const data = encodeRela(relocs);
    expect(data.length).toBe(4 * RELA_SIZE);
    const klp = section(SHT_RELA, data, {
      name: ".klp.rela.vmlinux..text.cmdline_proc_show",
      flags: SHF_ALLOC | SHF_INFO_LINK | SHF_RELA_LIVEPATCH,
      entsize: RELA_SIZE,
    });
    expect(readRelocations(klp)).toEqual(relocs);
    // Unsigned addends are stored as their 32-bit pattern.
    expect(readRelocations(section(SHT_RELA, encodeRela([rel(0, R_386_32, 1, 0xfffffffc)]), { entsize: 12 }))).toEqual([
      rel(0, R_386_32, 1, -4),
    ]);
  });

  it("reports malformed relocation sections", () => {
    expect(() => readRelocations(section(SHT_PROGBITS, new Uint8Array(8)))).toThrow(
      /is SHT_PROGBITS, expected SHT_REL or SHT_RELA/,
    );
    expect(() => readRelocations(section(SHT_REL, new Uint8Array(8), { entsize: 12 }))).toThrow(
      /sh_entsize is 12, expected 8/,
    );
    expect(() => readRelocations(section(SHT_REL, new Uint8Array(12), { entsize: 8 }))).toThrow(
      /size 0xc is not a multiple of 8/,
    );
    const target = section(SHT_PROGBITS, new Uint8Array(6), { name: ".text.f" });
    const far = section(SHT_REL, encodeRel([rel(4, R_386_PC32, 1)]), { entsize: 8 });
    expect(() => readRelocations(far, target)).toThrow(
      /R_386_PC32 at 0x4: bytes 0x4\.\.0x8 are outside the 0x6-byte \.text\.f/,
    );
    const bss = section(SHT_NOBITS, new Uint8Array(0), { name: ".bss", size: 64 });
    expect(() => readRelocations(far, bss)).toThrow(/no contents \(SHT_NOBITS\)/);
    const odd = section(SHT_REL, encodeRel([rel(0, 200, 1)]), { entsize: 8 });
    expect(() => readRelocations(odd, target)).toThrow(ElfError);
    expect(readRelocations(odd)).toEqual([rel(0, 200, 1)]);
  });
});

describe("implicit addends", () => {
  it("knows the field width of each type", () => {
    expect(relocationWidth(R_386_NONE)).toBe(0);
    expect(relocationWidth(R_386_8)).toBe(1);
    expect(relocationWidth(R_386_PC16)).toBe(2);
    expect(relocationWidth(R_386_PLT32)).toBe(4);
    expect(() => relocationWidth(99)).toThrow(/R_386_<99> has no field/);
    expect(relocTypeName(R_386_GOT32X)).toBe("R_386_GOT32X");
  });

  it("reads and writes signed fields of 1, 2 and 4 bytes", () => {
    const t = section(SHT_PROGBITS, new Uint8Array(8));
    writeImplicitAddend(t, 0, R_386_8, -2);
    writeImplicitAddend(t, 1, R_386_16, 0xfffe);
    writeImplicitAddend(t, 3, R_386_32, -4);
    writeImplicitAddend(t, 7, R_386_NONE, 123);
    expect(Array.from(t.data)).toEqual([0xfe, 0xfe, 0xff, 0xfc, 0xff, 0xff, 0xff, 0]);
    expect(implicitAddend(t, 0, R_386_8)).toBe(-2);
    expect(implicitAddend(t, 1, R_386_16)).toBe(-2);
    expect(implicitAddend(t, 3, R_386_PC32)).toBe(-4);
    expect(implicitAddend(t, 7, R_386_NONE)).toBe(0);
    expect(() => writeImplicitAddend(t, 0, R_386_8, 256)).toThrow(/does not fit the 8-bit field/);
    expect(() => writeImplicitAddend(t, 6, R_386_32, 0)).toThrow(ElfError);
  });

  it("moves RELA addends into the section, as i386 modules need", () => {
    const elf = parseElf32(fixture("greet.o"));
    const relText = elf.sections[7]!;
    const original = elf.sections[relText.info]!;
    const relocs = readRelocations(relText, original);
    const target = { ...original, data: new Uint8Array(original.data) };
    for (const r of relocs) writeImplicitAddend(target, r.offset, r.type, 0);
    expect(target.data).not.toEqual(original.data);
    const rela = section(SHT_RELA, encodeRela(relocs), { entsize: RELA_SIZE });
    for (const r of readRelocations(rela)) writeImplicitAddend(target, r.offset, r.type, r.addend);
    expect(target.data).toEqual(original.data);
  });

  it("rejects relocation fields that do not fit when encoding", () => {
    expect(() => encodeRel([rel(0, R_386_32, 0x1000000)])).toThrow(/symbol index 16777216 does not fit in 24 bits/);
    expect(() => encodeRel([rel(0, 256, 1)])).toThrow(/type 256 does not fit in 8 bits/);
    expect(() => encodeRel([rel(-1.5, R_386_32, 1)])).toThrow(ElfError);
    expect(() => encodeRela([rel(0, R_386_32, 1, 2 ** 32)])).toThrow(/addend/);
  });
});
