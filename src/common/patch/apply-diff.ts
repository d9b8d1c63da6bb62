// Applies a parsed patch to pristine source text.
//
// Context must match exactly (no fuzz): a livepatch built from a hunk that
// landed on similar-looking but different kernel code is worse than an error.
// Hunks may move (an offset), as with GNU patch, because hand-written hunk
// headers are often a few lines off.

import { treePath } from "../kbuild/tree-path.ts";
import { ApplyError, type ApplyErrorCode } from "./errors.ts";
import type { FilePatch, Hunk, HunkLine, ParsedPatch } from "./types.ts";

export type ReadFile = (path: string) => string | undefined;

export interface ApplyOptions {
  /**
   * How many lines away from the line its header states a hunk may be found.
   * Default: anywhere in the file, nearest first.
   */
  maxOffset?: number;
}

/** A hunk that applied somewhere other than where its header says, like GNU patch's "Hunk #2 succeeded at 130 (offset 4 lines)". */
export interface ApplyNote {
  file: string;
  /** 1-based hunk number within its file section. */
  hunk: number;
  /** Lines between where the header says and where it applied; positive is further down. */
  offset: number;
  /** 1-based line of the source file (before this hunk) where the hunk applied. */
  line: number;
  message: string;
}

export interface AppliedFile {
  path: string;
  /** Pristine text; undefined for a file the patch creates. */
  oldText: string | undefined;
  /** Patched text; undefined for a file the patch deletes. */
  newText: string | undefined;
}

export interface ApplyResult {
  /** One entry per touched path, in order of first appearance in the patch. */
  files: AppliedFile[];
  notes: ApplyNote[];
}

/**
 * Applies every file section in order. A path patched by several sections
 * (a format-patch series) gets them applied one on top of the other.
 */
export function applyPatch(patch: ParsedPatch, readFile: ReadFile, opts: ApplyOptions = {}): ApplyResult {
  const pristine = new Map<string, string | undefined>();
  const current = new Map<string, string | undefined>();
  const order: string[] = [];
  const notes: ApplyNote[] = [];

  const read = (path: string): string | undefined => {
    if (current.has(path)) return current.get(path);
    if (!pristine.has(path)) pristine.set(path, readFile(path));
    return pristine.get(path);
  };
  const write = (path: string, text: string | undefined): void => {
    if (!current.has(path)) {
      if (!pristine.has(path)) pristine.set(path, readFile(path));
      order.push(path);
    }
    current.set(path, text);
  };

  for (const file of patch.files) {
    const path = resolveTarget(file, read, current);
    const text = read(path);
    write(path, applyFile(path, text, file, notes, opts.maxOffset ?? Infinity));
  }

  return {
    files: order.map((path) => ({ path, oldText: pristine.get(path), newText: current.get(path) })),
    notes,
  };
}

function resolveTarget(
  file: FilePatch,
  read: (path: string) => string | undefined,
  current: Map<string, string | undefined>,
): string {
  const fail = (code: ApplyErrorCode, path: string, message: string): never => {
    throw new ApplyError(message, { code, file: path, diffLine: file.diffLine });
  };
  const deletedEarlier = (path: string): boolean => current.has(path) && current.get(path) === undefined;
  const goneNote = (path: string): string => (deletedEarlier(path) ? " (an earlier part of the patch deleted it)" : "");

  if (file.isNew) {
    const path = normalizePath(file.newPath, file);
    if (read(path) !== undefined) fail("file-exists", path, `${path}: cannot create the file: it already exists`);
    return path;
  }
  const oldPath = normalizePath(file.oldPath, file);
  if (file.isDeleted) {
    if (read(oldPath) === undefined) fail(deletedEarlier(oldPath) ? "file-deleted-earlier" : "delete-missing", oldPath, `${oldPath}: cannot delete the file: no such file${goneNote(oldPath)}`);
    return oldPath;
  }
  const newPath = normalizePath(file.newPath, file);
  if (read(newPath) !== undefined) return newPath;
  if (read(oldPath) !== undefined) return oldPath;
  // A lone "@@ -0,0 +1,N @@" hunk describes the whole new file even when the
  // header does not say /dev/null (hand-written diffs); GNU patch creates it too.
  const only = file.hunks.length === 1 ? file.hunks[0] : undefined;
  if (only && only.oldStart === 0 && only.lines.every((l) => l.kind === "+")) return newPath;

  const nor = oldPath === newPath ? "" : ` (nor is '${oldPath}')`;
  let hint = goneNote(newPath);
  let code: ApplyErrorCode = hint ? "file-deleted-earlier" : "file-not-found";
  const shorter = newPath.includes("/") ? newPath.slice(newPath.indexOf("/") + 1) : undefined;
  if (!hint && shorter && read(shorter) !== undefined) {
    hint = ` (but '${shorter}' exists: the diff's paths seem to have an extra leading directory)`;
    code = "extra-leading-directory";
  } else if (!hint) {
    hint = "; to create a new file, use '--- /dev/null' as its old name";
  }
  return fail(code, newPath, `${newPath}: no such file in the source tree${nor}${hint}`);
}

