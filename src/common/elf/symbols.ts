import { toU32, viewOf } from "./bytes.ts";
import {
  SHN_LORESERVE,
  SHT_DYNSYM,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_LOCAL,
  SYM_SIZE,
  sectionTypeName,
} from "./constants.ts";
import { ElfError, hex } from "./errors.ts";
import { buildStringTable, readString } from "./strtab.ts";
import type { ElfFile } from "./types.ts";

/** A symbol as encodeSymbols takes it. */
export interface ElfSymbolInput {
  name: string;
  value: number;
  size: number;
  /** STB_*: high nibble of st_info. */
  bind: number;
  /** STT_*: low nibble of st_info. */
  type: number;
  /** STV_*: low two bits of st_other. */
  visibility: number;
  /**
   * st_shndx as stored: a section index or a special value (SHN_UNDEF,
   * SHN_ABS, SHN_COMMON, SHN_LIVEPATCH, ...). SHN_XINDEX is left as is; this
   * library does not resolve SHT_SYMTAB_SHNDX.
   */
  shndx: number;
}

export interface ElfSymbol extends ElfSymbolInput {
  /** Position in the symbol table: what relocations refer to. */
  index: number;
}

export interface EncodedSymbols {
  /** Contents for the SHT_SYMTAB section (sh_entsize 16). */
  symtab: Uint8Array;
  /** Contents for its SHT_STRTAB section (the symtab's sh_link). */
  strtab: Uint8Array;
  /** Index of the first non-local symbol: the symtab's sh_info. */
  firstGlobal: number;
  /**
   * indexMap[i] is the output index of input symbol i. Locals are moved ahead
   * of globals, so relocations must be renumbered through this unless the
   * input already had all locals first (then it is the identity).
   */
  indexMap: number[];
}

export function symbolInfo(bind: number, type: number): number {
  return ((bind & 0xf) << 4) | (type & 0xf);
}

/**
 * Decodes the SHT_SYMTAB (or SHT_DYNSYM) section at `symtabIndex`, names
 * resolved through its sh_link string table. Entry 0, the null symbol, is
 * included so that array positions equal symbol indexes.
 */
export function readSymbols(file: ElfFile, symtabIndex: number): ElfSymbol[] {
  const { sections } = file;
  if (!Number.isInteger(symtabIndex) || symtabIndex <= 0 || symtabIndex >= sections.length) {
    throw new ElfError(
      `symbol table index ${symtabIndex} is not a section (file has ${sections.length})`,
    );
  }
  const symtab = sections[symtabIndex]!;
  const where = `section ${symtabIndex} (${symtab.name || "unnamed"})`;
  if (symtab.type !== SHT_SYMTAB && symtab.type !== SHT_DYNSYM) {
    throw new ElfError(`${where} is ${sectionTypeName(symtab.type)}, not a symbol table`, {
      section: symtabIndex,
    });
  }
  if (symtab.entsize !== SYM_SIZE) {
    throw new ElfError(`${where}: sh_entsize is ${symtab.entsize}, expected ${SYM_SIZE}`, {
      section: symtabIndex,
    });
  }
  if (symtab.data.length % SYM_SIZE !== 0) {
    throw new ElfError(
      `${where}: size ${hex(symtab.data.length)} is not a multiple of ${SYM_SIZE}`,
      { section: symtabIndex },
    );
  }
  const { link } = symtab;
  if (link <= 0 || link >= sections.length) {
    throw new ElfError(`${where}: sh_link ${link} is not a section (file has ${sections.length})`, {
      section: symtabIndex,
    });
  }
  const strtab = sections[link]!;
  if (strtab.type !== SHT_STRTAB) {
    throw new ElfError(
      `${where}: sh_link ${link} is ${sectionTypeName(strtab.type)}, expected SHT_STRTAB`,
      { section: symtabIndex },
    );
  }

  const view = viewOf(symtab.data);
  const count = symtab.data.length / SYM_SIZE;
  const out: ElfSymbol[] = [];
  for (let index = 0; index < count; index++) {
    const at = index * SYM_SIZE;
    const info = view.getUint8(at + 12);
    const shndx = view.getUint16(at + 14, true);
    if (shndx !== 0 && shndx < SHN_LORESERVE && shndx >= sections.length) {
      throw new ElfError(
        `${where}: symbol ${index} has st_shndx ${shndx}, but the file has ${sections.length} sections`,
        { section: symtabIndex, offset: at + 14 },
      );
    }
    out.push({
      index,
      name: readString(strtab.data, view.getUint32(at, true), `${where}: symbol ${index} name`),
      value: view.getUint32(at + 4, true),
      size: view.getUint32(at + 8, true),
      bind: info >> 4,
      type: info & 0xf,
      visibility: view.getUint8(at + 13) & 0x3,
      shndx,
    });
  }
  return out;
}

function isNullSymbol(s: ElfSymbolInput): boolean {
  return (
    s.name === "" &&
    s.value === 0 &&
    s.size === 0 &&
    s.bind === 0 &&
    s.type === 0 &&
    s.visibility === 0 &&
    s.shndx === 0
  );
}

function checkField(value: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ElfError(`${what} is ${value}, outside 0..${hex(max)}`);
  }
  return value;
}

/**
 * Encodes symbols into .symtab/.strtab contents. `symbols[0]` must be the null
 * symbol (as readSymbols returns it). Locals are placed before all other
 * bindings, as the gABI requires, keeping the relative order within each group.
 * Names that are tails of other names share their string table entry.
 */
export function encodeSymbols(symbols: readonly ElfSymbolInput[]): EncodedSymbols {
  if (symbols.length === 0 || !isNullSymbol(symbols[0]!)) {
    throw new ElfError("encodeSymbols: symbols[0] must be the null symbol (all fields 0, name \"\")");
  }
  const locals: number[] = [];
  const others: number[] = [];
  symbols.forEach((s, i) => (s.bind === STB_LOCAL ? locals : others).push(i));
  const order = [...locals, ...others];

  const strings = buildStringTable(order.map((i) => symbols[i]!.name));
  const symtab = new Uint8Array(order.length * SYM_SIZE);
  const view = viewOf(symtab);
  const indexMap = new Array<number>(symbols.length);
  order.forEach((from, to) => {
    const s = symbols[from]!;
    const what = `symbol ${from} (${JSON.stringify(s.name)})`;
    indexMap[from] = to;
    const at = to * SYM_SIZE;
    view.setUint32(at, strings.offsets[to]!, true);
    view.setUint32(at + 4, toU32(s.value, `${what} value`), true);
    view.setUint32(at + 8, toU32(s.size, `${what} size`), true);
    view.setUint8(
      at + 12,
      symbolInfo(checkField(s.bind, 0xf, `${what} bind`), checkField(s.type, 0xf, `${what} type`)),
    );
    view.setUint8(at + 13, checkField(s.visibility, 0x3, `${what} visibility`));
    view.setUint16(at + 14, checkField(s.shndx, 0xffff, `${what} shndx`), true);
  });
  return { symtab, strtab: strings.table, firstGlobal: locals.length, indexMap };
}

/** Index of the symbol called `name` (first match, skipping entry 0), or -1. */
export function findSymbol(symbols: readonly ElfSymbol[], name: string): number {
  for (let i = 1; i < symbols.length; i++) if (symbols[i]!.name === name) return symbols[i]!.index;
  return -1;
}
