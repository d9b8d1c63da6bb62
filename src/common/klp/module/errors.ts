// Errors of the module assembler, written for a newcomer like the differ's.
import type { StageErrorCode } from "../../errors/codes.ts";

/** The assembler's own coarse classes, from before codes were shared by every stage. */
export type KlpModuleReason = "unresolved-symbol" | "ambiguous-symbol" | "bad-name" | "layout" | "duplicate-symbol";

export type KlpModuleCode = StageErrorCode<"assemble">;

const REASONS: Record<KlpModuleCode, KlpModuleReason> = {
  "bad-module-name": "bad-name",
  "symbol-not-found": "unresolved-symbol",
  "alternative-unexported": "unresolved-symbol",
  "ambiguous-symbol": "ambiguous-symbol",
  "duplicate-symbol": "duplicate-symbol",
  "duplicate-callback": "duplicate-symbol",
  "bad-callback": "layout",
  "layout-missing": "layout",
  internal: "layout",
};

export class KlpModuleError extends Error {
  override readonly name = "KlpModuleError";
  constructor(
    readonly code: KlpModuleCode,
    message: string,
    readonly symbol?: string,
  ) {
    super(message);
  }

  get reason(): KlpModuleReason {
    return REASONS[this.code];
  }
}
