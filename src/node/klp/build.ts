// klp-build in Node: the pipeline wired to the committed images.
import { buildLivepatch, type BuildOutput, type BuildProgress, type Compiler, type StageTiming } from "../../common/klp/pipeline.ts";
import type { DiffTrace } from "../../common/klp/diff/index.ts";
import { loadKlpInputs } from "./inputs.ts";

export interface NodeBuildOptions {
  diffText: string;
  name: string;
  replace?: boolean;
  compiler: Compiler;
  onStage?: (stage: StageTiming) => void;
  onProgress?: (progress: BuildProgress) => void;
  trace?: DiffTrace;
}

export function buildPatch(options: NodeBuildOptions): Promise<BuildOutput> {
  const inputs = loadKlpInputs();
  return buildLivepatch({ ...options, kbuild: inputs.kbuild, vmlinux: inputs.vmlinux, layout: inputs.layout, exported: inputs.exported, readPristine: async (path) => inputs.readPristine(path) });
}

/**
 * A module name from a file name ("fix-cmdline.patch" -> "fix_cmdline"):
 * letters, digits and _ only, as /sys/kernel/livepatch/<name> and the module
 * loader want it, and short enough for struct module's name.
 */
export function moduleNameFor(file: string): string {
  const base = file.replace(/^.*\//, "").replace(/\.(ko|patch|diff)$/, "");
  let name = base.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
  if (!/^[A-Za-z]/.test(name)) name = `klp_${name}`;
  return name.slice(0, 55);
}
