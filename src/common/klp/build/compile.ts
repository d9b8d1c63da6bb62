// The compile stage: every planned object compiled with the patched files
// swapped in (and the kpatch / klp-build headers patches include), a few at
// a time; GCC's errors and warnings mapped back to the diff's lines.
import type { Compiler, CompileResult } from "../../compile/compiler.ts";
import type { Diagnostic } from "../../compile/diagnostics.ts";
import type { ApplyResult, ParsedPatch } from "../../patch/index.ts";
import { compatHeaderFiles } from "../compat-headers.ts";
import type { Plan, PlannedObject } from "../plan.ts";
import { diffLineNote, locatedDiagnostics } from "./diff-lines.ts";
import type { Compiled } from "./diff-objects.ts";
import { KlpBuildError } from "./error.ts";

export interface CompileAllInput {
  compiler: Compiler;
  plan: Plan;
  applied: ApplyResult;
  parsed: ParsedPatch;
  /** One line per object compiled, and one per new warning. */
  progress: (line: string) => void;
  /** Filled with GCC's warnings, each once. */
  warnings: Diagnostic[];
}

/** A header change recompiles many objects: a few at a time (the VM's BuildHost queues them anyway; the native path uses the host's cores). */
const PARALLEL = 4;

export async function compileAll({ compiler, plan, applied, parsed, progress, warnings }: CompileAllInput): Promise<Compiled[]> {
  const overrides: Record<string, string> = {};
  for (const f of applied.files) if (f.newText !== undefined && f.newText !== f.oldText) overrides[f.path] = f.newText;
  // Patches written for kpatch or klp-build include their headers; the kernel tree has none.
  Object.assign(overrides, compatHeaderFiles(overrides));
  const count = plan.objects.length;
  let done = 0;
  if (count > 1) progress(`${count} objects to compile: ${plan.objects.slice(0, 8).map((o) => o.object).join(", ")}${count > 8 ? ", …" : ""}`);
  const located = (diagnostics: Diagnostic[]): Diagnostic[] => locatedDiagnostics(parsed, applied, diagnostics);
  const compileOne = async (p: PlannedObject): Promise<Compiled> => {
    // Only the files this object reads: keeps the VM's compile on its PCH fast path.
    const own: Record<string, string> = {};
    for (const [path, text] of Object.entries(overrides)) if (p.because.includes(path) || !plan.objects.some((o) => o.because.includes(path))) own[path] = text;
    let r: CompileResult;
    try {
      r = await compiler.compile({ object: p.object, overrides: own });
    } catch (e) {
      throw new KlpBuildError("compile", "build-host-failed", `${p.object}: the compiler itself failed (not an error in the patch): ${e instanceof Error ? e.message : String(e)}`, { cause: e, location: { file: p.source } });
    }
    done++;
    const of = count > 1 ? ` (${done} of ${count})` : "";
    const how = r.cached ? "unchanged since the last build" : r.mode === "pch-first" ? "first build of this file: headers precompiled" : r.mode === "pch" ? "through its precompiled headers" : "";
    progress(`${p.object}: ${r.exitCode === 0 ? "compiled" : "failed"} in ${(r.ms / 1000).toFixed(1)} s${how ? `, ${how}` : ""}${r.timing && !r.cached ? ` (${r.timing})` : ""}${of}`);
    if (r.exitCode !== 0 || !r.object || !r.baseline) throw compileError(p, r, parsed, applied);
    // A header's warning repeats for every object that includes it: once is enough.
    for (const w of located(r.diagnostics.filter((d) => d.severity === "warning"))) {
      if (warnings.some((x) => x.file === w.file && x.line === w.line && x.message === w.message)) continue;
      warnings.push(w);
      progress(`${w.file}:${w.line}:${w.column}: warning: ${w.message}${w.diffLine === undefined ? "" : ` (diff line ${w.diffLine})`}`);
    }
    return { object: p.object, source: p.source, because: p.because, original: r.baseline, patched: r.object };
  };
  const out: Compiled[] = new Array(plan.objects.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < plan.objects.length) {
      const i = next++;
      out[i] = await compileOne(plan.objects[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, plan.objects.length) }, worker));
  return out;
}

/** GCC's first error as the headline, at the user's file, line and diff line; all its messages as the detail. */
function compileError(p: PlannedObject, r: CompileResult, parsed: ParsedPatch, applied: ApplyResult): KlpBuildError {
  const errors = r.diagnostics.filter((d) => d.severity === "error" || d.severity === "fatal error");
  const first = errors[0] ?? r.diagnostics[0];
  const where = first ? `${first.file}:${first.line}:${first.column}${diffLineNote(parsed, applied, first)}` : p.object;
  const message = first ? `compile error: ${where}: ${first.message}` : `compile of ${p.object} failed (exit ${r.exitCode})`;
  const detail = r.diagnostics.length
    ? r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}${diffLineNote(parsed, applied, d)}`).join("\n")
    : r.log.trim();
  const diagnostics = locatedDiagnostics(parsed, applied, r.diagnostics);
  const located = first ? diagnostics[r.diagnostics.indexOf(first)] : undefined;
  const location = located
    ? { file: located.file, line: located.line, ...(located.function ? { function: located.function } : {}), ...(located.diffLine === undefined ? {} : { diffLine: located.diffLine }) }
    : { file: p.source };
  return new KlpBuildError("compile", "compile-failed", message, { detail, diagnostics, location });
}
