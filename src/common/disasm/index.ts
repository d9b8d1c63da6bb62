// Machine code, disassembled and compared (klp build --show-first-changed, the page's "what changed" view).
export type { DecodedInstruction, X86Decoder } from "./decoder.ts";
export { capstoneDecoder, type CapstoneModule } from "./capstone.ts";
export { functionCode, type FunctionCode, type CodeRelocation } from "./function-code.ts";
export { compareFunctions, disassemble, type DisasmLine, type DisasmRow, type RowKind } from "./compare.ts";
export { sourceIndex, type SourceLine } from "./source-line.ts";
export { formatFirstChanged, whatChanged, type CompiledPair, type FunctionMachineDiff, type WhatChangedInput } from "./what-changed.ts";
export { recordingCompiler } from "./record.ts";
