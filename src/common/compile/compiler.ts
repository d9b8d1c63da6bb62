// The compile service the klp pipeline runs on: one kernel object, built with
// its recorded kbuild command, some files of the tree swapped for patched
// text. Implementations: the build-host VM (BuildHost), the native fast path
// (NativeBuildHost), and GCC built for WebAssembly (WasmCompiler). The
// pipeline needs nothing else from them, so a new one only has to keep the
// promises written here.
import type { Diagnostic } from "./diagnostics.ts";

export interface CompileRequest {
  /** Object to build, relative to the kernel tree (e.g. fs/proc/cmdline.o). */
  object: string;
  /** Patched files, by tree-relative path; everything else is pristine. */
  overrides?: Record<string, string>;
}

/** How the object was compiled: a plain kbuild command, or through a precompiled header (first build of the file, or a later one). */
export type CompileMode = "plain" | "pch" | "pch-first";

export interface CompileResult {
  exitCode: number;
  /** The patched object, when the compile succeeded. */
  object?: Uint8Array;
  /**
   * What to diff the object against: the same source, unpatched, compiled the
   * same way. A plain compile's baseline is the kernel's own object; a PCH
   * compile's is the pristine file compiled through the same PCH, because GCC
   * does not promise identical code through a PCH (register allocation can
   * differ), and a differ must only see the user's changes.
   */
  baseline?: Uint8Array;
  /** GCC's messages, parsed; paths tree-relative. */
  diagnostics: Diagnostic[];
  /** GCC's output as it printed it, for when the diagnostics do not explain a failure. */
  log: string;
  mode: CompileMode;
  /** Answered from a cache of earlier identical requests. */
  cached: boolean;
  ms: number;
  /** Where the time went, when the compiler knows ("735 files fetched 0.4 s, cc1 2.6 s, as 0.1 s"): the build log prints it. */
  timing?: string;
}

/**
 * Compiles one object. A failed compile resolves (exitCode ≠ 0, with the
 * diagnostics); a rejection means the service itself failed (the VM died, a
 * file is missing), which the pipeline reports as such. Calls may overlap:
 * an implementation that can run one compile at a time queues them.
 */
export interface Compiler {
  compile(request: CompileRequest): Promise<CompileResult>;
}
