import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ElfError,
  SHDR_SIZE,
  SHT_DYNSYM,
  SHT_REL,
  SHT_RELA,
  SHT_SYMTAB,
  parseElf32,
  readRelocations,
  readSymbols,
  writeElf32,
} from "../../../src/common/elf/index.ts";

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../fixtures/elf/${name}`, import.meta.url)));

const GREET = fixture("greet.o");
const le = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const SHOFF = le(GREET).getUint32(0x20, true);
const sh = (index: number, field: number) => SHOFF + index * SHDR_SIZE + field;

function patched(edit: (view: DataView, bytes: Uint8Array) => void, base = GREET): Uint8Array {
  const copy = new Uint8Array(base);
  edit(le(copy), copy);
  return copy;
}

/** Runs `fn` and returns the ElfError it throws; fails on anything else. */
function elfError(fn: () => unknown): ElfError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ElfError) return error;
    throw error;
  }
  throw new Error("expected an ElfError, nothing was thrown");
}

describe("parseElf32 on malformed input", () => {
  it("rejects every truncation of a real object", () => {
    for (const name of ["greet.o", "cmdline.o"]) {
      const bytes = fixture(name);
      for (let length = 0; length < bytes.length; length++) {
        expect(elfError(() => parseElf32(bytes.subarray(0, length)))).toBeInstanceOf(ElfError);
      }
    }
  });

  it("explains short files and bad identification", () => {
    expect(elfError(() => parseElf32(new Uint8Array(0))).message).toMatch(/only 0 bytes, too short/);
    expect(elfError(() => parseElf32(GREET.subarray(0, 40))).message).toMatch(
      /truncated ELF header: file is 40 bytes, an ELF32 header needs 52/,
    );
    expect(elfError(() => parseElf32(new TextEncoder().encode("#!/bin/sh\necho hello, this is not an object file\n"))).message).toMatch(
      /magic at offset 0 is 23 21 2f 62, expected 7f 45 4c 46/,
    );
    const class64 = elfError(() => parseElf32(patched((v) => v.setUint8(4, 2))));
    expect(class64.message).toMatch(/ELFCLASS64 \(64-bit\), expected ELFCLASS32/);
    expect(class64.offset).toBe(4);
    expect(elfError(() => parseElf32(patched((v) => v.setUint8(5, 2)))).message).toMatch(/big-endian/);
    expect(elfError(() => parseElf32(patched((v) => v.setUint8(6, 0)))).message).toMatch(/ELF version 0/);
    expect(elfError(() => parseElf32(patched((v) => v.setUint16(0x28, 64, true)))).message).toMatch(/e_ehsize/);
  });

  it("rejects section header tables outside the file", () => {
    const past = elfError(() => parseElf32(patched((v) => v.setUint32(0x20, GREET.length - 8, true))));
    expect(past.message).toMatch(/section header 0 \(e_shoff 0x[0-9a-f]+\)/);
    const many = elfError(() => parseElf32(patched((v) => v.setUint16(0x30, 0x7000, true))));
    expect(many.message).toBe(
      `section header table (28672 entries at e_shoff 0x${SHOFF.toString(16)}): bytes ` +
        `0x${SHOFF.toString(16)}..0x${(SHOFF + 28672 * 40).toString(16)} are outside the 0x6b4-byte file`,
    );
    expect(elfError(() => parseElf32(patched((v) => v.setUint32(0x20, 0xffffffff, true)))).message).toMatch(
      /outside the 0x6b4-byte file/,
    );
    expect(elfError(() => parseElf32(patched((v) => v.setUint16(0x2e, 64, true)))).message).toMatch(
      /e_shentsize at offset 0x2e is 64, expected 40/,
    );
    // e_shnum 0 means "look in section 0", which says 0 as well.
    expect(elfError(() => parseElf32(patched((v) => v.setUint16(0x30, 0, true)))).message).toMatch(
      /e_shnum and section 0's sh_size are both 0/,
    );
  });

  it("rejects section contents outside the file", () => {
    const error = elfError(() => parseElf32(patched((v) => v.setUint32(sh(6, 16), 0xfffffff0, true))));
    expect(error.message).toMatch(/section 6 \(SHT_PROGBITS\): contents at 0xfffffff0\.\.0x10000003c extend past the end/);
    expect(error.section).toBe(6);
    expect(elfError(() => parseElf32(patched((v) => v.setUint32(sh(6, 20), 0x10000, true)))).section).toBe(6);
    // The same size on SHT_NOBITS is fine: it occupies no file space.
    expect(parseElf32(patched((v) => v.setUint32(sh(8, 20), 0x10000, true))).sections[8]!.size).toBe(0x10000);
  });

  it("rejects bad section name references", () => {
    expect(elfError(() => parseElf32(patched((v) => v.setUint16(0x32, 99, true)))).message).toMatch(
      /e_shstrndx is 99 but the file has 19 sections/,
    );
    expect(elfError(() => parseElf32(patched((v) => v.setUint16(0x32, 16, true)))).message).toMatch(
      /e_shstrndx 16 names a SHT_SYMTAB section, expected SHT_STRTAB/,
    );
    const name = elfError(() => parseElf32(patched((v) => v.setUint32(sh(3, 0), 0x1000, true))));
    expect(name.message).toMatch(/section 3 name \(sh_name\): string offset 0x1000 is outside the string table \(size 0xce\)/);
    // Overwrite the terminator of the last name in .shstrtab.
    const shstrtabOffset = le(GREET).getUint32(sh(18, 16), true);
    const shstrtabSize = le(GREET).getUint32(sh(18, 20), true);
    const unterminated = elfError(() =>
      parseElf32(patched((v) => v.setUint8(shstrtabOffset + shstrtabSize - 1, 0x41))),
    );
    expect(unterminated.message).toMatch(/is not NUL-terminated/);
    expect(elfError(() => parseElf32(patched((v) => v.setUint16(0x32, 0, true)))).message).toMatch(
      /has sh_name 0x[0-9a-f]+ but the file has no \.shstrtab/,
    );
  });

  it("rejects alignments that are not powers of two", () => {
    const error = elfError(() => parseElf32(patched((v) => v.setUint32(sh(6, 32), 12, true))));
    expect(error.message).toMatch(/section 6: sh_addralign 0xc is not a power of two/);
    expect(error.offset).toBe(sh(6, 32));
  });

  it("rejects program header tables outside the file", () => {
    const so = fixture("libtable.so");
    expect(elfError(() => parseElf32(patched((v) => v.setUint32(0x1c, so.length - 16, true), so))).message).toMatch(
      /program header table \(6 entries\)/,
    );
    expect(elfError(() => parseElf32(patched((v) => v.setUint32(52 + 16, 0x100000, true), so))).message).toMatch(
      /program header 0 \(at 0x34\) contents/,
    );
  });
});

/** xorshift32: a fixed seed makes every run mutate the same bytes. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

interface Outcome {
  parsed: boolean;
  crashes: string[];
}

/** Feeds `bytes` to every reader (and the writer); only ElfError may come out. */
function exercise(bytes: Uint8Array): Outcome {
  const crashes: string[] = [];
  const guard = (what: string, fn: () => void): boolean => {
    try {
      fn();
      return true;
    } catch (error) {
      if (!(error instanceof ElfError)) crashes.push(`${what}: ${String(error)}`);
      return false;
    }
  };
  let elf: ReturnType<typeof parseElf32> | undefined;
  guard("parseElf32", () => {
    elf = parseElf32(bytes);
  });
  if (elf === undefined) return { parsed: false, crashes };
  const file = elf;
  file.sections.forEach((s, i) => {
    if (s.type === SHT_SYMTAB || s.type === SHT_DYNSYM) guard(`readSymbols(${i})`, () => void readSymbols(file, i));
    if (s.type === SHT_REL || s.type === SHT_RELA) {
      guard(`readRelocations(${i})`, () => void readRelocations(s, file.sections[s.info]));
    }
  });
  // A mutated sh_addralign may legitimately ask for a gigabyte of padding.
  if (file.sections.every((s) => s.addralign <= 0x10000)) {
    let out: Uint8Array | undefined;
    guard("writeElf32", () => {
      out = writeElf32(file);
    });
    if (out !== undefined) {
      try {
        const back = parseElf32(out);
        if (back.sections.map((s) => s.name).join() !== file.sections.map((s) => s.name).join()) {
          crashes.push("writeElf32 output has different section names");
        }
      } catch (error) {
        crashes.push(`re-parsing writeElf32 output: ${String(error)}`);
      }
    }
  }
  return { parsed: true, crashes };
}

describe("random mutations of real objects", () => {
  it("only ever throw ElfError", () => {
    const bases = ["greet.o", "table.o", "cmdline.o", "libtable.so"].map((name) => {
      const bytes = fixture(name);
      const elf = parseElf32(bytes);
      const shoff = le(bytes).getUint32(0x20, true);
      // Weight the parts readers interpret over plain section contents.
      const regions: [number, number][] = [
        [0, 52],
        [shoff, bytes.length],
        [0, bytes.length],
        ...elf.sections
          .filter((s) => [SHT_SYMTAB, SHT_DYNSYM, SHT_REL, SHT_RELA].includes(s.type) || s.name.endsWith("strtab"))
          .map((s): [number, number] => [s.offset, s.offset + s.size]),
      ];
      return { name, bytes, regions };
    });

    const next = random(0x5eed);
    const pick = (n: number) => Math.floor(next() * n);
    const crashes: string[] = [];
    let parsed = 0;
    let rejected = 0;
    const ROUNDS = 1000;
    for (let round = 0; round < ROUNDS; round++) {
      const base = bases[round % bases.length]!;
      const bytes = new Uint8Array(base.bytes);
      const edits = 1 + pick(4);
      for (let e = 0; e < edits; e++) {
        const [start, end] = base.regions[pick(base.regions.length)]!;
        if (end <= start) continue;
        const at = start + pick(end - start);
        switch (pick(5)) {
          case 0:
            bytes[at] = pick(256);
            break;
          case 1:
            bytes[at]! ^= 1 << pick(8);
            break;
          case 2:
            bytes[at] = 0xff;
            break;
          case 3:
            bytes[at] = 0;
            break;
          default:
            bytes[at] = (bytes[at]! + (pick(2) === 0 ? 1 : 255)) & 0xff;
        }
      }
      const outcome = exercise(bytes);
      if (outcome.parsed) parsed++;
      else rejected++;
      for (const c of outcome.crashes) crashes.push(`${base.name} round ${round}: ${c}`);
    }
    expect(crashes).toEqual([]);
    // Both outcomes must be common, or the mutations are not testing much.
    expect(parsed).toBeGreaterThan(ROUNDS / 10);
    expect(rejected).toBeGreaterThan(ROUNDS / 10);
  });
});
