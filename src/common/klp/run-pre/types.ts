// The shapes run-pre matching takes and gives: plain data, so a result can
// cross the worker boundary and go into `klp --json` as it is.
import type { StructLayout } from "../module/layout.ts";
import type { VmlinuxSymbols } from "../module/vmlinux-symbols.ts";

export interface RunPreInput {
  /** The kernel's own object for the source file (i386 ELF REL, built with -ffunction-sections), as vmlinux was linked from it. */
  baseline: Uint8Array;
  /** Object-level symbol names of the functions the patch replaces. */
  functions: readonly string[];
  vmlinux: VmlinuxSymbols;
  /** The bytes the running kernel has at a virtual address. */
  readKernel(va: number, length: number): Promise<Uint8Array>;
  /**
   * klp-layout.json's measurements; only `alt_instr` is read. Without it,
   * the sizes measured for our config (DEFAULT_SPECIAL_SIZES) are used.
   */
  layout?: { alt_instr: StructLayout & { instrlen?: number } };
  /** How messages name the baseline ("kernel/sys.o"); default: its STT_FILE. */
  object?: string;
  /** Mismatches listed per function before the rest are only counted (default 16). */
  maxMismatchesPerFunction?: number;
}

/** Why bytes of a function are not compared: the kernel rewrites them at run time. */
export type WildcardKind = "ftrace" | "alternative" | "jump-label" | "static-call" | "runtime-const";

export interface SkippedRange {
  /** Offset from the function's start. */
  offset: number;
  length: number;
  why: WildcardKind;
}

export interface CheckedFunction {
  name: string;
  /** Where the running kernel has it. */
  address: number;
  /** Bytes compared: the baseline's st_size. */
  size: number;
  /** Its position among same-named vmlinux symbols (0: the name is unique), as livepatch's old_sympos. */
  sympos: number;
  /** Relocated fields checked against vmlinux's addresses or learned ones. */
  references: number;
  skipped: SkippedRange[];
  matches: boolean;
  /** Mismatches found beyond maxMismatchesPerFunction, not listed. */
  omitted: number;
}

/**
 * - `bytes`: instruction bytes differ;
 * - `reference`: a relocated field points somewhere else than vmlinux has the target;
 * - `learned`: a target whose address was learned from the running code is found at two addresses;
 * - `size`: vmlinux's symbol has another size than the baseline's function.
 */
export type MismatchKind = "bytes" | "reference" | "learned" | "size";

export interface RunPreMismatch {
  function: string;
  /** Offset from the function's start. */
  offset: number;
  /** The baseline's bytes, linked as the running kernel should have them. */
  expected: Uint8Array;
  found: Uint8Array;
  kind: MismatchKind;
  /** One sentence for a person: "the running kernel's f differs from the source this patch was built from at +0x1c: …". */
  detail: string;
}

/**
 * A relocation target whose address no symbol table tells (a merged string or
 * constant, an anonymous section, a symbol vmlinux does not name uniquely):
 * taken from the running code the first time, as Ksplice did, and required to
 * be the same at every later reference.
 */
export interface LearnedTarget {
  /** "<section>+0x<offset>" for one merged constant, "<section>" for a whole section, else the symbol's name. */
  target: string;
  address: number;
  why: "merged-section" | "anonymous-section" | "not-in-vmlinux" | "ambiguous";
  /** The first reference it was learned from. */
  from: { function: string; offset: number };
  /** How many references agreed with it (the first included). */
  uses: number;
}

export interface RunPreResult {
  checked: CheckedFunction[];
  mismatches: RunPreMismatch[];
  learned: LearnedTarget[];
}
