// The whole klp-build: a unified diff in, a livepatch module out.
// parse -> apply -> plan -> compile -> diff -> assemble, each stage timed and
// each failure turned into a KlpBuildError that says which stage refused, a
// one-line reason, the detail a person needs to fix the patch, and a code
// (src/common/errors/codes.ts) a program can act on. The stages' work lives
// in their own modules (build/, patch/, plan.ts, diff/, module/); this is the order.
// Pure TypeScript over injected services, so the page's worker and Node run it alike.
import { applyPatch, parseDiff, type ApplyResult, type ParsedPatch } from "../patch/index.ts";
import type { Diagnostic } from "../compile/diagnostics.ts";
import type { CompileRequest, CompileResult } from "../../machine/build-host.ts";
import type { KbuildIndex } from "../kbuild/index-format.ts";
import type { BuildStage } from "../errors/codes.ts";
import { assembleModule, specialSizesOf, type KlpLayout, type ResolvedReference, type VmlinuxSymbols } from "./module/index.ts";
import { planBuild, type Plan } from "./plan.ts";
import { diffLineNote, locatedDiagnostics, movedLineOf } from "./build/diff-lines.ts";
import { diffAll, type Compiled } from "./build/diff-objects.ts";
import { KlpBuildError } from "./build/error.ts";
import { guard } from "./build/translate.ts";
import { compatHeaderFiles } from "./compat-headers.ts";

export type StageName = BuildStage;
export { INTERNAL_NOTE, KlpBuildError, type BuildErrorData } from "./build/error.ts";
export type { ErrorCode, ErrorKind, ErrorLocation } from "../errors/codes.ts";

export interface StageTiming {
  name: StageName;
  ms: number;
  /** A short summary for the person ("fs/proc/cmdline.o", "2 changed functions"). */
  detail?: string;
}

/** Progress inside the build, for a person watching: a stage started, or a line about its work. */
export interface BuildProgress {
  stage: StageName;
  /** Undefined when the stage just started; else one line ("kernel/fork.o: compiled in 41.2 s"). */
  line?: string;
}

/** The compile service: the build-host VM (BuildHost) or the native fast path (NativeBuildHost). */
export interface Compiler {
  compile(request: CompileRequest): Promise<CompileResult>;
}

export interface BuildInput {
  diffText: string;
  /** Module name, also /sys/kernel/livepatch/<name>. */
  name: string;
  /** klp_patch.replace: supersede every patch loaded before (default true). */
  replace?: boolean;
  compiler: Compiler;
  /** A pristine file of the kernel tree by tree-relative path. */
  readPristine: (path: string) => string | undefined;
  kbuild: KbuildIndex;
  vmlinux: VmlinuxSymbols;
  layout: KlpLayout;
  /** vmlinux's exports (Module.symvers). */
  exported: ReadonlySet<string>;
  onStage?: (stage: StageTiming) => void;
  /** Stage starts and per-object compile lines: the compile of a big file in the VM takes minutes. */
  onProgress?: (progress: BuildProgress) => void;
  /** Refuse a header change that makes more objects than this recompile (default 200). */
  maxObjects?: number;
}

export interface BuiltFunction {
  name: string;
  /** The kernel object it is part of ("kernel/fork.o"). */
  object: string;
  /** Why the differ included it. */
  reason: string;
}

export interface BuildOutput {
  module: Uint8Array;
  name: string;
  /** The kernel objects whose functions the module replaces (all part of vmlinux). */
  objects: string[];
  changedFunctions: BuiltFunction[];
  newFunctions: string[];
  /** New variables and string data the module carries. */
  newData: string[];
  references: ResolvedReference[];
  notes: string[];
  /** GCC's warnings, in the user's file and line (diffLine set when the diff shows that line). */
  warnings: Diagnostic[];
  stages: StageTiming[];
}

