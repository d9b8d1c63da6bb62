// klp-build and loading, in Node (the CLI and the tests).
export { buildPatch, moduleNameFor, type NodeBuildOptions } from "./build.ts";
export { openCompiler, parseBuilderKind, type BuilderKind, type OpenCompiler } from "./compilers.ts";
export { loadKlpInputs, type KlpInputs } from "./inputs.ts";
export { describeBlocking, KlpLoadError, loadLivepatch, unloadLivepatch, type LoadOptions } from "../../common/livepatch/load.ts";
export { TargetCrashError, unlessCrashed } from "./crash.ts";
