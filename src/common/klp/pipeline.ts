// The whole klp-build: a unified diff in, a livepatch module out.
// parse -> apply -> plan -> compile -> diff -> assemble, each stage timed and
// each failure turned into a KlpBuildError that says which stage refused, a
// one-line reason, the detail a person needs to fix the patch, and a code
// (src/common/errors/codes.ts) a program can act on. The stages' work lives
// in their own modules (build/, patch/, plan.ts, diff/, module/); this is the order.
// Pure TypeScript over injected services, so the page's worker and Node run it alike.
import { applyPatch, parseDiff } from "../patch/index.ts";
import type { Diagnostic } from "../compile/diagnostics.ts";
import type { Compiler } from "../compile/compiler.ts";
import type { KbuildIndex } from "../kbuild/index-format.ts";
import type { BuildStage } from "../errors/codes.ts";
import type { DiffTrace } from "./diff/index.ts";
import { assembleModule, specialSizesOf, type KlpLayout, type ResolvedReference, type VmlinuxSymbols } from "./module/index.ts";
import { planBuild } from "./plan.ts";
import { compileAll } from "./build/compile.ts";
import { movedLineOf } from "./build/diff-lines.ts";
import { diffAll } from "./build/diff-objects.ts";
import { KlpBuildError } from "./build/error.ts";
import { guard, guardAsync } from "./build/translate.ts";
import { PristineTree, type ReadPristine } from "./build/pristine.ts";

export type { ReadPristine } from "./build/pristine.ts";

export type StageName = BuildStage;
export { failureFooter, INTERNAL_NOTE, KlpBuildError, type BuildErrorData } from "./build/error.ts";
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

export type { Compiler } from "../compile/compiler.ts";

export interface BuildInput {
  diffText: string;
  /** Module name, also /sys/kernel/livepatch/<name>. */
  name: string;
  /** klp_patch.replace: supersede every patch loaded before (default true). */
  replace?: boolean;
  compiler: Compiler;
  /** A pristine file of the kernel tree by tree-relative path; the stages ask for what they need. */
  readPristine: ReadPristine;
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
  /** Every decision of the object differ, one line each, prefixed with its object (`klp build --trace`). */
  trace?: DiffTrace;
}

export interface BuiltFunction {
  name: string;
  /** The kernel object it is part of ("kernel/fork.o"). */
  object: string;
  /** Why the differ included it. */
  reason: string;
  /** KPATCH_FORCE_UNSAFE: a task blocked only by such functions may be forced through the transition. */
  forceUnsafe?: boolean;
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
  const tree = new PristineTree(input.readPristine);
  const applied = await timed("apply", () => guardAsync("apply", () => tree.run((read) => applyPatch(parsed, read))), (a) => a.files.map((f) => f.path).join(", "));
  for (const n of applied.notes) notes.push(n.message);
  const plan = await timed(
    "plan",
    () => guardAsync("plan", () => tree.run((read) => planBuild(applied.files, input.kbuild, { readFile: read }))),
    // A header may pull in hundreds of objects: name a few, count the rest.
    (p) => p.objects.slice(0, 8).map((o) => o.object).join(", ") + (p.objects.length > 8 ? `, … (${p.objects.length} objects)` : ""),
  );
  notes.push(...plan.notes);
  const limit = input.maxObjects ?? 200;
  if (plan.objects.length > limit) {
    throw new KlpBuildError("plan", "too-many-objects", `the patch makes ${plan.objects.length} objects recompile (more than ${limit}); change a narrower header, or the .c files themselves`, { detail: plan.notes.join("\n") });
  }

  const warnings: Diagnostic[] = [];
  const compiled = await timed("compile", () => compileAll({ compiler: input.compiler, plan, applied, parsed, progress: (line) => input.onProgress?.({ stage: "compile", line }), warnings }), (c) => `${c.length} object${c.length === 1 ? "" : "s"}`);
  const diffs = await timed("diff", () => diffAll(compiled, { exported: input.exported, specialSizes: specialSizesOf(input.layout), trace: input.trace }, movedLineOf(applied), (path) => applied.files.find((f) => f.path === path)?.newText), (d) => d.map((x) => `${x.object}: ${x.diff.changedFunctions.length} changed`).join(", "));
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
    changedFunctions: assembled.functions.map((f) => ({ name: f.name, object: diffs[f.from]!.object, reason: f.reason, ...(f.forceUnsafe ? { forceUnsafe: true } : {}) })),
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
export async function objectsToCompile(diffText: string, readPristine: ReadPristine, kbuild: KbuildIndex): Promise<string[]> {
  const tree = new PristineTree(readPristine);
  try {
    const applied = await tree.run((read) => applyPatch(parseDiff(diffText), read));
    return (await tree.run((read) => planBuild(applied.files, kbuild, { readFile: read }))).objects.map((o) => o.object);
  } catch {
    return [];
  }
}