/** Paths must stay inside the tree: the result is written into it. */
function normalizePath(path: string, file: FilePatch): string {
  const p = treePath(path);
  if (p === undefined) {
    throw new ApplyError(`${path}: file paths must be relative to the source tree and stay inside it`, {
      code: "path-outside-tree",
      file: path,
      diffLine: file.diffLine,
    });
  }
  return p;
}

interface SplitText {
  lines: string[];
  /** Whether the last line ends with a newline (true for an empty file). */
  eol: boolean;
}

function splitText(text: string): SplitText {
  if (text === "") return { lines: [], eol: true };
  const lines = text.split("\n");
  const eol = lines[lines.length - 1] === "";
  if (eol) lines.pop();
  return { lines, eol };
}

function joinText(lines: string[], eol: boolean): string {
  return lines.length === 0 ? "" : lines.join("\n") + (eol ? "\n" : "");
}

function applyFile(
  path: string,
  text: string | undefined,
  file: FilePatch,
  notes: ApplyNote[],
  maxOffset: number,
): string | undefined {
  const creating = text === undefined;
  const src = splitText(text ?? "");
  const lines = src.lines;
  const out: string[] = [];
  let eol = src.eol;
  let cursor = 0;
  let lastOffset = 0;
  let prevStart = 0;
  let prevEnd = 0;

  file.hunks.forEach((hunk, k) => {
    const num = k + 1;
    const where = `${path}: hunk #${num} (diff line ${hunk.diffLine})`;
    const oldSide = hunk.lines.filter((l) => l.kind !== "+");
    const newSide = hunk.lines.filter((l) => l.kind !== "-");
    // Unified diffs number an empty old range by the line it follows.
    const stated = oldSide.length === 0 ? hunk.oldStart : hunk.oldStart - 1;
    if (k > 0 && stated < prevEnd) {
      throw new ApplyError(
        `${where} starts at line ${hunk.oldStart}, before the end of hunk #${k} (lines ${prevStart + 1}-${prevEnd}): hunks must be in file order and must not overlap`,
        { code: "hunk-order", file: path, hunk: num, diffLine: hunk.diffLine },
      );
    }
    prevStart = stated;
    prevEnd = stated + oldSide.length;

    const guess = creating ? 0 : stated + lastOffset;
    let pos: number | undefined;
    if (oldSide.length === 0) {
      if (guess > lines.length) {
        throw new ApplyError(
          `${where} does not apply: it inserts after line ${guess}, but the file has only ${lines.length} lines`,
          { code: "hunk-failed", file: path, hunk: num, diffLine: hunk.diffLine, fileLine: lines.length, found: [] },
        );
      }
      pos = guess;
      if (pos === lines.length && lines.length > 0 && !src.eol) {
        throw new ApplyError(
          `${where} does not apply: it adds lines after the last line, which has no newline at end of file; the hunk must replace that line`,
          { code: "hunk-failed", file: path, hunk: num, diffLine: hunk.diffLine, fileLine: pos, found: [lines[pos - 1]!] },
        );
      }
    } else {
      pos = locate(lines, src.eol, oldSide, guess, cursor, stated, maxOffset);
      if (pos === undefined) {
        throw mismatch(where, path, num, hunk, lines, src.eol, oldSide, guess, cursor, stated, maxOffset);
      }
    }

    const offset = pos - stated;
    if (offset !== 0 && !creating) {
      const n = Math.abs(offset);
      notes.push({
        file: path,
        hunk: num,
        offset,
        line: pos + 1,
        message: `${path}: hunk #${num} succeeded at ${pos + 1} (offset ${offset} line${n === 1 ? "" : "s"})`,
      });
    }
    lastOffset = offset;

    const end = pos + oldSide.length;
    const reachesEnd = end === lines.length;
    const lastNew = newSide[newSide.length - 1];
    if (lastNew?.noNewlineAtEnd && !reachesEnd) {
      throw new ApplyError(
        `${where} does not apply: it marks diff line ${lastNew.diffLine} as the end of the file ('\\ No newline at end of file'), but the file continues after line ${end}`,
        { code: "hunk-failed", file: path, hunk: num, diffLine: hunk.diffLine, fileLine: end + 1, found: lines.slice(end, end + 3) },
      );
    }
    for (let i = cursor; i < pos; i++) out.push(lines[i]!);
    for (const l of newSide) out.push(l.text);
    cursor = end;
    // The line before a removed tail was not the last one, so it had a newline.
    if (reachesEnd) eol = lastNew ? !lastNew.noNewlineAtEnd : true;
  });
  for (let i = cursor; i < lines.length; i++) out.push(lines[i]!);

  if (file.isDeleted) {
    if (out.length > 0) {
      throw new ApplyError(
        `${path}: the patch deletes this file, but ${out.length} of its lines are not removed by it`,
        { code: "delete-incomplete", file: path, diffLine: file.diffLine, found: out.slice(0, 3) },
      );
    }
    return undefined;
  }
  return joinText(out, eol);
}

