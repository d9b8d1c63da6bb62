import { checkRange, isPowerOfTwoOrZero, viewOf } from "./bytes.ts";
import {
  EHDR_SIZE,
  EI_ABIVERSION,
  EI_CLASS,
  EI_DATA,
  EI_OSABI,
  EI_VERSION,
  ELFCLASS32,
  ELFCLASS64,
  ELFDATA2LSB,
  ELFDATA2MSB,
  ELFMAG,
  EV_CURRENT,
  PHDR_SIZE,
  SHDR_SIZE,
  SHN_XINDEX,
  SHT_NOBITS,
  SHT_NULL,
  SHT_STRTAB,
  sectionTypeName,
} from "./constants.ts";
import { ElfError, hex } from "./errors.ts";
import { readString } from "./strtab.ts";
import type { ElfFile, ElfHeader, ElfProgramHeader, ElfSection } from "./types.ts";

interface RawSectionHeader {
  nameIndex: number;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

function readSectionHeader(view: DataView, at: number): RawSectionHeader {
  return {
    nameIndex: view.getUint32(at, true),
    type: view.getUint32(at + 4, true),
    flags: view.getUint32(at + 8, true),
    addr: view.getUint32(at + 12, true),
    offset: view.getUint32(at + 16, true),
    size: view.getUint32(at + 20, true),
    link: view.getUint32(at + 24, true),
    info: view.getUint32(at + 28, true),
    addralign: view.getUint32(at + 32, true),
    entsize: view.getUint32(at + 36, true),
  };
}

function checkIdent(bytes: Uint8Array): void {
  for (let i = 0; i < ELFMAG.length; i++) {
    if (i >= bytes.length) {
      throw new ElfError(`not an ELF file: only ${bytes.length} bytes, too short for the ELF magic`, {
        offset: 0,
      });
    }
    if (bytes[i] !== ELFMAG[i]) {
      const got = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
      throw new ElfError(`not an ELF file: magic at offset 0 is ${got}, expected 7f 45 4c 46`, {
        offset: 0,
      });
    }
  }
  if (bytes.length < EHDR_SIZE) {
    throw new ElfError(
      `truncated ELF header: file is ${bytes.length} bytes, an ELF32 header needs ${EHDR_SIZE}`,
      { offset: bytes.length },
    );
  }
  const cls = bytes[EI_CLASS];
  if (cls !== ELFCLASS32) {
    const what = cls === ELFCLASS64 ? "ELFCLASS64 (64-bit)" : `class ${cls}`;
    throw new ElfError(`unsupported ELF class at offset ${EI_CLASS}: ${what}, expected ELFCLASS32`, {
      offset: EI_CLASS,
    });
  }
  const data = bytes[EI_DATA];
  if (data !== ELFDATA2LSB) {
    const what = data === ELFDATA2MSB ? "ELFDATA2MSB (big-endian)" : `data encoding ${data}`;
    throw new ElfError(`unsupported byte order at offset ${EI_DATA}: ${what}, expected ELFDATA2LSB`, {
      offset: EI_DATA,
    });
  }
  if (bytes[EI_VERSION] !== EV_CURRENT) {
    throw new ElfError(
      `unsupported ELF version ${bytes[EI_VERSION]} at offset ${EI_VERSION}, expected ${EV_CURRENT}`,
      { offset: EI_VERSION },
    );
  }
}

function readProgramHeaders(
  bytes: Uint8Array,
  view: DataView,
  phoff: number,
  phnum: number,
  phentsize: number,
): ElfProgramHeader[] {
  if (phnum === 0) return [];
  if (phentsize !== PHDR_SIZE) {
    throw new ElfError(`e_phentsize at offset 0x2a is ${phentsize}, expected ${PHDR_SIZE}`, {
      offset: 0x2a,
    });
  }
  checkRange(bytes.length, phoff, phnum * PHDR_SIZE, `program header table (${phnum} entries)`);
  const out: ElfProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * PHDR_SIZE;
    const ph: ElfProgramHeader = {
      type: view.getUint32(at, true),
      offset: view.getUint32(at + 4, true),
      vaddr: view.getUint32(at + 8, true),
      paddr: view.getUint32(at + 12, true),
      filesz: view.getUint32(at + 16, true),
      memsz: view.getUint32(at + 20, true),
      flags: view.getUint32(at + 24, true),
      align: view.getUint32(at + 28, true),
    };
    checkRange(bytes.length, ph.offset, ph.filesz, `program header ${i} (at ${hex(at)}) contents`);
    out.push(ph);
  }
  return out;
}

/**
 * Parses a little-endian ELF32 file. The result owns copies of all section
 * contents, so it stays valid if `bytes` is reused.
 *
 * Throws ElfError for anything malformed: bad identification, tables or
 * section contents outside the file, unterminated or out-of-range section
 * names, bad e_shstrndx, alignments that are not powers of two.
 */
