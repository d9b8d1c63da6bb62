// Keeps patch.diff and the edited source files in step, both ways:
// a diff is applied to the pristine files to show the edited sources, and
// edited sources are diffed against the pristine files to write the diff.
// Pure: no editor, no network, so it can be unit-tested.
import { ApplyError, DiffError, applyPatch, makeDiff, parseDiff, DEV_NULL, type ParsedPatch } from "../../common/patch/index.ts";
import { treePath } from "../../common/kbuild/tree-path.ts";

/** A problem to show on a line of the diff (or of a source file). */
export interface SyncProblem {
  /** "patch.diff" or a tree path. */
  file: string;
  /** 1-based line. */
  line: number;
  message: string;
}

export type DiffDerivation =
  | { ok: true; /** Edited text per touched path (undefined: the patch deletes it). */ sources: Map<string, string | undefined>; notes: string[] }
  | { ok: false; problem: SyncProblem; /** Extra markers, e.g. where a hunk was compared in the source. */ related: SyncProblem[] };

/** Tree paths a diff reads; parse errors surface later, from deriveSources. */
export function pathsOfDiff(diffText: string): string[] {
  let parsed: ParsedPatch;
  try {
    parsed = parseDiff(diffText);
  } catch {
    return [];
  }
  const paths = new Set<string>();
  for (const f of parsed.files) {
    for (const p of [f.oldPath, f.newPath]) {
      // As the applier reads it; /dev/null and paths outside the tree are no file to open.
      const path = p === DEV_NULL ? undefined : treePath(p);
      if (path !== undefined) paths.add(path);
    }
  }
  return [...paths];
}

/** Applies the diff to the pristine files; errors become problems on the diff's lines. */
export function deriveSources(diffText: string, readPristine: (path: string) => string | undefined): DiffDerivation {
  try {
    const applied = applyPatch(parseDiff(diffText), readPristine);
    const sources = new Map<string, string | undefined>();
    for (const f of applied.files) sources.set(f.path, f.newText);
    return { ok: true, sources, notes: applied.notes.map((n) => n.message) };
  } catch (e) {
    if (e instanceof DiffError) {
      return { ok: false, problem: { file: "patch.diff", line: e.line, message: `Malformed diff: ${e.reason}` }, related: [] };
    }
    if (e instanceof ApplyError) {
      const related: SyncProblem[] = [];
      if (e.fileLine !== undefined) {
        related.push({ file: e.file, line: Math.max(1, e.fileLine), message: `The diff's hunk${e.hunk ? ` #${e.hunk}` : ""} was compared here and does not match.` });
      }
      const expected = e.expected.length ? `\nExpected:\n${e.expected.map((l) => `  ${l}`).join("\n")}\nFound:\n${e.found.map((l) => `  ${l}`).join("\n")}` : "";
      return { ok: false, problem: { file: "patch.diff", line: e.diffLine, message: `Does not apply to ${e.file}${e.hunk ? `, hunk #${e.hunk}` : ""}: ${e.message}${expected}` }, related };
    }
    throw e;
  }
}

/** The diff of every edited file against its pristine text, in the given order; unchanged files are left out. */
export function diffFromSources(edited: ReadonlyMap<string, string>, readPristine: (path: string) => string | undefined): string {
  let out = "";
  for (const [path, text] of edited) out += makeDiff(path, readPristine(path), text);
  return out;
}
