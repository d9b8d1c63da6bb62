// The page's side of the live-patch build. The Build button talks to a
// PatchBuilder: workerBuilder() runs the klp pipeline in
// workers/builder.worker.ts against the build-host VM. The results are the
// pipeline's own types (src/common/klp/pipeline.ts), with GCC's messages
// turned into editor markers.
import * as Comlink from "comlink";
import type { FunctionMachineDiff } from "../common/disasm/index.ts";
import type { BuilderApi } from "../../workers/builder.worker.ts";
import type { Progress } from "./images.ts";
import { refusalDiagnostics } from "./editor/refusal-markers.ts";
import type { Diagnostic } from "../common/compile/diagnostics.ts";
import type { BuildErrorData, BuildOutput, StageName, StageTiming } from "../common/klp/pipeline.ts";
import type { ErrorCode, ErrorKind, ErrorLocation } from "../common/errors/codes.ts";

/** The editor's name for the patch itself (editor/patch-editor.ts DIFF_TAB). */
const DIFF_FILE = "patch.diff";

export type BuildStageName = StageName;

/** A stage that started (no ms yet) or finished. */
export type BuildStage = Omit<StageTiming, "ms"> & { ms?: number };

export interface BuildEvents {
  /** A stage started (no ms) or finished (ms set). */
  onStage(stage: BuildStage): void;
  /** Streaming log text (compiler output, notes). */
  onLog(text: string): void;
}

export type BuildResult = Omit<BuildOutput, "warnings"> & {
  /** GCC's warnings, as editor markers. */
  warnings: BuildDiagnostic[];
};

/** Where a build error points: a line of the diff or of a source file. */
export interface BuildDiagnostic {
  file: string;
  line: number;
  column?: number;
  severity: "error" | "warning" | "note";
  message: string;
}

export class BuildFailure extends Error {
  override readonly name = "BuildFailure";
  /** Undefined for a failure before the pipeline ran (the build host did not start): no stage failed. */
  readonly stage: BuildStageName | undefined;
  /** `internal`: the playground's own fault, to be shown as such (src/common/errors/codes.ts). */
  readonly kind: ErrorKind;
  readonly code: ErrorCode;
  /** What to try, and the detail (expected vs found, compiler output). */
  readonly detail: string;
  readonly location: ErrorLocation | undefined;
  readonly diagnostics: BuildDiagnostic[];

  constructor(error: Omit<BuildErrorData, "diagnostics" | "stage"> & { stage: BuildStageName | undefined }, diagnostics: BuildDiagnostic[] = []) {
    super(error.message);
    this.stage = error.stage;
    this.kind = error.kind;
    this.code = error.code;
    this.detail = error.detail;
    this.location = error.location;
    this.diagnostics = diagnostics;
  }
}

export interface PatchBuilder {
  build(diff: string, name: string, events: BuildEvents): Promise<BuildResult>;
  /**
   * Starts the build host and precompiles what this patch will compile, in
   * the background; resolves to the objects prepared (never rejects).
   */
  prepare(diff: string): Promise<string[]>;
  /** The last build's changed functions in machine code, original and patched side by side. */
  machineCode(): Promise<FunctionMachineDiff[]>;
  /** Run-pre matching of the last build against the running kernel (its memory read through `readKernel`). */
  runPre(readKernel: (va: number, length: number) => Promise<Uint8Array>): Promise<{ checked: number; refusal?: { message: string; detail: string } }>;
  /** Throws the builder away (a stalled download, a dead build host); the next build starts a fresh one. */
  restart(): void;
}

/**
 * The real builder: a worker that resumes the build-host VM (downloaded on
 * first use, or earlier through prepare) and runs the pipeline there.
 */
export function workerBuilder(imagesBase: string, onDownload: Progress): PatchBuilder {
  const start = () => {
    const worker = new Worker(new URL("../../workers/builder.worker.ts", import.meta.url), { type: "module" });
    return { worker, api: Comlink.wrap<BuilderApi>(worker) };
  };
  let { worker, api } = start();
  const progress = Comlink.proxy(onDownload);
  return {
    prepare(diff) {
      return api.prepare(imagesBase, diff, progress).catch(() => []);
    },
    machineCode() {
      return api.machineCode();
    },
    runPre(readKernel) {
      return api.runPre(Comlink.proxy(readKernel));
    },
    restart() {
      worker.terminate();
      ({ worker, api } = start());
    },
    async build(diff, name, events) {
      const reply = await api.build(
        imagesBase,
        diff,
        name,
        Comlink.proxy((s) => events.onStage(s)),
        Comlink.proxy((p) => {
          if (p.line !== undefined) return events.onLog(`${p.line}\n`);
          // Which compiler runs (and what to expect of it) is the worker's first log line.
          events.onStage({ name: p.stage });
        }),
        progress,
      );
      if (!reply.ok) {
        const gcc = editorDiagnostics(reply.error.diagnostics);
        // A refusal has no compiler message: its location puts it on the diff and source line it is about.
        throw new BuildFailure(reply.error, gcc.length ? gcc : refusalDiagnostics(diff, reply.error.location, reply.error.message));
      }
      return { ...reply.output, warnings: editorDiagnostics(reply.output.warnings) };
    },
  };
}

/** GCC's messages on the source file, and on the diff line that shows it (where the person is typing). */
function editorDiagnostics(diagnostics: readonly Diagnostic[]): BuildDiagnostic[] {
  return diagnostics.flatMap((d) => {
    const severity = d.severity === "fatal error" ? "error" : d.severity;
    const onSource: BuildDiagnostic = { file: d.file, line: d.line, column: d.column, severity, message: d.message };
    return d.diffLine === undefined ? [onSource] : [onSource, { file: DIFF_FILE, line: d.diffLine, severity, message: `${d.file}:${d.line}: ${d.message}` }];
  });
}