function matchesAt(lines: string[], eol: boolean, side: HunkLine[], pos: number): boolean {
  const last = lines.length - 1;
  for (let j = 0; j < side.length; j++) {
    const idx = pos + j;
    if (lines[idx] !== side[j]!.text) return false;
    if ((idx === last && !eol) !== Boolean(side[j]!.noNewlineAtEnd)) return false;
  }
  return true;
}

/** Nearest match to `guess` at or after `lo`, within `maxOffset` of the stated position. */
function locate(
  lines: string[],
  eol: boolean,
  side: HunkLine[],
  guess: number,
  lo: number,
  stated: number,
  maxOffset: number,
  matches: (pos: number) => boolean = (pos) => matchesAt(lines, eol, side, pos),
): number | undefined {
  const hi = lines.length - side.length;
  if (hi < lo) return undefined;
  // A guess outside the file (a header's `-2147483648`) searches from the
  // nearest end: the same order, without walking every line in between.
  guess = Math.min(Math.max(guess, lo), hi);
  const reach = Math.max(guess - lo, hi - guess);
  for (let d = 0; d <= reach; d++) {
    for (const pos of d === 0 ? [guess] : [guess + d, guess - d]) {
      if (pos < lo || pos > hi || Math.abs(pos - stated) > maxOffset) continue;
      if (matches(pos)) return pos;
    }
  }
  return undefined;
}

function q(s: string): string {
  const max = 100;
  return `'${s.length > max ? `${s.slice(0, max)}...` : s}'`;
}

function squash(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

function mismatch(
  where: string,
  path: string,
  num: number,
  hunk: Hunk,
  lines: string[],
  eol: boolean,
  side: HunkLine[],
  guess: number,
  cursor: number,
  stated: number,
  maxOffset: number,
): ApplyError {
  // Report against where the hunk should have been, counting the offset of
  // the previous hunk, since that is where the user will look.
  const at = Math.min(Math.max(guess, cursor), lines.length);
  const expected = side.map((l) => l.text);
  const found = lines.slice(at, at + side.length);
  let j = 0;
  while (j < side.length && j < found.length && matchesAt(lines, eol, [side[j]!], at + j)) j++;
  let detail: string;
  if (j >= side.length) {
    detail = "its lines were not found in the file";
  } else if (j >= found.length) {
    detail = `expected line ${at + j + 1} to be ${q(expected[j]!)}, found end of file (the file has ${lines.length} lines)`;
  } else if (found[j] !== expected[j]) {
    detail = `expected line ${at + j + 1} to be ${q(expected[j]!)}, found ${q(found[j]!)}`;
  } else if (side[j]!.noNewlineAtEnd) {
    detail = `expected line ${at + j + 1} (${q(expected[j]!)}) to be the last line, with no newline at end of file`;
  } else {
    detail = `expected line ${at + j + 1} (${q(expected[j]!)}) to end with a newline, but the file ends without one`;
  }

  let hint = "";
  const anywhere = locate(lines, eol, side, guess, 0, stated, Infinity);
  if (anywhere !== undefined && anywhere < cursor) {
    hint = `; its lines match at line ${anywhere + 1}, which overlaps hunk #${num - 1}`;
  } else if (anywhere !== undefined) {
    hint = `; its lines match at line ${anywhere + 1}, ${Math.abs(anywhere - stated)} lines away, further than the allowed offset of ${maxOffset}`;
  } else {
    const want = expected.map(squash);
    const loose = locate(
      lines,
      eol,
      side,
      guess,
      0,
      stated,
      Infinity,
      (pos) => want.every((w, i) => squash(lines[pos + i]!) === w) && expected.some((e, i) => lines[pos + i] !== e),
    );
    if (loose !== undefined) {
      hint = `; it would match at line ${loose + 1} if whitespace were ignored: check tabs and spaces (kernel code is indented with tabs, which copy and paste can turn into spaces)`;
    }
  }
  return new ApplyError(`${where} does not apply: ${detail}${hint}`, {
    code: "hunk-failed",
    file: path,
    hunk: num,
    diffLine: hunk.diffLine,
    fileLine: Math.min(at + j, lines.length) + 1,
    expected,
    found,
    foundLine: at + 1,
  });
}
