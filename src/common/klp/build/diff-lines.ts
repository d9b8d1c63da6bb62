// From places in the patched files back to the diff the person wrote: a
// compiler message on line 10 of fs/proc/cmdline.c is on line 9 of their
// diff. And, per object, which source lines the patch only moved, so the
// differ can tell a `__LINE__` that moved from a changed constant.
import type { Diagnostic } from "../../compile/diagnostics.ts";
import { movedLines, type ApplyResult, type ParsedPatch } from "../../patch/index.ts";
import type { MovedLine } from "../diff/index.ts";
import { normalizeTreePath, treePath } from "../../kbuild/tree-path.ts";

/** The diff line that shows line `line` of the patched `file` (added or context), if the diff shows it. */
export function diffLineOf(parsed: ParsedPatch, applied: ApplyResult, file: string, line: number): number | undefined {
  const sections = parsed.files.filter((f) => treePath(f.newPath) === file || treePath(f.oldPath) === file);
  // With several sections for one file the later ones shift the lines: map only the simple case.
  if (sections.length !== 1) return undefined;
  const hunks = sections[0]!.hunks;
  for (let i = 0; i < hunks.length; i++) {
    const h = hunks[i]!;
    // A hunk that landed away from its header has an ApplyNote with the offset.
    const shift = applied.notes.find((n) => n.file === file && n.hunk === i + 1)?.offset ?? 0;
    let at = h.newStart + shift;
    for (const l of h.lines) {
      if (l.kind === "-") continue;
      if (at === line) return l.diffLine;
      at++;
    }
  }
  return undefined;
}

/**
 * " (diff line N)" when a compiler message points into a line the patch
 * added or kept as context: the person wrote the diff, not the file.
 */
export function diffLineNote(parsed: ParsedPatch, applied: ApplyResult, d: Diagnostic): string {
  const line = diffLineOf(parsed, applied, d.file, d.line);
  return line === undefined ? "" : ` (diff line ${line})`;
}

/** Compiler messages with the diff line set where the diff shows theirs. */
export function locatedDiagnostics(parsed: ParsedPatch, applied: ApplyResult, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.map((d) => {
    const diffLine = diffLineOf(parsed, applied, d.file, d.line);
    return diffLine === undefined ? d : { ...d, diffLine };
  });
}

/**
 * For each object, the lines the patch moved in the changed files it reads
 * (its .c, the headers): compiled code cannot say which of them a `__LINE__`
 * came from.
 */
export function movedLineOf(applied: ApplyResult): (files: readonly string[]) => MovedLine {
  const maps = new Map<string, Map<number, number>>();
  for (const f of applied.files) if (f.oldText !== undefined && f.newText !== undefined) maps.set(normalizeTreePath(f.path), movedLines(f.oldText, f.newText));
  return (files) => {
    const mine = files.flatMap((f) => maps.get(f) ?? []);
    return (oldLine, newLine) => mine.some((m) => m.get(oldLine) === newLine);
  };
}
