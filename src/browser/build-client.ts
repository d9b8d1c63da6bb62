// The page's side of the live-patch build. The Build button talks to a
// PatchBuilder; the real one (a builder worker running the klp pipeline on
// the build-host VM) is being finished separately.
//
// PENDING(builder): replace `unavailableBuilder` with a Comlink client of
// workers/builder.worker.ts once it exists; the types below mirror
// src/common/klp/pipeline.ts's BuildOutput/KlpBuildError so the UI does not change.

export type BuildStageName = "parse" | "apply" | "plan" | "compile" | "diff" | "assemble";

export interface BuildStage {
  name: BuildStageName;
  /** Set when the stage finished. */
  ms?: number;
  /** Short summary ("fs/proc/cmdline.o", "2 changed functions"). */
  detail?: string;
}

export interface BuildEvents {
  /** A stage started (no ms) or finished (ms set). */
  onStage(stage: BuildStage): void;
  /** Streaming log text (compiler output, notes). */
  onLog(text: string): void;
}

export interface BuildResult {
  module: Uint8Array;
  /** Module name, also /sys/kernel/livepatch/<name>. */
  name: string;
  object: string;
  changedFunctions: { name: string; reason: string }[];
  newFunctions: string[];
  newData: string[];
  notes: string[];
  stages: BuildStage[];
}

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
  constructor(
    readonly stage: BuildStageName | "unavailable",
    message: string,
    /** What to try, and the detail (expected vs found, compiler output). */
    readonly detail = "",
    readonly diagnostics: BuildDiagnostic[] = [],
  ) {
    super(message);
  }
}

export interface PatchBuilder {
  /** Whether a build can run now (false: the Build button explains why). */
  readonly available: boolean;
  build(diff: string, name: string, events: BuildEvents): Promise<BuildResult>;
}

/** Until the builder worker lands: says so, never pretends to build. */
export const unavailableBuilder: PatchBuilder = {
  available: false,
  build() {
    return Promise.reject(
      new BuildFailure(
        "unavailable",
        "The patch builder is not available yet.",
        "The in-browser build host (GCC in a second emulated machine) is still being wired into the page. Your patch is saved here and will build as soon as it lands. Samples, the source browser, the terminal and Apply of a ready module already work.",
      ),
    );
  },
};
