// Where a symbol the patch uses lives in vmlinux, as the livepatch core will
// look it up: by name and `sympos`, its 1-based position among same-named
// symbols in kallsyms order, or 0 when the name is unique
// (Documentation/livepatch/module-elf-format.rst). A static is picked among
// the same-named ones by the STT_FILE it follows, as kpatch does.
import { STB_LOCAL } from "../../elf/index.ts";
import { KlpModuleError } from "./errors.ts";
import type { VmlinuxSymbol, VmlinuxSymbols } from "./vmlinux-symbols.ts";

/** A static of the object being patched: name and size, to recognise its STT_FILE block in vmlinux. */
export interface LocalSymbol {
  name: string;
  size: number;
}

export interface VmlinuxLocation {
  name: string;
  sympos: number;
  address: number;
}

/**
 * Among statics of the same name in same-named files (two lbr.c), the one in
 * the STT_FILE block holding the object's other statics, as kpatch does.
 */
function pickBlock(vmlinux: VmlinuxSymbols, candidates: VmlinuxSymbol[], objectLocals: readonly LocalSymbol[]): VmlinuxSymbol[] {
  const blocks = new Set(candidates.map((c) => c.block));
  if (blocks.size < 2 || objectLocals.length === 0) return candidates;
  const score = (block: number): number => {
    const symbols = vmlinux.blockSymbols(block);
    return objectLocals.filter((l) => symbols.get(l.name) === l.size).length;
  };
  const best = Math.max(...[...blocks].map(score));
  return candidates.filter((c) => score(c.block) === best);
}

/**
 * @param objectLocals names of the object's own static functions and
 *   variables, to tell apart objects that share a file name.
 */
export function locate(vmlinux: VmlinuxSymbols, name: string, local: boolean, file: string, objectLocals: readonly LocalSymbol[] = []): VmlinuxLocation {
  const all = vmlinux.named(name);
  let candidates = local ? pickBlock(vmlinux, vmlinux.localsIn(name, file), objectLocals) : all.filter((s) => s.bind !== STB_LOCAL);
  // A patch may declare and call a static of another file (the way
  // kpatch-style patches reach unexported helpers): fine when its name is
  // unique in vmlinux.
  if (!local && candidates.length === 0) candidates = [...all];
  const what = local ? `the static \`${name}\` of ${file}` : `\`${name}\``;
  if (candidates.length === 0) {
    throw new KlpModuleError(
      "symbol-not-found",
      `${what} is not in vmlinux's symbol table` +
        (local ? ` (GCC may have inlined it into every caller, or dropped it; the patch needs a copy of it instead)` : ` and is not exported`) +
        `. The patch refers to it, so it cannot be loaded.`,
      name,
    );
  }
  if (candidates.length > 1) {
    throw new KlpModuleError(
      "ambiguous-symbol",
      `${what} matches ${candidates.length} vmlinux symbols (${candidates.map((c) => `0x${c.value.toString(16)}${c.file ? ` in ${c.file}` : ""}`).join(", ")}); ` +
        `cannot tell which one the patch means. Call a function whose name is unique instead.`,
      name,
    );
  }
  const s = candidates[0]!;
  return { name, sympos: s.count > 1 ? s.position : 0, address: s.value };
}
