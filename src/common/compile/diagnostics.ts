import { treePath } from "../kbuild/tree-path.ts";

/** A GCC message, in the user's terms: which file, where, how bad, what. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: "error" | "warning" | "note" | "fatal error";
  message: string;
  /** "In function 'foo':" context GCC printed before it, when any. */
  function?: string;
  /** The line of the user's diff that shows this source line, when the diff shows it. */
  diffLine?: number;
}

const MESSAGE = /^(.+?):(\d+):(\d+): (fatal error|error|warning|note): (.*)$/;
const IN_FUNCTION = /^(.+?): In function '([^']+)':$/;

/** Parses GCC's stderr (with or without caret lines and ANSI colours). */
export function parseGccDiagnostics(stderr: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  let fn: { file: string; name: string } | undefined;
  for (const raw of stderr.split("\n")) {
    const line = raw.replace(/\x1b\[[0-9;]*[mK]/g, "");
    const f = IN_FUNCTION.exec(line);
    if (f) {
      fn = { file: f[1]!, name: f[2]! };
      continue;
    }
    const m = MESSAGE.exec(line);
    if (!m) continue;
    const d: Diagnostic = {
      // A header outside the tree (GCC's own stddef.h) keeps its absolute path.
      file: treePath(m[1]!) ?? m[1]!,
      line: Number(m[2]),
      column: Number(m[3]),
      severity: m[4] as Diagnostic["severity"],
      message: m[5]!,
    };
    if (fn && fn.file === m[1]) d.function = fn.name;
    out.push(d);
  }
  return out;
}
