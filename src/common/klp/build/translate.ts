// Each stage throws its own error type; a build reports one KlpBuildError
// with the stage, the code, a one-line message, the detail and the place.
// Anything else a stage throws is a bug of ours: code `internal`.
import { ElfError } from "../../elf/index.ts";
import type { BuildStage, ErrorLocation } from "../../errors/codes.ts";
import { ApplyError, DiffError } from "../../patch/index.ts";
import { KlpDiffError } from "../diff/index.ts";
import { KlpModuleError } from "../module/index.ts";
import { KlpPlanError } from "../plan.ts";
import { KlpBuildError } from "./error.ts";

/** Runs a stage, turning its own error type into a KlpBuildError. */
export function guard<T>(stage: BuildStage, run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw toBuildError(stage, e);
  }
}

/** guard() for a stage that reads the tree asynchronously (build/pristine.ts): its error, translated once it settles. */
export async function guardAsync<T>(stage: BuildStage, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw toBuildError(stage, e);
  }
}

/** `at`: what the caller knows of the place and the stage's error does not (the source file of an object). */
export function toBuildError(stage: BuildStage, e: unknown, at: ErrorLocation = {}): KlpBuildError {
  if (e instanceof KlpBuildError) return e;
  if (e instanceof DiffError) return new KlpBuildError(stage, e.code, `malformed diff: ${e.message}`, { location: { ...at, diffLine: e.line }, cause: e });
  if (e instanceof ApplyError) return fromApplyError(stage, e, at);
  if (e instanceof KlpPlanError) return new KlpBuildError(stage, e.code, e.message, { location: { ...at, file: e.file, ...(e.line === undefined ? {} : { line: e.line }) }, cause: e });
  if (e instanceof KlpDiffError) {
    const [first, ...rest] = e.message.split("\n");
    const subject = { ...(e.function ? { function: e.function } : {}), ...(e.variable ? { variable: e.variable } : {}), ...(e.section ? { section: e.section } : {}) };
    return new KlpBuildError(stage, e.code, first!, { detail: rest.join("\n"), location: { ...at, ...subject }, cause: e });
  }
  if (e instanceof KlpModuleError) return new KlpBuildError(stage, e.code, e.message, { location: { ...at, ...(e.symbol ? { symbol: e.symbol } : {}) }, cause: e });
  // The compiler's output did not parse: our build host's fault, not the patch's.
  if (e instanceof ElfError) return new KlpBuildError(stage, "malformed-object", `${stage} failed: ${e.message}`, { detail: e.stack ?? "", location: at, cause: e });
  return new KlpBuildError(stage, "internal", `${stage} failed: ${e instanceof Error ? e.message : String(e)}`, { detail: e instanceof Error ? (e.stack ?? "") : "", location: at, cause: e });
}

function fromApplyError(stage: BuildStage, e: ApplyError, at: ErrorLocation): KlpBuildError {
  const location: ErrorLocation = { ...at, file: e.file, diffLine: e.diffLine };
  if (e.fileLine !== undefined) location.line = e.fileLine;
  if (e.hunk !== undefined) location.hunk = e.hunk;
  // The toolchain image carries exactly the sources our configuration
  // compiles, so a kernel file missing here is one this kernel does not build.
  if (e.code === "file-not-found" && /\.(c|h|S)$/.test(e.file)) {
    return new KlpBuildError(stage, "not-built", `${e.file}: not part of this kernel's build (CONFIG_…?): the tree has only the files our configuration compiles`, { detail: e.message, location, cause: e });
  }
  const [first, ...rest] = e.message.split("\n");
  const detail = [
    ...rest,
    ...(e.expected.length ? ["expected:", ...e.expected.map((l) => `  ${l}`)] : []),
    ...(e.expected.length ? [`found${e.foundLine ? ` at line ${e.foundLine}` : ""}:`, ...e.found.map((l) => `  ${l}`)] : []),
  ].join("\n");
  return new KlpBuildError(stage, e.code, `patch does not apply: ${first}`, { detail, location, cause: e });
}
