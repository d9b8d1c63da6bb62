// Names that differ between two builds of the same source without meaning
// anything: GCC's numbered clones and static locals, and the counters and
// line numbers the kernel's macros paste into symbol names. Correlation
// compares these "stable" forms.

/** GCC clone suffixes: foo.isra.0, foo.constprop.3, foo.part.1, foo.cold, foo.lto_priv.0. */
const CLONE = /\.(isra|constprop|part|cold|lto_priv|localalias)(\.\d+)?/g;

/**
 * The part of a symbol name that survives recompiling with unrelated edits:
 * - `__initcall__kmod_proc__224_24_proc_cmdline_init5` -> counter and
 *   __LINE__ dropped (adding lines above the initcall renames it);
 * - `__UNIQUE_ID_xxx225` -> __COUNTER__ dropped;
 * - GCC clones keep their kind, not their number;
 * - static locals `counter.12` -> `counter.#` (GCC numbers them per object).
 */
export function stableName(name: string): string {
  const initcall = /^(__initcall__kmod_.*?__)\d+_\d+_(.*)$/.exec(name);
  if (initcall) return `${initcall[1]}#_#_${initcall[2]}`;
  if (name.startsWith("__UNIQUE_ID_")) return name.replace(/\d+$/, "#");
  let out = name.replace(CLONE, (_m, kind: string) => `.${kind}.#`);
  out = out.replace(/\.\d+$/, ".#");
  return out;
}

/**
 * The stable form of a section name: the symbol part of `.text.foo.isra.0`,
 * `.data.counter.3`, `.rodata.__func__.1` is normalised like a symbol name.
 */
export function stableSectionName(name: string): string {
  const m = /^(\.(?:text|data|rodata|bss)(?:\.unlikely|\.hot|\.\.[a-z_]+)?\.)(.+)$/.exec(name);
  return m ? m[1] + stableName(m[2]!) : name;
}
