// Ksplice's run-pre matching against a live target: the functions a patch
// replaces, read out of the emulated machine's RAM, must be byte for byte the
// baseline object linked at vmlinux's addresses — and a baseline that is not
// the running kernel's must be refused, naming the function.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootMachine, type BootedMachine } from "../../src/node/boot.ts";
import { TARGET } from "../../src/common/machine/profiles.ts";
import { buildPatch, loadKlpInputs, openCompiler } from "../../src/node/klp/index.ts";
import { kernelVirtualToPhysical, runPreForBuild, RunPreError } from "../../src/common/klp/run-pre/index.ts";
import { roadLab } from "../../src/common/livepatch/road-labs.ts";
import type { BuiltFunction } from "../../src/common/klp/pipeline.ts";

let booted: BootedMachine;
let functions: BuiltFunction[];

beforeAll(async () => {
  const [machine, open] = await Promise.all([bootMachine(TARGET, { snapshot: true }), openCompiler("native", loadKlpInputs().kbuild)]);
  booted = machine;
  try {
    functions = (await buildPatch({ diffText: roadLab("roads-contract")!.diff, name: "run_pre", compiler: open.compiler })).changedFunctions;
  } finally {
    await open.close();
  }
});

afterAll(async () => {
  await booted?.machine.destroy();
});

function check(readBaseline: (object: string) => Promise<Uint8Array | undefined>) {
  const inputs = loadKlpInputs();
  return runPreForBuild({
    functions,
    readBaseline,
    vmlinux: inputs.vmlinux,
    layout: inputs.layout,
    readKernel: (va, length) => booted.machine.readMemory(kernelVirtualToPhysical(va), length),
  });
}

describe("run-pre matching on the running target", () => {
  it("accepts the kernel the patch was built against: every replaced function matches", async () => {
    expect(functions.map((f) => f.name).sort()).toEqual(["kernel_wait", "kernel_wait4", "wait_consider_task"]);
    const report = await check(async (object) => loadKlpInputs().files.read(`build/linux/${object}`));
    expect(report.refusal).toBeUndefined();
    expect(report.checked).toBe(3);
    expect(report.objects[0]!.result.mismatches).toEqual([]);
  });

  it("refuses a baseline that is not the running kernel's, naming the function and the offset", async () => {
    const inputs = loadKlpInputs();
    const baseline = inputs.files.read("build/linux/kernel/exit.o")!;
    // The first call is at the same place in the object as in the kernel: change an
    // instruction byte of kernel_wait4 well past its ftrace site, outside any relocation.
    const exact = await check(async () => baseline);
    const target = exact.objects[0]!.result.checked.find((c) => c.name === "kernel_wait4")!;
    expect(target.size).toBeGreaterThan(40);
    const mutated = await mutateFunctionByte(baseline, "kernel_wait4", 24);
    const report = await check(async () => mutated);
    expect(report.refusal).toBeInstanceOf(RunPreError);
    expect(report.refusal!.code).toBe("run-pre-mismatch");
    expect(report.refusal!.message).toMatch(/does not match the running kernel: kernel_wait4 differs at \+0x/);
  });
});

/** The object with one byte of a function's code flipped (found through its symbol and section). */
async function mutateFunctionByte(object: Uint8Array, name: string, offset: number): Promise<Uint8Array> {
  const { parseElf32, findSectionByType, readSymbols, SHT_SYMTAB } = await import("../../src/common/elf/index.ts");
  const elf = parseElf32(object);
  const sym = readSymbols(elf, findSectionByType(elf, SHT_SYMTAB)).find((s) => s.name === name)!;
  const section = elf.sections[sym.shndx]!;
  const copy = object.slice();
  copy[section.offset + sym.value + offset]! ^= 0x01;
  return copy;
}
