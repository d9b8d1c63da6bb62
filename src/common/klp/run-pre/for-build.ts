// Run-pre matching for a built patch: every function it replaces, grouped by
// the kernel object it comes from, checked against the running kernel. The
// CLI (`klp apply --run-pre`) and the page's Ksplice road both run this.
import type { KlpLayout } from "../module/layout.ts";
import type { VmlinuxSymbols } from "../module/vmlinux-symbols.ts";
import { RunPreError } from "./errors.ts";
import { refusalOf, runPreMatch } from "./match.ts";
import type { RunPreResult } from "./types.ts";

/**
 * Our i386 kernel is not relocatable and has the 3G/1G split: kernel text at
 * virtual PAGE_OFFSET + x is at physical x (the guest's RAM as the emulator
 * holds it).
 */
export const PAGE_OFFSET = 0xc0000000;

export function kernelVirtualToPhysical(va: number): number {
  if (va < PAGE_OFFSET) throw new RangeError(`0x${va.toString(16)} is not a kernel address`);
  return va - PAGE_OFFSET;
}

export interface RunPreObject {
  object: string;
  result: RunPreResult;
}

export interface RunPreReport {
  objects: RunPreObject[];
  /** Functions checked, over all objects. */
  checked: number;
  /** The refusal when any function differs ("the source this patch was built from does not match the running kernel"). */
  refusal?: RunPreError;
}

export async function runPreForBuild(input: {
  functions: readonly { name: string; object: string }[];
  /** The kernel's own object file (the baseline the patch was diffed against). */
  readBaseline: (object: string) => Promise<Uint8Array | undefined>;
  vmlinux: VmlinuxSymbols;
  layout?: KlpLayout;
  readKernel: (va: number, length: number) => Promise<Uint8Array>;
}): Promise<RunPreReport> {
  const byObject = new Map<string, string[]>();
  for (const f of input.functions) byObject.set(f.object, [...(byObject.get(f.object) ?? []), f.name]);
  const report: RunPreReport = { objects: [], checked: 0 };
  for (const [object, functions] of byObject) {
    const baseline = await input.readBaseline(object);
    if (!baseline) throw new RunPreError("run-pre-not-found", `${object}: the kernel's own object is not in the toolchain image, so there is nothing to match the running kernel against`);
    const result = await runPreMatch({ baseline, functions, vmlinux: input.vmlinux, readKernel: input.readKernel, object, ...(input.layout ? { layout: input.layout } : {}) });
    report.objects.push({ object, result });
    report.checked += result.checked.length;
    report.refusal ??= refusalOf(result);
  }
  return report;
}
