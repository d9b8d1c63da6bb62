// Errors of the object differ. Each names the function or variable at fault
// and says, for someone new to live patching, why it cannot be patched and
// what to do instead.
import type { StageErrorCode } from "../../errors/codes.ts";

/** The differ's own coarse classes, from before codes were shared by every stage. */
export type KlpDiffReason =
  | "no-change"
  | "changed-data"
  | "init-code"
  | "notrace"
  | "unsupported-section"
  | "malformed"
  | "internal";

export type KlpDiffCode = StageErrorCode<"diff">;

const REASONS: Record<KlpDiffCode, KlpDiffReason> = {
  "no-change": "no-change",
  "new-code-unreached": "no-change",
  "data-changed": "changed-data",
  "constant-in-data": "changed-data",
  "init-code": "init-code",
  "init-reference": "init-code",
  "inlined-only": "notrace",
  "unsupported-section": "unsupported-section",
  "malformed-object": "malformed",
  "bad-kpatch-mark": "malformed",
  internal: "internal",
};

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
  readonly code: KlpDiffCode;
  readonly function: string | undefined;
  readonly variable: string | undefined;
  readonly section: string | undefined;

  constructor(code: KlpDiffCode, message: string, subject: KlpDiffErrorSubject = {}) {
    super(message);
    this.code = code;
    this.function = subject.function;
    this.variable = subject.variable;
    this.section = subject.section;
  }

  get reason(): KlpDiffReason {
    return REASONS[this.code];
  }
}
