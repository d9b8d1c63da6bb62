// "With the source line when known": our kernel objects carry no debug
// information (CONFIG_DEBUG_INFO_NONE), so the line comes from the patch
// itself — the first line it added or changed inside the function's
// definition in the patched file.
import { applyPatch, keptLines, parseDiff } from "../patch/index.ts";

export interface SourceLine {
  file: string;
  line: number;
  text: string;
}

/** The names a kernel function is written under in C: SYSCALL_DEFINEn(name) for __ia32_sys_name & co. */
function spellings(name: string): RegExp[] {
  const base = name.replace(/\.(isra|constprop|part|cold|lto_priv)(\.\d+)?/g, "");
  const sys = /^__(?:ia32_|x64_)?(?:se_|do_)?sys_(\w+)$/.exec(base) ?? /^__(?:kpatch|klp)_do_sys_(\w+)$/.exec(base);
  const out = [new RegExp(`^[A-Za-z_][^;=]*\\b${base}\\s*\\(`)];
  if (sys) out.push(new RegExp(`^\\s*(?:KPATCH_|KLP_|COMPAT_)?SYSCALL_DEFINE\\d\\(${sys[1]}\\b`));
  return out;
}

/** Line numbers (1-based) of the lines the patch added or changed in a file. */
function changedLines(oldText: string | undefined, newText: string): number[] {
  const lines = newText.split("\n").length;
  if (oldText === undefined) return Array.from({ length: lines }, (_, i) => i + 1);
  const kept = new Set(keptLines(oldText, newText).values());
  const out: number[] = [];
  for (let n = 1; n <= lines; n++) if (!kept.has(n)) out.push(n);
  return out;
}

export interface SourceIndex {
  /** The first changed line inside `fn`'s definition, looking first in `object`'s own .c file. */
  lineOf(fn: string, object?: string): SourceLine | undefined;
}

export function sourceIndex(diffText: string, readPristine: (path: string) => string | undefined): SourceIndex {
  let files: { path: string; lines: string[]; changed: number[] }[] = [];
  try {
    files = applyPatch(parseDiff(diffText), readPristine).files.flatMap((f) => (f.newText === undefined ? [] : [{ path: f.path, lines: f.newText.split("\n"), changed: changedLines(f.oldText, f.newText) }]));
  } catch {
    files = []; // the build got past these stages; if this copy does not, there is simply no line to show
  }
  return {
    lineOf(fn, object) {
      const own = object?.replace(/\.o$/, ".c");
      const ordered = [...files.filter((f) => f.path === own), ...files.filter((f) => f.path !== own)];
      const patterns = spellings(fn);
      for (const f of ordered) {
        const start = f.lines.findIndex((l) => patterns.some((p) => p.test(l)) && !/;\s*$/.test(l));
        if (start < 0) continue;
        let end = f.lines.findIndex((l, i) => i > start && /^}/.test(l));
        if (end < 0) end = f.lines.length - 1;
        // The definition's own line counts: a changed signature or macro (KPATCH_SYSCALL_DEFINE1).
        const line = f.changed.find((n) => n - 1 >= start && n - 1 <= end && f.lines[n - 1]!.trim() !== "");
        if (line !== undefined) return { file: f.path, line, text: f.lines[line - 1]!.trim() };
      }
      return undefined;
    },
  };
}
