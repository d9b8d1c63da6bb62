// The one error a build reports, whichever stage refused. It crosses the
// worker boundary and goes into `klp --json` as plain data (BuildErrorData):
// Comlink and JSON keep an Error's message at best, and the page, the CLI and
// a tutorial's CI act on the code and kind, not on the wording.
import type { Diagnostic } from "../../compile/diagnostics.ts";
import { ERROR_CODES, isErrorCode, kindOf, type BuildStage, type ErrorCode, type ErrorCodeInfo, type ErrorKind, type ErrorLocation } from "../../errors/codes.ts";

export interface BuildErrorData {
  stage: BuildStage;
  kind: ErrorKind;
  code: ErrorCode;
  /** One line: what went wrong, naming the file, function or variable. */
  message: string;
  /** More lines: expected vs. found context, compiler messages, …; "" when none. */
  detail: string;
  /** Where, as far as the stage knows; absent when it does not. */
  location?: ErrorLocation;
  /** Compiler messages, in the user's file and line, for the editor. */
  diagnostics: Diagnostic[];
}

export interface BuildErrorParts {
  detail?: string;
  diagnostics?: Diagnostic[];
  location?: ErrorLocation;
  /** The stage's own error (DiffError, ApplyError, KlpPlanError, KlpDiffError, KlpModuleError, …). */
  cause?: unknown;
}

export class KlpBuildError extends Error {
  override readonly name = "KlpBuildError";
  readonly kind: ErrorKind;
  readonly detail: string;
  readonly diagnostics: Diagnostic[];
  readonly location: ErrorLocation | undefined;
  override readonly cause: unknown;

  constructor(
    readonly stage: BuildStage,
    readonly code: ErrorCode,
    message: string,
    parts: BuildErrorParts = {},
  ) {
    super(message);
    this.kind = kindOf(code);
    this.detail = parts.detail ?? "";
    this.diagnostics = parts.diagnostics ?? [];
    this.location = parts.location && Object.keys(parts.location).length > 0 ? parts.location : undefined;
    this.cause = parts.cause;
  }

  /** Plain data: what `--json` prints and what the builder worker sends to the page. */
  toJSON(): BuildErrorData {
    const data: BuildErrorData = { stage: this.stage, kind: this.kind, code: this.code, message: this.message, detail: this.detail, diagnostics: this.diagnostics };
    if (this.location) data.location = this.location;
    return data;
  }

  /** The other side of toJSON(). An unknown code (from a newer worker, say) reads as internal. */
  static fromJSON(data: BuildErrorData): KlpBuildError {
    const code = isErrorCode(data.code) ? data.code : "internal";
    return new KlpBuildError(data.stage, code, data.message, { detail: data.detail, diagnostics: data.diagnostics, location: data.location });
  }

  /** The same failure, told as part of one object of several ("kernel/fork.o: …"). */
  within(object: string): KlpBuildError {
    return new KlpBuildError(this.stage, this.code, `${object}: ${this.message}`, { detail: this.detail, diagnostics: this.diagnostics, location: this.location, cause: this.cause });
  }
}

/** What a person reads under an internal failure: it is never theirs to fix. */
export const INTERNAL_NOTE = "This is a bug in the playground, not in your patch: please report it, with the patch.";

/**
 * The lines the page and the CLI print after a failure's message and
 * detail: whose fault an internal one is, what to try (README's table), and
 * the code, which is what that table and a search find.
 */
export function failureFooter(error: { kind: ErrorKind; code: ErrorCode }): string[] {
  // A code from a newer worker than this page may be missing from the table.
  const info = ERROR_CODES[error.code] as ErrorCodeInfo | undefined;
  return [...(error.kind === "internal" ? [INTERNAL_NOTE] : []), ...(info?.fix ? [`try: ${info.fix}`] : []), `code: ${error.code}`];
}
