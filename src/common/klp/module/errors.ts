// Errors of the module assembler, written for a newcomer like the differ's.

export type KlpModuleReason = "unresolved-symbol" | "ambiguous-symbol" | "bad-name" | "layout" | "duplicate-symbol";

export class KlpModuleError extends Error {
  override readonly name = "KlpModuleError";
  constructor(
    readonly reason: KlpModuleReason,
    message: string,
    readonly symbol?: string,
  ) {
    super(message);
  }
}
