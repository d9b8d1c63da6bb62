// Errors of the object differ. Each names the function or variable at fault
// and says, for someone new to live patching, why it cannot be patched and
// what to do instead.

export type KlpDiffReason =
  | "no-change"
  | "changed-data"
  | "init-code"
  | "notrace"
  | "unsupported-section"
  | "malformed";

export interface KlpDiffErrorSubject {
  /** The function at fault. */
  function?: string;
  /** The variable at fault. */
  variable?: string;
  /** The section at fault. */
  section?: string;
}

export class KlpDiffError extends Error {
  override readonly name = "KlpDiffError";
  readonly reason: KlpDiffReason;
  readonly function: string | undefined;
  readonly variable: string | undefined;
  readonly section: string | undefined;

  constructor(reason: KlpDiffReason, message: string, subject: KlpDiffErrorSubject = {}) {
    super(message);
    this.reason = reason;
    this.function = subject.function;
    this.variable = subject.variable;
    this.section = subject.section;
  }
}
