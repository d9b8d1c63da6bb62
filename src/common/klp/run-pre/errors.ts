// Run-pre matching's refusals. A mismatch is a result, not an exception
// (the caller decides whether to refuse); `refusalOf` turns one into the
// error a build reports.
import { kindOf, type ErrorCode, type ErrorKind } from "../../errors/codes.ts";

export type RunPreCode = Extract<ErrorCode, "run-pre-mismatch" | "run-pre-not-found" | "run-pre-ambiguous" | "internal">;

export class RunPreError extends Error {
  override readonly name = "RunPreError";
  constructor(
    readonly code: RunPreCode,
    message: string,
    /** The function the failure is about, when there is one. */
    readonly functionName?: string,
    /** More lines (every mismatch, for run-pre-mismatch); "" when none. */
    readonly detail = "",
  ) {
    super(message);
  }

  get kind(): ErrorKind {
    return kindOf(this.code);
  }
}
