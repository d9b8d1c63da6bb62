import { checkRange, toU32, viewOf } from "./bytes.ts";
import {
  R_386_16,
  R_386_32,
  R_386_32PLT,
  R_386_8,
  R_386_COPY,
  R_386_GLOB_DAT,
  R_386_GOT32,
  R_386_GOT32X,
  R_386_GOTOFF,
  R_386_GOTPC,
  R_386_IRELATIVE,
  R_386_JMP_SLOT,
  R_386_NONE,
  R_386_PC16,
  R_386_PC32,
  R_386_PC8,
  R_386_PLT32,
  R_386_RELATIVE,
  R_386_SIZE32,
  R_386_TLS_DESC_CALL,
  R_386_TLS_DTPMOD32,
  R_386_TLS_DTPOFF32,
  R_386_TLS_GD,
  R_386_TLS_GD_32,
  R_386_TLS_GOTDESC,
  R_386_TLS_GOTIE,
  R_386_TLS_IE,
  R_386_TLS_IE_32,
  R_386_TLS_LDM,
  R_386_TLS_LDM_32,
  R_386_TLS_LDO_32,
  R_386_TLS_LE,
  R_386_TLS_LE_32,
  R_386_TLS_TPOFF,
  R_386_TLS_TPOFF32,
  RELA_SIZE,
  REL_SIZE,
  SHT_NOBITS,
  SHT_REL,
  SHT_RELA,
  relocTypeName,
  sectionTypeName,
} from "./constants.ts";
import { ElfError, hex } from "./errors.ts";
import type { ElfSection } from "./types.ts";

export interface ElfRelocation {
  /** r_offset: byte offset in the target section (sh_info) for relocatable files. */
  offset: number;
  /** R_386_*: low byte of r_info. */
  type: number;
  /** Symbol table index: r_info >> 8. */
  symbol: number;
  /**
   * r_addend for SHT_RELA. SHT_REL entries have no addend field; there it is
   * the implicit addend read from the target section when one is passed to
   * readRelocations, and 0 otherwise.
   */
  addend: number;
}

/** Bytes each i386 relocation type patches (0: marker relocations that patch nothing). */
const WIDTHS: ReadonlyMap<number, number> = new Map([
  [R_386_NONE, 0],
  [R_386_COPY, 0],
  [R_386_TLS_DESC_CALL, 0],
  [R_386_8, 1],
  [R_386_PC8, 1],
  [R_386_16, 2],
  [R_386_PC16, 2],
  ...[
    R_386_32,
    R_386_PC32,
    R_386_GOT32,
    R_386_PLT32,
    R_386_GLOB_DAT,
    R_386_JMP_SLOT,
    R_386_RELATIVE,
    R_386_GOTOFF,
    R_386_GOTPC,
    R_386_32PLT,
    R_386_TLS_TPOFF,
    R_386_TLS_IE,
    R_386_TLS_GOTIE,
    R_386_TLS_LE,
    R_386_TLS_GD,
    R_386_TLS_LDM,
    R_386_TLS_GD_32,
    R_386_TLS_LDM_32,
    R_386_TLS_LDO_32,
    R_386_TLS_IE_32,
    R_386_TLS_LE_32,
    R_386_TLS_DTPMOD32,
    R_386_TLS_DTPOFF32,
    R_386_TLS_TPOFF32,
    R_386_SIZE32,
    R_386_TLS_GOTDESC,
    R_386_IRELATIVE,
    R_386_GOT32X,
  ].map((t): [number, number] => [t, 4]),
]);

/** How many bytes a relocation of `type` patches. Throws for types without a fixed field. */
export function relocationWidth(type: number): number {
  const width = WIDTHS.get(type);
  if (width === undefined) {
    throw new ElfError(`${relocTypeName(type)} has no field this library knows how to address`);
  }
  return width;
}

function checkFieldInSection(target: ElfSection, offset: number, type: number): number {
  const width = relocationWidth(type);
  const name = target.name || "target section";
  if (target.type === SHT_NOBITS) {
    throw new ElfError(
      `${relocTypeName(type)} at ${hex(offset)} targets ${name}, which has no contents (SHT_NOBITS)`,
      { offset },
    );
  }
  checkRange(target.data.length, offset, width, `${relocTypeName(type)} at ${hex(offset)}`, name);
  return width;
}

/**
 * The addend an SHT_REL relocation takes from the bytes it patches in
 * `target` (sign-extended, since i386 code stores e.g. -4 for PC32 calls).
 */