export function parseElf32(bytes: Uint8Array): ElfFile {
  checkIdent(bytes);
  const view = viewOf(bytes);

  const ehsize = view.getUint16(0x28, true);
  if (ehsize !== EHDR_SIZE) {
    throw new ElfError(`e_ehsize at offset 0x28 is ${ehsize}, expected ${EHDR_SIZE}`, { offset: 0x28 });
  }
  const phoff = view.getUint32(0x1c, true);
  const shoff = view.getUint32(0x20, true);
  const phentsize = view.getUint16(0x2a, true);
  const phnum = view.getUint16(0x2c, true);
  const shentsize = view.getUint16(0x2e, true);
  let shnum = view.getUint16(0x30, true);
  let shstrndx = view.getUint16(0x32, true);

  const programHeaders = readProgramHeaders(bytes, view, phoff, phnum, phentsize);

  const raw: RawSectionHeader[] = [];
  if (shoff === 0) {
    if (shnum !== 0) {
      throw new ElfError(`e_shnum is ${shnum} but e_shoff is 0`, { offset: 0x30 });
    }
    if (shstrndx !== 0) {
      throw new ElfError(`e_shstrndx is ${shstrndx} but the file has no section headers`, {
        offset: 0x32,
      });
    }
  } else {
    if (shentsize !== SHDR_SIZE) {
      throw new ElfError(`e_shentsize at offset 0x2e is ${shentsize}, expected ${SHDR_SIZE}`, {
        offset: 0x2e,
      });
    }
    // Section 0 carries the real count and string-table index when they do
    // not fit in the 16-bit header fields (extended section numbering).
    checkRange(bytes.length, shoff, SHDR_SIZE, `section header 0 (e_shoff ${hex(shoff)})`);
    const first = readSectionHeader(view, shoff);
    if (shnum === 0) {
      shnum = first.size;
      if (shnum === 0) {
        throw new ElfError(`e_shoff is ${hex(shoff)} but e_shnum and section 0's sh_size are both 0`, {
          offset: 0x30,
        });
      }
    }
    if (shstrndx === SHN_XINDEX) shstrndx = first.link;
    checkRange(
      bytes.length,
      shoff,
      shnum * SHDR_SIZE,
      `section header table (${shnum} entries at e_shoff ${hex(shoff)})`,
    );
    for (let i = 0; i < shnum; i++) raw.push(readSectionHeader(view, shoff + i * SHDR_SIZE));
  }

  if (shstrndx !== 0 && shstrndx >= raw.length) {
    throw new ElfError(
      `e_shstrndx is ${shstrndx} but the file has ${raw.length} sections`,
      { offset: 0x32 },
    );
  }

  const data: Uint8Array[] = raw.map((sh, i) => {
    if (!isPowerOfTwoOrZero(sh.addralign)) {
      throw new ElfError(`section ${i}: sh_addralign ${hex(sh.addralign)} is not a power of two`, {
        section: i,
        offset: shoff + i * SHDR_SIZE + 32,
      });
    }
    if (sh.type === SHT_NOBITS || sh.type === SHT_NULL) return new Uint8Array(0);
    if (sh.offset + sh.size > bytes.length) {
      throw new ElfError(
        `section ${i} (${sectionTypeName(sh.type)}): contents at ${hex(sh.offset)}..` +
          `${hex(sh.offset + sh.size)} extend past the end of the ${hex(bytes.length)}-byte file`,
        { section: i, offset: sh.offset },
      );
    }
    return bytes.slice(sh.offset, sh.offset + sh.size);
  });

  let names: Uint8Array | undefined;
  if (shstrndx !== 0) {
    const sh = raw[shstrndx]!;
    if (sh.type !== SHT_STRTAB) {
      throw new ElfError(
        `e_shstrndx ${shstrndx} names a ${sectionTypeName(sh.type)} section, expected SHT_STRTAB`,
        { section: shstrndx },
      );
    }
    names = data[shstrndx];
  }

  const sections: ElfSection[] = raw.map((sh, i) => {
    let name = "";
    if (names !== undefined) {
      name = readString(names, sh.nameIndex, `section ${i} name (sh_name)`);
    } else if (sh.nameIndex !== 0) {
      throw new ElfError(`section ${i} has sh_name ${hex(sh.nameIndex)} but the file has no .shstrtab`, {
        section: i,
      });
    }
    return {
      name,
      nameIndex: sh.nameIndex,
      type: sh.type,
      flags: sh.flags,
      addr: sh.addr,
      offset: sh.offset,
      size: sh.size,
      link: sh.link,
      info: sh.info,
      addralign: sh.addralign,
      entsize: sh.entsize,
      data: data[i]!,
    };
  });

  const header: ElfHeader = {
    osabi: bytes[EI_OSABI]!,
    abiVersion: bytes[EI_ABIVERSION]!,
    type: view.getUint16(0x10, true),
    machine: view.getUint16(0x12, true),
    version: view.getUint32(0x14, true),
    entry: view.getUint32(0x18, true),
    flags: view.getUint32(0x24, true),
    shstrndx,
  };
  return { header, sections, programHeaders };
}

/** Index of the first section called `name`, or -1. */
export function findSection(file: ElfFile, name: string): number {
  return file.sections.findIndex((s) => s.name === name);
}

/** Index of the first section of the given type (e.g. SHT_SYMTAB), or -1. */
export function findSectionByType(file: ElfFile, type: number): number {
  return file.sections.findIndex((s, i) => i !== 0 && s.type === type);
}
