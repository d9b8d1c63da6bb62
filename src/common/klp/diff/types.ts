// What the object differ hands to the module assembler.
import type { ElfFile } from "../../elf/index.ts";
import type { SpecialSizes } from "./special.ts";
import type { MovedLine } from "./compare.ts";

/**
 * One line per decision, for a person debugging a patch (objtool's
 * --debug-correlate): "correlated `x` with `x`", "`x` changed: …", "… included: …".
 */
export type DiffTrace = (line: string) => void;

export interface DiffOptions {
  /** Symbols vmlinux exports (Module.symvers): references to them stay plain relocations. */
  exported?: ReadonlySet<string>;
  /** Special-section entry sizes (klp-layout.json); defaults to our i386 config's. */
  specialSizes?: SpecialSizes;
  /**
   * Whether source line `oldLine` moved to `newLine` (a line the patch kept,
   * with lines added or removed above it). A constant that changed exactly
   * that way is a `__LINE__` (printk(..., __LINE__), might_sleep()), not a
   * change to the code.
   */
  movedLine?: MovedLine;
  /** Told every correlation, change and inclusion as it is decided; the result is the same with or without. */
  trace?: DiffTrace;
  /**
   * One object of several: when its only change is new global functions or
   * variables, they are carried (not refused as unreached), since another
   * object's changed code may call them. diffAll decides whether any does.
   */
  carryNewGlobals?: boolean;
}

export interface ChangedFunction {
  /** Name in the original object, which is its name in vmlinux. */
  name: string;
  /** Name in the patched object (differs for renumbered GCC clones). */
  patchedName: string;
  /** Why it is part of the patch: "bytes differ", "calls `x`, which changed ...". */
  reason: string;
  /** Whether it is static (STB_LOCAL) in the original object: then its sympos is looked up by file. */
  local: boolean;
  /** KPATCH_FORCE_UNSAFE: the author says old and new may run at once; see kpatch-macros.ts. */
  forceUnsafe?: boolean;
}

export interface IncludedSymbol {
  name: string;
  /** "new": not in the original; "helper": a changed notrace/.cold function carried as a private copy. */
  kind: "new-function" | "new-data" | "helper" | "changed-rodata";
  reason?: string;
}

/** A symbol the included code refers to but does not carry: it stays in vmlinux. */
export interface ExternalSymbol {
  /** Index in the intermediate ELF's symbol table. */
  index: number;
  /** Its name in the original object, i.e. in vmlinux. */
  name: string;
  /** Static in the original object (so it must be found among this file's locals in vmlinux). */
  local: boolean;
  /** Exported by vmlinux (Module.symvers): the module loader resolves it. */
  exported: boolean;
}

export interface ObjectDiff {
  /** The object's STT_FILE name (e.g. "cmdline.c"), which groups its statics in vmlinux's symtab. */
  file: string;
  /**
   * The original object's static functions and variables: with `file`, they
   * identify the object's STT_FILE block in vmlinux when two objects share a
   * file name.
   */
  localSymbols: { name: string; size: number }[];
  changedFunctions: ChangedFunction[];
  /** New functions and data, notrace helpers, copies of changed read-only data. */
  included: IncludedSymbol[];
  /** The new global (or weak) functions and variables it defines, which another object of the patch may use. */
  newGlobals: string[];
  /** Things worth telling the patch author ("`foo` is inlined into `bar`: bar was patched instead"). */
  notes: string[];
  /**
   * A relocatable ELF with only the included sections (special-section
   * entries filtered to the included functions); everything else they use
   * is an undefined symbol listed in `externals`.
   */
  elf: ElfFile;
  externals: ExternalSymbol[];
  /** Names of the special sections carried (with at least one entry). */
  specialSections: string[];
}