export async function buildLivepatch(input: BuildInput): Promise<BuildOutput> {
  const stages: StageTiming[] = [];
  const notes: string[] = [];
  const timed = async <T>(name: StageName, run: () => T | Promise<T>, detail?: (r: T) => string): Promise<T> => {
    input.onProgress?.({ stage: name });
    const t0 = performance.now();
    const result = await run();
    const stage: StageTiming = { name, ms: Math.round((performance.now() - t0) * 10) / 10 };
    const d = detail?.(result);
    if (d) stage.detail = d;
    stages.push(stage);
    input.onStage?.(stage);
    return result;
  };

  const parsed = await timed(
    "parse",
    () => guard("parse", () => parseDiff(input.diffText)),
    (p) => `${p.files.length} file${p.files.length === 1 ? "" : "s"}`,
  );
  if (parsed.files.length === 0) throw new KlpBuildError("parse", "empty-patch", "the patch is empty: no `--- a/file` / `+++ b/file` sections found");
  const applied = await timed("apply", () => guard("apply", () => applyPatch(parsed, input.readPristine)), (a) => a.files.map((f) => f.path).join(", "));
  for (const n of applied.notes) notes.push(n.message);
  const plan = await timed(
    "plan",
    () => guard("plan", () => planBuild(applied.files, input.kbuild, { readFile: input.readPristine })),
    // A header may pull in hundreds of objects: name a few, count the rest.
    (p) => p.objects.slice(0, 8).map((o) => o.object).join(", ") + (p.objects.length > 8 ? `, … (${p.objects.length} objects)` : ""),
  );
  notes.push(...plan.notes);
  const limit = input.maxObjects ?? 200;
  if (plan.objects.length > limit) {
    throw new KlpBuildError("plan", "too-many-objects", `the patch makes ${plan.objects.length} objects recompile (more than ${limit}); change a narrower header, or the .c files themselves`, { detail: plan.notes.join("\n") });
  }

  const warnings: Diagnostic[] = [];
  const compiled = await timed("compile", () => compileAll(input.compiler, plan, applied, parsed, (line) => input.onProgress?.({ stage: "compile", line }), warnings), (c) => `${c.length} object${c.length === 1 ? "" : "s"}`);
  const diffs = await timed("diff", () => diffAll(compiled, { exported: input.exported, specialSizes: specialSizesOf(input.layout) }, movedLineOf(applied)), (d) => d.map((x) => `${x.object}: ${x.diff.changedFunctions.length} changed`).join(", "));
  for (const d of diffs) notes.push(...d.diff.notes);
  const assembled = await timed(
    "assemble",
    () =>
      guard("assemble", () =>
        assembleModule({ diffs: diffs.map((d) => d.diff), name: input.name, layout: input.layout, vmlinux: input.vmlinux, exported: input.exported, replace: input.replace ?? true }),
      ),
    (m) => `${m.bytes.length} bytes`,
  );
  const included = diffs.flatMap((d) => d.diff.included);
  return {
    module: assembled.bytes,
    name: input.name,
    objects: diffs.map((d) => d.object),
    changedFunctions: assembled.functions.map((f) => ({ name: f.name, object: diffs[f.from]!.object, reason: f.reason })),
    newFunctions: included.filter((i) => i.kind === "new-function").map((i) => i.name),
    newData: included.filter((i) => i.kind === "new-data").map((i) => i.name),
    references: assembled.references,
    notes,
    warnings,
    stages,
  };
}

/**
 * The objects a build of this patch would compile, without compiling: lets a
 * build host prepare them ahead of the build. [] when the patch does not get
 * that far (the build itself will say why).
 */
export function objectsToCompile(diffText: string, readPristine: BuildInput["readPristine"], kbuild: KbuildIndex): string[] {
  try {
    const applied = applyPatch(parseDiff(diffText), readPristine);
    return planBuild(applied.files, kbuild, { readFile: readPristine }).objects.map((o) => o.object);
  } catch {
    return [];
  }
}