export function implicitAddend(target: ElfSection, offset: number, type: number): number {
  const width = checkFieldInSection(target, offset, type);
  const view = viewOf(target.data);
  switch (width) {
    case 0:
      return 0;
    case 1:
      return view.getInt8(offset);
    case 2:
      return view.getInt16(offset, true);
    default:
      return view.getInt32(offset, true);
  }
}

/**
 * Stores `addend` where an SHT_REL relocation of `type` at `offset` reads it,
 * e.g. when turning RELA entries into REL ones. Mutates `target.data`.
 */
export function writeImplicitAddend(
  target: ElfSection,
  offset: number,
  type: number,
  addend: number,
): void {
  const width = checkFieldInSection(target, offset, type);
  if (width === 0) return;
  const bits = width * 8;
  // Either signed or unsigned readings of the field are accepted: R_386_32
  // addends are often written as addresses, PC32 ones as small negatives.
  if (!Number.isInteger(addend) || addend < -(2 ** (bits - 1)) || addend >= 2 ** bits) {
    throw new ElfError(`addend ${addend} does not fit the ${bits}-bit field of ${relocTypeName(type)}`, {
      offset,
    });
  }
  const view = viewOf(target.data);
  if (width === 1) view.setUint8(offset, addend & 0xff);
  else if (width === 2) view.setUint16(offset, addend & 0xffff, true);
  else view.setUint32(offset, addend >>> 0, true);
}

/**
 * Decodes an SHT_REL or SHT_RELA section. For SHT_REL, pass the section the
 * relocations apply to (the one at sh_info) to get implicit addends.
 * Symbol indexes are not checked against the symbol table.
 */
export function readRelocations(section: ElfSection, target?: ElfSection): ElfRelocation[] {
  const where = `relocation section ${section.name || "(unnamed)"}`;
  const rela = section.type === SHT_RELA;
  if (!rela && section.type !== SHT_REL) {
    throw new ElfError(`${where} is ${sectionTypeName(section.type)}, expected SHT_REL or SHT_RELA`);
  }
  const entsize = rela ? RELA_SIZE : REL_SIZE;
  if (section.entsize !== entsize) {
    throw new ElfError(`${where}: sh_entsize is ${section.entsize}, expected ${entsize}`);
  }
  if (section.data.length % entsize !== 0) {
    throw new ElfError(`${where}: size ${hex(section.data.length)} is not a multiple of ${entsize}`);
  }
  const view = viewOf(section.data);
  const out: ElfRelocation[] = [];
  for (let at = 0; at < section.data.length; at += entsize) {
    const offset = view.getUint32(at, true);
    const info = view.getUint32(at + 4, true);
    const type = info & 0xff;
    let addend = 0;
    if (rela) addend = view.getInt32(at + 8, true);
    else if (target !== undefined) addend = implicitAddend(target, offset, type);
    out.push({ offset, type, symbol: info >>> 8, addend });
  }
  return out;
}

function relocationInfo(r: ElfRelocation, i: number): number {
  if (!Number.isInteger(r.symbol) || r.symbol < 0 || r.symbol > 0xffffff) {
    throw new ElfError(`relocation ${i}: symbol index ${r.symbol} does not fit in 24 bits`);
  }
  if (!Number.isInteger(r.type) || r.type < 0 || r.type > 0xff) {
    throw new ElfError(`relocation ${i}: type ${r.type} does not fit in 8 bits`);
  }
  return ((r.symbol << 8) | r.type) >>> 0;
}

/**
 * SHT_REL contents (sh_entsize 8). Addends are not part of the entry: store
 * them in the target section with writeImplicitAddend.
 */
export function encodeRel(relocations: readonly ElfRelocation[]): Uint8Array {
  const out = new Uint8Array(relocations.length * REL_SIZE);
  const view = viewOf(out);
  relocations.forEach((r, i) => {
    view.setUint32(i * REL_SIZE, toU32(r.offset, `relocation ${i} offset`), true);
    view.setUint32(i * REL_SIZE + 4, relocationInfo(r, i), true);
  });
  return out;
}

/** SHT_RELA contents (sh_entsize 12); addends are stored as signed 32-bit. */
export function encodeRela(relocations: readonly ElfRelocation[]): Uint8Array {
  const out = new Uint8Array(relocations.length * RELA_SIZE);
  const view = viewOf(out);
  relocations.forEach((r, i) => {
    const at = i * RELA_SIZE;
    view.setUint32(at, toU32(r.offset, `relocation ${i} offset`), true);
    view.setUint32(at + 4, relocationInfo(r, i), true);
    view.setUint32(at + 8, toU32(r.addend, `relocation ${i} addend`), true);
  });
  return out;
}
