// A small ELF32 little-endian (i386) reader/writer for relocatable objects and
// kernel modules. Pure functions over Uint8Array: no Node APIs, so it runs in
// browser workers as well as in the CLI.

export * from "./constants.ts";
export { ElfError, type ElfErrorLocation } from "./errors.ts";
export type { ElfFile, ElfHeader, ElfProgramHeader, ElfSection } from "./types.ts";
export { parseElf32, findSection, findSectionByType } from "./read.ts";
export { writeElf32, layoutElf32, type ElfLayout, type SectionOrder, type WriteOptions } from "./write.ts";
export { ElfBuilder, type BuiltElf } from "./builder.ts";
export {
  StringTableBuilder,
  buildStringTable,
  readString,
  tryReadString,
  encodeName,
  type StringTable,
} from "./strtab.ts";
export {
  readSymbols,
  encodeSymbols,
  findSymbol,
  symbolInfo,
  type ElfSymbol,
  type ElfSymbolInput,
  type EncodedSymbols,
} from "./symbols.ts";
export {
  readRelocations,
  encodeRel,
  encodeRela,
  implicitAddend,
  writeImplicitAddend,
  relocationWidth,
  type ElfRelocation,
} from "./relocations.ts";
