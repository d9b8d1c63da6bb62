// Ksplice's run-pre matching: a pure check of the baseline object's code
// against the bytes the running kernel executes. Pure functions over bytes;
// reading the kernel is the caller's (`readKernel`).
export { runPreMatch, refusalOf } from "./match.ts";
export { RunPreError, type RunPreCode } from "./errors.ts";
export type { CheckedFunction, LearnedTarget, MismatchKind, RunPreInput, RunPreMismatch, RunPreResult, SkippedRange, WildcardKind } from "./types.ts";
export { runPreForBuild, kernelVirtualToPhysical, PAGE_OFFSET, type RunPreReport, type RunPreObject } from "./for-build.ts";
