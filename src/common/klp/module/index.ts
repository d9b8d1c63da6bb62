// The livepatch module assembler (pipeline stage 6). Pure functions over bytes.
export { assembleModule, type AssembleInput, type AssembledModule, type ResolvedReference } from "./assemble.ts";
export { KlpModuleError, type KlpModuleCode, type KlpModuleReason } from "./errors.ts";
export { parseKlpLayout, specialSizesOf, type KlpLayout, type StructLayout } from "./layout.ts";
export { parseModuleSymvers } from "./symvers.ts";
export { locate, type VmlinuxLocation } from "./sympos.ts";
export { parseVmlinuxSymbols, VmlinuxSymbols, type VmlinuxSymbol, type VmlinuxSymbolRow, type VmlinuxSymbolsFile } from "./vmlinux-symbols.ts";
