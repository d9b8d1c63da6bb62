// "What changed, in machine code": for each function a build replaces, the
// original and the patched disassembly side by side and the first
// instruction that differs, with the source line when known (klp-build -f).
import { compareFunctions, type DisasmLine, type DisasmRow } from "./compare.ts";
import type { X86Decoder } from "./decoder.ts";
import { functionCode } from "./function-code.ts";
import { sourceIndex, type SourceLine } from "./source-line.ts";

/** One compiled object of the build: the running kernel's and the patched. */
export interface CompiledPair {
  object: string;
  original: Uint8Array;
  patched: Uint8Array;
}

export interface FunctionMachineDiff {
  name: string;
  object: string;
  rows: DisasmRow[];
  /** The first row that is not the same; undefined when only relocation targets outside the code differ. */
  first?: { original?: DisasmLine; patched?: DisasmLine };
  source?: SourceLine;
  /** Bytes of code, original and patched. */
  sizes: { original: number; patched: number };
}

export interface WhatChangedInput {
  functions: readonly { name: string; object: string }[];
  compiled: readonly CompiledPair[];
  diffText: string;
  readPristine: (path: string) => string | undefined;
  decoder: X86Decoder;
}

export function whatChanged(input: WhatChangedInput): FunctionMachineDiff[] {
  const sources = sourceIndex(input.diffText, input.readPristine);
  return input.functions.map((f) => {
    const pair = input.compiled.find((c) => c.object === f.object);
    const original = pair && functionCode(pair.original, f.name);
    const patched = pair && functionCode(pair.patched, f.name);
    const rows = compareFunctions(original, patched, input.decoder);
    const first = rows.find((r) => r.kind !== "same");
    const source = sources.lineOf(f.name, f.object);
    return {
      name: f.name,
      object: f.object,
      rows,
      ...(first ? { first: { ...(first.original ? { original: first.original } : {}), ...(first.patched ? { patched: first.patched } : {}) } } : {}),
      ...(source ? { source } : {}),
      sizes: { original: original?.bytes.length ?? 0, patched: patched?.bytes.length ?? 0 },
    };
  });
}

/** klp build --show-first-changed: a few lines per function. */
export function formatFirstChanged(diffs: readonly FunctionMachineDiff[]): string[] {
  const lines: string[] = [];
  const at = (l: DisasmLine | undefined, missing: string): string => (l ? `+0x${l.offset.toString(16).padStart(2, "0")}  ${l.text}` : missing);
  for (const d of diffs) {
    lines.push(`  ${d.name} [${d.object}]: ${d.sizes.original} -> ${d.sizes.patched} bytes${d.source ? `, ${d.source.file}:${d.source.line}: ${d.source.text}` : ""}`);
    if (!d.first) {
      lines.push("      the instructions are the same (a data or relocation target the code uses changed)");
      continue;
    }
    lines.push(`      first difference:  original ${at(d.first.original, "— (new in the patched code)")}`);
    lines.push(`                         patched  ${at(d.first.patched, "— (gone from the patched code)")}`);
  }
  return lines;
}
