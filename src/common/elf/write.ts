import { isPowerOfTwoOrZero, toU32, viewOf } from "./bytes.ts";
import {
  EHDR_SIZE,
  EI_ABIVERSION,
  EI_CLASS,
  EI_DATA,
  EI_OSABI,
  EI_VERSION,
  ELFCLASS32,
  ELFDATA2LSB,
  ELFMAG,
  EV_CURRENT,
  SHDR_SIZE,
  SHN_LORESERVE,
  SHN_XINDEX,
  SHT_GROUP,
  SHT_NOBITS,
  SHT_NULL,
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
  sectionTypeName,
} from "./constants.ts";
import { ElfError, hex } from "./errors.ts";
import { buildStringTable, tryReadString } from "./strtab.ts";
import type { ElfFile, ElfSection } from "./types.ts";

/**
 * Where section contents go in the file.
 *
 * - "gnu": what GNU as and `ld -r` (BFD) produce, and therefore what makes
 *   `writeElf32(parseElf32(x))` byte-identical for .o and .ko files: contents
 *   in section-index order, except that .symtab (+ SHT_SYMTAB_SHNDX) and its
 *   .strtab, then all SHT_REL/SHT_RELA sections (in index order), then
 *   .shstrtab are moved after everything else.
 * - "index": strictly in section-index order.
 *
 * Either way each section starts at a multiple of its sh_addralign (SHT_NOBITS
 * sections get an aligned offset and take no space beyond that padding) and
 * the section header table follows, aligned to 4.
 */
export type SectionOrder = "gnu" | "index";

export interface WriteOptions {
  /** Build a fresh .shstrtab from the section names even if the old one still fits. */
  rebuildShstrtab?: boolean;
  /** Defaults to "gnu". */
  order?: SectionOrder;
}

export interface ElfLayout {
  /** sh_offset of each section in the output. */
  offsets: number[];
  /** sh_name of each section in the output. */
  nameIndexes: number[];
  /** The .shstrtab contents that will be written (the original or a rebuilt one). */
  shstrtab: Uint8Array;
  /** e_shoff. */
  shoff: number;
  /** Total file size. */
  size: number;
}

const ELF32_MAX_SIZE = 0xffffffff;

function sectionLabel(section: ElfSection, index: number): string {
  return section.name === "" ? `section ${index}` : `section ${index} (${section.name})`;
}

function alignUp(value: number, align: number): number {
  return align > 1 ? Math.ceil(value / align) * align : value;
}

/** Decides sh_name for every section, reusing the original .shstrtab when possible. */
function resolveNames(
  file: ElfFile,
  rebuild: boolean,
): { nameIndexes: number[]; shstrtab: Uint8Array } {
  const { sections } = file;
  const shstrndx = file.header.shstrndx;
  if (shstrndx === 0) {
    const named = sections.findIndex((s) => s.name !== "");
    if (named >= 0) {
      throw new ElfError(
        `${sectionLabel(sections[named]!, named)} has a name but header.shstrndx is 0 (no .shstrtab)`,
        { section: named },
      );
    }
    return { nameIndexes: sections.map(() => 0), shstrtab: new Uint8Array(0) };
  }
  const original = sections[shstrndx]!.data;
  const unchanged =
    !rebuild &&
    sections.every(
      (s) => s.nameIndex !== undefined && tryReadString(original, s.nameIndex) === s.name,
    );
  if (unchanged) {
    return { nameIndexes: sections.map((s) => s.nameIndex ?? 0), shstrtab: original };
  }
  // Names go in the order GNU as adds them, so a rebuilt table matches the
  // assembler's whenever the set of names does: symbol and string tables
  // first, then sections by index, with .group sections (created last) at the end.
  const first = sections.flatMap((s, i) => (s.type === SHT_SYMTAB ? [i, s.link] : []));
  first.push(shstrndx);
  const rest = sections.map((_, i) => i).filter((i) => !first.includes(i));
  const order = [
    ...first,
    ...rest.filter((i) => sections[i]!.type !== SHT_GROUP),
    ...rest.filter((i) => sections[i]!.type === SHT_GROUP),
  ].filter((i) => i >= 0 && i < sections.length);
  const { table, offsets } = buildStringTable(order.map((i) => sections[i]!.name));
  const nameIndexes = sections.map(() => 0);
  order.forEach((i, k) => (nameIndexes[i] = offsets[k]!));
  return { nameIndexes, shstrtab: table };
}

