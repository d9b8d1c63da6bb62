// Error types carry positions and a stable code as data so the editor can
// highlight the offending diff line, and callers can act, without parsing
// the message.
import type { StageErrorCode } from "../errors/codes.ts";

export type DiffErrorCode = StageErrorCode<"parse">;
export type ApplyErrorCode = StageErrorCode<"apply">;

/** The diff text itself is malformed. */
export class DiffError extends Error {
  override name = "DiffError";
  /** 1-based line in the diff text. */
  readonly line: number;
  /** The message without the "line N: " prefix. */
  readonly reason: string;
  readonly code: DiffErrorCode;

  constructor(line: number, reason: string, code: DiffErrorCode = "malformed-diff") {
    super(`line ${line}: ${reason}`);
    this.line = line;
    this.reason = reason;
    this.code = code;
  }
}

export interface ApplyErrorDetails {
  code: ApplyErrorCode;
  file: string;
  /** 1-based hunk number within the file, when the error concerns one hunk. */
  hunk?: number;
  /** 1-based diff line of the hunk header, or of the file header for file-level errors. */
  diffLine: number;
  /** 1-based line in the source file where the hunk was compared, when there is one. */
  fileLine?: number;
  /** The old-side lines (context and removed) the hunk expected. */
  expected?: string[];
  /** What the source file has at that position (may be shorter at end of file). */
  found?: string[];
  /** 1-based line of found[0], when it is not fileLine (the hunk's first line, while fileLine is the one that differs). */
  foundLine?: number;
}

/** The diff is well formed but does not fit the source tree. */
export class ApplyError extends Error {
  override name = "ApplyError";
  readonly code: ApplyErrorCode;
  readonly file: string;
  readonly hunk: number | undefined;
  readonly diffLine: number;
  readonly fileLine: number | undefined;
  readonly foundLine: number | undefined;
  readonly expected: string[];
  readonly found: string[];

  constructor(message: string, details: ApplyErrorDetails) {
    super(message);
    this.code = details.code;
    this.file = details.file;
    this.hunk = details.hunk;
    this.diffLine = details.diffLine;
    this.fileLine = details.fileLine;
    this.foundLine = details.foundLine ?? details.fileLine;
    this.expected = details.expected ?? [];
    this.found = details.found ?? [];
  }
}
