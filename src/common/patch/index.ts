// Patch pipeline, stages 1 and 2: parse a user's unified diff, apply it to
// the pristine kernel source. Pure functions, usable in a worker and in Node.

export { parseDiff } from "./parse-diff.ts";
export { applyPatch } from "./apply-diff.ts";
export type { ApplyNote, ApplyOptions, ApplyResult, AppliedFile, ReadFile } from "./apply-diff.ts";
export { keptLines, makeDiff, movedLines } from "./make-diff.ts";
export { ApplyError, DiffError } from "./errors.ts";
export type { ApplyErrorCode, DiffErrorCode } from "./errors.ts";
export type { ApplyErrorDetails } from "./errors.ts";
export { DEV_NULL } from "./types.ts";
export type { FilePatch, Hunk, HunkLine, HunkLineKind, ParsedPatch } from "./types.ts";
