// How `klp build` and `klp apply` show a build: one line per stage with its
// time, then what the module patches; failures as one line plus detail.
import { failureFooter, KlpBuildError, type BuildOutput, type BuildProgress, type StageTiming } from "../../common/klp/pipeline.ts";
import { describeBlocking, KlpLoadError } from "../../common/livepatch/load.ts";
import { TargetCrashError } from "./crash.ts";

export function formatStage(s: StageTiming): string {
  return `  ${s.name.padEnd(8)} ${formatMs(s.ms).padStart(8)}${s.detail ? `  ${s.detail}` : ""}`;
}

/** Prints progress lines inside a stage (per-object compile times) under the stage lines; stage starts print nothing. */
export function progressPrinter(print: (line: string) => void): (p: BuildProgress) => void {
  return (p) => {
    if (p.line !== undefined) print(`  ${"".padEnd(8)} ${"".padStart(8)}  ${p.line}`);
  };
}

function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function formatSummary(out: BuildOutput): string {
  // With several objects, say which each function is in: two files may have a static of the same name.
  const several = out.objects.length > 1;
  const lines = out.changedFunctions.map((f) => `  changed  ${f.name}${several ? ` [${f.object}]` : ""}  (${f.reason})`);
  for (const f of out.newFunctions) lines.push(`  new      ${f}()`);
  for (const d of out.newData) lines.push(`  new data ${d}`);
  for (const n of out.notes) lines.push(`  note: ${n}`);
  return lines.join("\n");
}

/** One line (what and where), then the detail indented, then the code (README's "Refusal codes"): for stderr. */
export function formatFailure(command: string, e: unknown): string {
  if (e instanceof KlpBuildError) {
    return `klp ${command}: ${e.stage}: ${e.message}${indent(e.detail)}${indent(failureFooter(e).join("\n"))}`;
  }
  if (e instanceof KlpLoadError) return `klp ${command}: ${e.message}${indent(e.detail || describeBlocking(e.blocking))}`;
  if (e instanceof TargetCrashError) return `klp ${command}: ${e.message}${indent(e.trace().join("\n"))}`;
  return `klp ${command}: ${e instanceof Error ? e.message : String(e)}`;
}

export function failureJson(e: unknown): Record<string, unknown> {
  // {stage, kind, code, message, detail, location?, diagnostics}: scripts act on kind and code, people read the message.
  if (e instanceof KlpBuildError) return { ...e.toJSON() };
  if (e instanceof KlpLoadError) return { stage: "load", message: e.message, detail: e.detail, blocking: e.blocking };
  if (e instanceof TargetCrashError) return { stage: "target", message: e.message, kind: e.report.kind, log: e.trace() };
  return { message: e instanceof Error ? e.message : String(e) };
}

function indent(text: string): string {
  return text ? `\n${text.split("\n").map((l) => `    ${l}`).join("\n")}` : "";
}