/** Section indexes in the order their contents are placed in the file. */
function placementOrder(file: ElfFile, order: SectionOrder): number[] {
  const { sections } = file;
  const all = sections.map((_, i) => i).slice(1);
  if (order === "index") return all;

  const shstrndx = file.header.shstrndx;
  const symbolStrings = new Set(sections.filter((s) => s.type === SHT_SYMTAB).map((s) => s.link));
  const isLate = (s: ElfSection, i: number): boolean =>
    s.type === SHT_SYMTAB ||
    s.type === SHT_SYMTAB_SHNDX ||
    s.type === SHT_REL ||
    s.type === SHT_RELA ||
    i === shstrndx ||
    symbolStrings.has(i);

  const placed = new Set<number>();
  const out: number[] = [];
  const place = (i: number): void => {
    if (i > 0 && i < sections.length && i !== shstrndx && !placed.has(i)) {
      placed.add(i);
      out.push(i);
    }
  };
  for (const i of all) if (!isLate(sections[i]!, i)) place(i);
  for (const i of all) {
    if (sections[i]!.type !== SHT_SYMTAB) continue;
    place(i);
    for (const j of all) {
      if (sections[j]!.type === SHT_SYMTAB_SHNDX && sections[j]!.link === i) place(j);
    }
    place(sections[i]!.link);
  }
  for (const i of all) {
    if (sections[i]!.type === SHT_REL || sections[i]!.type === SHT_RELA) place(i);
  }
  for (const i of all) place(i);
  if (shstrndx > 0) out.push(shstrndx);
  return out;
}

/** Checks the parts of `file` the writer relies on. */
function validate(file: ElfFile): void {
  const { header, sections } = file;
  const phnum = file.programHeaders?.length ?? 0;
  if (phnum > 0) {
    throw new ElfError(
      `writeElf32 lays out relocatable files only; this file has ${phnum} program headers`,
    );
  }
  for (const [what, value, max] of [
    ["header.type", header.type, 0xffff],
    ["header.machine", header.machine, 0xffff],
    ["header.osabi", header.osabi, 0xff],
    ["header.abiVersion", header.abiVersion, 0xff],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new ElfError(`${what} is ${value}, outside 0..${hex(max)}`);
    }
  }
  if (sections.length === 0) {
    if (header.shstrndx !== 0) {
      throw new ElfError(`header.shstrndx is ${header.shstrndx} but there are no sections`);
    }
    return;
  }
  if (sections[0]!.type !== SHT_NULL) {
    throw new ElfError(`section 0 must be the SHT_NULL section, not type ${sections[0]!.type}`, {
      section: 0,
    });
  }
  const { shstrndx } = header;
  if (!Number.isInteger(shstrndx) || shstrndx < 0 || shstrndx >= sections.length) {
    throw new ElfError(`header.shstrndx is ${shstrndx} but there are ${sections.length} sections`);
  }
  if (shstrndx !== 0 && sections[shstrndx]!.type !== SHT_STRTAB) {
    // Otherwise a rebuilt name table would silently replace that section's contents.
    throw new ElfError(
      `header.shstrndx ${shstrndx} is ${sectionTypeName(sections[shstrndx]!.type)}, expected SHT_STRTAB`,
      { section: shstrndx },
    );
  }
  sections.forEach((s, i) => {
    const where = sectionLabel(s, i);
    if (!isPowerOfTwoOrZero(toU32(s.addralign, `${where} addralign`, i))) {
      throw new ElfError(`${where}: sh_addralign ${hex(s.addralign)} is not a power of two`, {
        section: i,
      });
    }
    if (s.type === SHT_NOBITS || s.type === SHT_NULL) {
      if (s.data.length !== 0) {
        throw new ElfError(`${where} has no file contents (type ${s.type}) but data is ${s.data.length} bytes`, {
          section: i,
        });
      }
    } else if (i !== shstrndx && s.size !== s.data.length) {
      // .shstrtab is exempt: its size is whatever resolveNames settles on.
      throw new ElfError(`${where}: size ${hex(s.size)} does not match data length ${hex(s.data.length)}`, {
        section: i,
      });
    }
  });
}

/**
 * Where writeElf32 would put everything, without producing the bytes. Useful
 * to know final sh_offset values or the rebuilt .shstrtab.
 */
