// klp-layout.json: the i386 layouts of the kernel structures the assembler
// writes by hand, measured for our config by images/tools/klp-layout.c
// (compiled with a sample module's exact kbuild command line).
import type { SpecialSizes } from "../diff/index.ts";

export interface StructLayout {
  size: number;
  align: number;
}

export interface KlpLayout {
  kernelRelease: string;
  /** The kernel's VERMAGIC_STRING, e.g. "6.12.95 mod_unload 686 ". */
  vermagic: string;
  module: StructLayout & { name: number; init: number; exit: number; name_len: number };
  klp_func: StructLayout & { old_name: number; new_func: number; old_sympos: number };
  klp_object: StructLayout & { name: number; funcs: number; callbacks?: number };
  /** Absent in layouts measured before callbacks were supported. */
  klp_callbacks?: StructLayout & { pre_patch: number; post_patch: number; pre_unpatch: number; post_unpatch: number };
  klp_patch: StructLayout & { mod: number; objs: number; replace: number };
  bug_entry: StructLayout;
  exception_table_entry: StructLayout;
  alt_instr: StructLayout;
}

export function parseKlpLayout(json: string): KlpLayout {
  const l = JSON.parse(json) as KlpLayout;
  const need: [string, unknown][] = [
    ["vermagic", l.vermagic],
    ["module.size", l.module?.size],
    ["module.init", l.module?.init],
    ["module.exit", l.module?.exit],
    ["klp_func.size", l.klp_func?.size],
    ["klp_object.size", l.klp_object?.size],
    ["klp_patch.size", l.klp_patch?.size],
  ];
  const missing = need.filter(([, v]) => v === undefined).map(([k]) => k);
  if (missing.length > 0) throw new Error(`klp-layout.json lacks ${missing.join(", ")}: rebuild it with images/40-klp-layout.sh`);
  return l;
}

/** The differ's special-section entry sizes, from the measured layouts. */
export function specialSizesOf(layout: KlpLayout): SpecialSizes {
  return { bugEntry: layout.bug_entry.size, exceptionTableEntry: layout.exception_table_entry.size, altInstr: layout.alt_instr.size };
}
