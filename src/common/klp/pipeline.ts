// The whole klp-build: a unified diff in, a livepatch module out.
// parse -> apply -> plan -> compile -> diff -> assemble, each stage timed and
// each failure turned into a KlpBuildError that says which stage refused, a
// one-line reason, and the detail a person needs to fix the patch.
// Pure TypeScript over injected services, so the page's worker and Node run it alike.
import { ApplyError, DiffError, applyPatch, movedLines, parseDiff, type ApplyResult, type ParsedPatch } from "../patch/index.ts";
import type { Diagnostic } from "../compile/diagnostics.ts";
import type { CompileRequest, CompileResult } from "../../machine/build-host.ts";
import type { KbuildIndex } from "../kbuild/index-format.ts";
import { diffObjects, KlpDiffError, type MovedLine, type ObjectDiff } from "./diff/index.ts";
import { assembleModule, KlpModuleError, specialSizesOf, type KlpLayout, type ResolvedReference, type VmlinuxSymbols } from "./module/index.ts";
import { KlpPlanError, normalizeTreePath, planBuild, type Plan } from "./plan.ts";
import { compatHeaderFiles } from "./compat-headers.ts";

export type StageName = "parse" | "apply" | "plan" | "compile" | "diff" | "assemble";

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

export class KlpBuildError extends Error {
  override readonly name = "KlpBuildError";
  constructor(
    readonly stage: StageName,
    /** One line: what went wrong, naming the file, function or variable. */
    message: string,
    /** More lines: expected vs. found context, compiler messages, …; "" when none. */
    readonly detail = "",
    /** Compiler messages, in the user's file and line, for the editor. */
    readonly diagnostics: Diagnostic[] = [],
    /** The stage's own error (DiffError, ApplyError, KlpPlanError, KlpDiffError, KlpModuleError). */
    override readonly cause?: unknown,
  ) {
    super(message);
  }
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
  if (parsed.files.length === 0) throw new KlpBuildError("parse", "the patch is empty: no `--- a/file` / `+++ b/file` sections found");
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
    throw new KlpBuildError("plan", `the patch makes ${plan.objects.length} objects recompile (more than ${limit}); change a narrower header, or the .c files themselves`, plan.notes.join("\n"));
  }

  const warnings: Diagnostic[] = [];
  const compiled = await timed("compile", () => compileAll(input.compiler, plan, applied, parsed, (line) => input.onProgress?.({ stage: "compile", line }), warnings), (c) => `${c.length} object${c.length === 1 ? "" : "s"}`);
  const diffs = await timed("diff", () => diffAll(compiled, input, movedLineOf(applied)), (d) => d.map((x) => `${x.object}: ${x.diff.changedFunctions.length} changed`).join(", "));
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

/** Runs a stage, turning its own error type into a KlpBuildError with a one-line message and the detail. */
function guard<T>(stage: StageName, run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw toBuildError(stage, e);
  }
}

function toBuildError(stage: StageName, e: unknown): KlpBuildError {
  if (e instanceof KlpBuildError) return e;
  if (e instanceof DiffError) return new KlpBuildError(stage, `malformed diff: ${e.message}`, "", [], e);
  // Unless the applier found a better explanation (an extra leading directory, a file an earlier section deleted).
  if (e instanceof ApplyError && /: no such file in the source tree/.test(e.message) && !/extra leading directory|earlier part of the patch/.test(e.message) && /\.(c|h|S)$/.test(e.file)) {
    // The toolchain image carries exactly the sources our configuration
    // compiles, so a kernel file missing here is one this kernel does not build.
    return new KlpBuildError(stage, `${e.file}: not part of this kernel's build (CONFIG_…?): the tree has only the files our configuration compiles`, e.message, [], e);
  }
  if (e instanceof ApplyError) {
    const [first, ...rest] = e.message.split("\n");
    const detail = [
      ...rest,
      ...(e.expected.length ? ["expected:", ...e.expected.map((l) => `  ${l}`)] : []),
      ...(e.expected.length ? [`found${e.foundLine ? ` at line ${e.foundLine}` : ""}:`, ...e.found.map((l) => `  ${l}`)] : []),
    ].join("\n");
    return new KlpBuildError(stage, `patch does not apply: ${first}`, detail, [], e);
  }
  if (e instanceof KlpPlanError) return new KlpBuildError(stage, e.message, "", [], e);
  if (e instanceof KlpDiffError) {
    const [first, ...rest] = e.message.split("\n");
    return new KlpBuildError(stage, first!, rest.join("\n"), [], e);
  }
  if (e instanceof KlpModuleError) return new KlpBuildError(stage, e.message, "", [], e);
  return new KlpBuildError(stage, `${stage} failed: ${e instanceof Error ? e.message : String(e)}`, e instanceof Error ? (e.stack ?? "") : "", [], e);
}

