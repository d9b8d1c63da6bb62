// Run-pre matching against a target in this process: baselines from the
// committed toolchain image, the running kernel's bytes from the machine's RAM.
import type { Machine } from "../../machine/machine.ts";
import type { BuiltFunction } from "../../common/klp/pipeline.ts";
import { kernelVirtualToPhysical, runPreForBuild, type RunPreReport } from "../../common/klp/run-pre/index.ts";
import { loadKlpInputs } from "./inputs.ts";

export function runPreOnMachine(machine: Machine, functions: readonly BuiltFunction[]): Promise<RunPreReport> {
  const inputs = loadKlpInputs();
  return runPreForBuild({
    functions,
    readBaseline: async (object) => inputs.files.read(`build/linux/${object}`),
    vmlinux: inputs.vmlinux,
    layout: inputs.layout,
    readKernel: (va, length) => machine.readMemory(kernelVirtualToPhysical(va), length),
  });
}