export function layoutElf32(file: ElfFile, options: WriteOptions = {}): ElfLayout {
  validate(file);
  const { sections } = file;
  const { nameIndexes, shstrtab } = resolveNames(file, options.rebuildShstrtab === true);
  const offsets = sections.map(() => 0);
  let end = EHDR_SIZE;
  for (const i of placementOrder(file, options.order ?? "gnu")) {
    const s = sections[i]!;
    if (s.type === SHT_NULL) continue;
    const at = alignUp(end, s.addralign >>> 0);
    offsets[i] = at;
    // BFD keeps the alignment padding of an SHT_NOBITS section even though the
    // section itself occupies nothing, so the next section starts after it.
    end = at;
    if (s.type !== SHT_NOBITS) {
      end += i === file.header.shstrndx ? shstrtab.length : s.data.length;
    }
  }
  const shoff = sections.length === 0 ? 0 : alignUp(end, 4);
  const size = shoff === 0 ? end : shoff + sections.length * SHDR_SIZE;
  if (size > ELF32_MAX_SIZE) {
    throw new ElfError(`output would be ${size} bytes, more than ELF32 offsets can address`);
  }
  return { offsets, nameIndexes, shstrtab, shoff, size };
}

/**
 * Serializes `file` as an ELF32 little-endian object. sh_offset, e_shoff and
 * the header table sizes are computed here (see SectionOrder); the offsets in
 * `file` are ignored. .shstrtab is rebuilt only when a section's name is no
 * longer found at its nameIndex, or when options.rebuildShstrtab is set.
 */
export function writeElf32(file: ElfFile, options: WriteOptions = {}): Uint8Array {
  const layout = layoutElf32(file, options);
  const { header, sections } = file;
  const count = sections.length;
  const extendedCount = count >= SHN_LORESERVE;
  const extendedStrndx = header.shstrndx >= SHN_LORESERVE;

  const out = new Uint8Array(layout.size);
  const view = viewOf(out);
  out.set(ELFMAG, 0);
  out[EI_CLASS] = ELFCLASS32;
  out[EI_DATA] = ELFDATA2LSB;
  out[EI_VERSION] = EV_CURRENT;
  out[EI_OSABI] = header.osabi;
  out[EI_ABIVERSION] = header.abiVersion;
  view.setUint16(0x10, header.type, true);
  view.setUint16(0x12, header.machine, true);
  view.setUint32(0x14, toU32(header.version, "header.version"), true);
  view.setUint32(0x18, toU32(header.entry, "header.entry"), true);
  view.setUint32(0x1c, 0, true);
  view.setUint32(0x20, layout.shoff, true);
  view.setUint32(0x24, toU32(header.flags, "header.flags"), true);
  view.setUint16(0x28, EHDR_SIZE, true);
  // GNU as and ld -r leave e_phentsize 0 when there are no program headers.
  view.setUint16(0x2a, 0, true);
  view.setUint16(0x2c, 0, true);
  view.setUint16(0x2e, count === 0 ? 0 : SHDR_SIZE, true);
  view.setUint16(0x30, extendedCount ? 0 : count, true);
  view.setUint16(0x32, extendedStrndx ? SHN_XINDEX : header.shstrndx, true);

  sections.forEach((s, i) => {
    const where = sectionLabel(s, i);
    const isNames = i === header.shstrndx && i !== 0;
    const contents = isNames ? layout.shstrtab : s.data;
    if (s.type !== SHT_NOBITS && s.type !== SHT_NULL) out.set(contents, layout.offsets[i]);

    let size = s.type === SHT_NOBITS || s.type === SHT_NULL ? s.size : contents.length;
    let link = s.link;
    if (i === 0) {
      // Section 0 holds the real values when they overflow the 16-bit header fields.
      size = extendedCount ? count : 0;
      link = extendedStrndx ? header.shstrndx : 0;
    }
    const at = layout.shoff + i * SHDR_SIZE;
    view.setUint32(at, layout.nameIndexes[i]!, true);
    view.setUint32(at + 4, toU32(s.type, `${where} type`, i), true);
    view.setUint32(at + 8, toU32(s.flags, `${where} flags`, i), true);
    view.setUint32(at + 12, toU32(s.addr, `${where} addr`, i), true);
    view.setUint32(at + 16, layout.offsets[i]!, true);
    view.setUint32(at + 20, toU32(size, `${where} size`, i), true);
    view.setUint32(at + 24, toU32(link, `${where} link`, i), true);
    view.setUint32(at + 28, toU32(s.info, `${where} info`, i), true);
    view.setUint32(at + 32, s.addralign >>> 0, true);
    view.setUint32(at + 36, toU32(s.entsize, `${where} entsize`, i), true);
  });
  return out;
}