interface Compiled {
  object: string;
  /** The changed files it reads. */
  because: readonly string[];
  original: Uint8Array;
  patched: Uint8Array;
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
  const located = (diagnostics: Diagnostic[]): Diagnostic[] =>
    diagnostics.map((d) => {
      const diffLine = diffLineOf(parsed, applied, d.file, d.line);
      return diffLine === undefined ? d : { ...d, diffLine };
    });
  const compileOne = async (p: Plan["objects"][number]): Promise<Compiled> => {
    // Only the files this object reads: keeps the VM's compile on its PCH fast path.
    const own: Record<string, string> = {};
    for (const [path, text] of Object.entries(overrides)) if (p.because.includes(path) || !plan.objects.some((o) => o.because.includes(path))) own[path] = text;
    let r: CompileResult;
    try {
      r = await compiler.compile({ object: p.object, overrides: own });
    } catch (e) {
      throw new KlpBuildError("compile", `${p.object}: the build host failed: ${e instanceof Error ? e.message : String(e)}`, "", [], e);
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
      throw new KlpBuildError("compile", message, detail, located(r.diagnostics));
    }
    // A header's warning repeats for every object that includes it: once is enough.
    for (const w of located(r.diagnostics.filter((d) => d.severity === "warning"))) {
      if (warnings.some((x) => x.file === w.file && x.line === w.line && x.message === w.message)) continue;
      warnings.push(w);
      progress(`${w.file}:${w.line}:${w.column}: warning: ${w.message}${w.diffLine === undefined ? "" : ` (diff line ${w.diffLine})`}`);
    }
    return { object: p.object, because: p.because, original: r.baseline, patched: r.object };
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

/**
 * " (diff line N)" when a compiler message points into a line the patch
 * added or kept as context: the person wrote the diff, not the file.
 */
function diffLineNote(parsed: ParsedPatch, applied: ApplyResult, d: Diagnostic): string {
  const line = diffLineOf(parsed, applied, d.file, d.line);
  return line === undefined ? "" : ` (diff line ${line})`;
}

function diffLineOf(parsed: ParsedPatch, applied: ApplyResult, file: string, line: number): number | undefined {
  const sections = parsed.files.filter((f) => f.newPath.replace(/^\.\//, "") === file || f.oldPath.replace(/^\.\//, "") === file);
  // With several sections for one file the later ones shift the lines: map only the simple case.
  if (sections.length !== 1) return undefined;
  const hunks = sections[0]!.hunks;
  for (let i = 0; i < hunks.length; i++) {
    const h = hunks[i]!;
    // A hunk that landed away from its header has an ApplyNote with the offset.
    const shift = applied.notes.find((n) => n.file === file && n.hunk === i + 1)?.offset ?? 0;
    let at = h.newStart + shift;
    for (const l of h.lines) {
      if (l.kind === "-") continue;
      if (at === line) return l.diffLine;
      at++;
    }
  }
  return undefined;
}

/**
 * For each object, the lines the patch moved in the changed files it reads
 * (its .c, the headers): compiled code cannot say which of them a `__LINE__`
 * came from.
 */
function movedLineOf(applied: ApplyResult): (files: readonly string[]) => MovedLine {
  const maps = new Map<string, Map<number, number>>();
  for (const f of applied.files) if (f.oldText !== undefined && f.newText !== undefined) maps.set(normalizeTreePath(f.path), movedLines(f.oldText, f.newText));
  return (files) => {
    const mine = files.flatMap((f) => maps.get(f) ?? []);
    return (oldLine, newLine) => mine.some((m) => m.get(oldLine) === newLine);
  };
}

async function diffAll(compiled: Compiled[], input: BuildInput, movedLineFor: (files: readonly string[]) => MovedLine): Promise<{ object: string; diff: ObjectDiff }[]> {
  const out: { object: string; diff: ObjectDiff }[] = [];
  let noChange: KlpDiffError | undefined;
  for (const c of compiled) {
    try {
      out.push({ object: c.object, diff: diffObjects(c.original, c.patched, { exported: input.exported, specialSizes: specialSizesOf(input.layout), movedLine: movedLineFor(c.because) }) });
    } catch (e) {
      // A header change recompiles many objects; most come out identical.
      if (e instanceof KlpDiffError && e.reason === "no-change") {
        noChange = e;
        continue;
      }
      const err = toBuildError("diff", e);
      throw compiled.length > 1 ? new KlpBuildError("diff", `${c.object}: ${err.message}`, err.detail, [], err.cause) : err;
    }
  }
  if (out.length === 0) {
    // One object: the differ's own words say best why (e.g. "only adds `f`, which nothing calls").
    if (compiled.length === 1 && noChange) throw toBuildError("diff", noChange);
    throw new KlpBuildError(
      "diff",
      `no functional change: the compiled objects (${compiled.length}) are the same as the running kernel's (comments, whitespace or unused code only?)`,
      noChange?.message ?? "",
      [],
      noChange,
    );
  }
  return out;
}