async function compileAll(
  compiler: Compiler,
  plan: Plan,
  applied: ApplyResult,
  parsed: ParsedPatch,
  progress: (line: string) => void,
  warnings: Diagnostic[],
): Promise<Compiled[]> {
  const overrides: Record<string, string> = {};
  for (const f of applied.files) if (f.newText !== undefined && f.newText !== f.oldText) overrides[f.path] = f.newText;
  // Patches written for kpatch or klp-build include their headers; the kernel tree has none.
  Object.assign(overrides, compatHeaderFiles(overrides));
  const count = plan.objects.length;
  let done = 0;
  if (count > 1) progress(`${count} objects to compile: ${plan.objects.slice(0, 8).map((o) => o.object).join(", ")}${count > 8 ? ", …" : ""}`);
  const located = (diagnostics: Diagnostic[]): Diagnostic[] => locatedDiagnostics(parsed, applied, diagnostics);
  const compileOne = async (p: Plan["objects"][number]): Promise<Compiled> => {
    // Only the files this object reads: keeps the VM's compile on its PCH fast path.
    const own: Record<string, string> = {};
    for (const [path, text] of Object.entries(overrides)) if (p.because.includes(path) || !plan.objects.some((o) => o.because.includes(path))) own[path] = text;
    let r: CompileResult;
    try {
      r = await compiler.compile({ object: p.object, overrides: own });
    } catch (e) {
      throw new KlpBuildError("compile", "build-host-failed", `${p.object}: the build host failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e, location: { file: p.source } });
    }
    done++;
    const of = count > 1 ? ` (${done} of ${count})` : "";
    const how = r.cached ? "unchanged since the last build" : r.mode === "pch-first" ? "first build of this file: headers precompiled" : r.mode === "pch" ? "through its precompiled headers" : "";
    progress(`${p.object}: ${r.exitCode === 0 ? "compiled" : "failed"} in ${(r.ms / 1000).toFixed(1)} s${how ? `, ${how}` : ""}${of}`);
    if (r.exitCode !== 0 || !r.object || !r.baseline) {
      const errors = r.diagnostics.filter((d) => d.severity === "error" || d.severity === "fatal error");
      const first = errors[0] ?? r.diagnostics[0];
      const where = first ? `${first.file}:${first.line}:${first.column}${diffLineNote(parsed, applied, first)}` : p.object;
      const message = first ? `compile error: ${where}: ${first.message}` : `compile of ${p.object} failed (exit ${r.exitCode})`;
      const detail = r.diagnostics.length
        ? r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}${diffLineNote(parsed, applied, d)}`).join("\n")
        : r.log.trim();
      const location = first ? { file: first.file, line: first.line, ...(first.function ? { function: first.function } : {}) } : { file: p.source };
      const diagnostics = located(r.diagnostics);
      const diffLine = first && diagnostics[r.diagnostics.indexOf(first)]?.diffLine;
      throw new KlpBuildError("compile", "compile-failed", message, { detail, diagnostics, location: diffLine === undefined ? location : { ...location, diffLine } });
    }
    // A header's warning repeats for every object that includes it: once is enough.
    for (const w of located(r.diagnostics.filter((d) => d.severity === "warning"))) {
      if (warnings.some((x) => x.file === w.file && x.line === w.line && x.message === w.message)) continue;
      warnings.push(w);
      progress(`${w.file}:${w.line}:${w.column}: warning: ${w.message}${w.diffLine === undefined ? "" : ` (diff line ${w.diffLine})`}`);
    }
    return { object: p.object, source: p.source, because: p.because, original: r.baseline, patched: r.object };
  };
  // A header change recompiles many objects: a few at a time (the VM's
  // BuildHost queues them anyway; the native path uses the host's cores).
  const out: Compiled[] = new Array(plan.objects.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < plan.objects.length) {
      const i = next++;
      out[i] = await compileOne(plan.objects[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, plan.objects.length) }, worker));
  return out;
}
