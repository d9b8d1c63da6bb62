// Produces a `diff -up` style diff of one file, for when the user edits a
// source file in the page instead of writing a diff. The output is meant to be
// read by people and fed back to parseDiff/applyPatch, which must reproduce
// the new text byte for byte.

import { DEV_NULL } from "./types.ts";

/**
 * Unified diff of `path` from oldText to newText (undefined means the file
 * does not exist on that side). Returns "" when the texts are the same.
 * Changes separated by at most 2*context unchanged lines share a hunk.
 */
export function makeDiff(
  path: string,
  oldText: string | undefined,
  newText: string | undefined,
  context = 3,
): string {
  if (oldText === newText) return "";
  const ctx = Math.max(0, Math.floor(context));
  const a = splitKeepingNewlines(oldText ?? "");
  const b = splitKeepingNewlines(newText ?? "");
  const oldName = oldText === undefined ? DEV_NULL : quotePath(`a/${path}`);
  const newName = newText === undefined ? DEV_NULL : quotePath(`b/${path}`);

  if (a.length === 0 && b.length === 0) {
    // Creating or deleting an empty file has no hunk to show it; git's
    // extended header is the only way to say it.
    const mode = oldText === undefined ? "new file mode 100644" : "deleted file mode 100644";
    return `diff --git ${quotePath(`a/${path}`)} ${quotePath(`b/${path}`)}\n${mode}\n`;
  }

  const ops = editScript(a, b);
  const out: string[] = [`--- ${oldName}`, `+++ ${newName}`];
  const heading = new HeadingFinder(a);
  let k = 0;
  while (k < ops.length) {
    while (k < ops.length && ops[k]!.kind === " ") k++;
    if (k === ops.length) break;
    const first = k;
    let last = k;
    let gap = 0;
    for (k++; k < ops.length; k++) {
      if (ops[k]!.kind !== " ") {
        last = k;
        gap = 0;
      } else if (++gap > 2 * ctx) {
        break;
      }
    }
    const start = Math.max(0, first - ctx);
    const end = Math.min(ops.length, last + ctx + 1);
    k = end;

    let oldCount = 0;
    let newCount = 0;
    for (let i = start; i < end; i++) {
      if (ops[i]!.kind !== "+") oldCount++;
      if (ops[i]!.kind !== "-") newCount++;
    }
    const oldBefore = ops[start]!.oldIndex;
    const newBefore = ops[start]!.newIndex;
    const section = heading.before(oldBefore);
    out.push(
      `@@ -${range(oldBefore, oldCount)} +${range(newBefore, newCount)} @@${section ? ` ${section}` : ""}`,
    );
    for (let i = start; i < end; i++) {
      const { kind, text } = ops[i]!;
      if (text.endsWith("\n")) {
        out.push(kind + text.slice(0, -1));
      } else {
        out.push(kind + text, "\\ No newline at end of file");
      }
    }
  }
  return `${out.join("\n")}\n`;
}

/** GNU diff omits a count of 1 and numbers an empty range by the line before it. */
function range(before: number, count: number): string {
  const start = count === 0 ? before : before + 1;
  return count === 1 ? `${start}` : `${start},${count}`;
}

/** Lines with their "\n" kept, so a missing final newline is a difference like any other. */
function splitKeepingNewlines(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  while (from < text.length) {
    const nl = text.indexOf("\n", from);
    const to = nl < 0 ? text.length : nl + 1;
    out.push(text.slice(from, to));
    from = to;
  }
  return out;
}

function quotePath(name: string): string {
  if (!/[\x00-\x1f"\\\x7f]|^\s|\s$/.test(name)) return name;
  let s = '"';
  for (const ch of name) {
    const c = ch.charCodeAt(0);
    if (ch === '"' || ch === "\\") s += `\\${ch}`;
    else if (ch === "\t") s += "\\t";
    else if (ch === "\n") s += "\\n";
    else if (ch === "\r") s += "\\r";
    else if (c < 0x20 || c === 0x7f) s += `\\${c.toString(8).padStart(3, "0")}`;
    else s += ch;
  }
  return `${s}"`;
}

/**
 * Finds the `diff -p` / git hunk heading: the last line before the hunk that
 * starts with a letter, '_' or '$' (in C, usually the function signature).
 * Hunks come in order, so the scan resumes where it stopped.
 */
class HeadingFinder {
  private scanned = 0;
  private last = "";

  constructor(private readonly lines: string[]) {}

  before(index: number): string {
    for (; this.scanned < index; this.scanned++) {
      const line = this.lines[this.scanned]!;
      if (/^[A-Za-z_$]/.test(line)) this.last = line.replace(/\r?\n$/, "").trimEnd().slice(0, 80);
    }
    return this.last;
  }
}

interface Op {
  kind: " " | "-" | "+";
  text: string;
  /** Old lines before this one. */
  oldIndex: number;
  /** New lines before this one. */
  newIndex: number;
}

/**
 * Where each line that the edit kept but moved now is: old line number ->
 * new line number (1-based). The object differ uses it to tell a `__LINE__`
 * that only moved from a real change.
 */
export function movedLines(oldText: string, newText: string): Map<number, number> {
  const moved = new Map<number, number>();
  for (const [from, to] of keptLines(oldText, newText)) if (from !== to) moved.set(from, to);
  return moved;
}

/** Every line the edit kept, moved or not: old line number -> new line number (1-based). */
export function keptLines(oldText: string, newText: string): Map<number, number> {
  const kept = new Map<number, number>();
  for (const op of editScript(splitKeepingNewlines(oldText), splitKeepingNewlines(newText))) {
    if (op.kind === " ") kept.set(op.oldIndex + 1, op.newIndex + 1);
  }
  return kept;
}

function editScript(a: string[], b: string[]): Op[] {
  const ids = new Map<string, number>();
  const intern = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) {
      id = ids.size;
      ids.set(s, id);
    }
    return id;
  };
  const A = Int32Array.from(a, intern);
  const B = Int32Array.from(b, intern);
  const deleted = new Uint8Array(A.length);
  const inserted = new Uint8Array(B.length);
  compare(A, 0, A.length, B, 0, B.length, deleted, inserted);

  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && deleted[i]) {
      ops.push({ kind: "-", text: a[i]!, oldIndex: i++, newIndex: j });
    } else if (j < b.length && inserted[j]) {
      ops.push({ kind: "+", text: b[j]!, oldIndex: i, newIndex: j++ });
    } else {
      ops.push({ kind: " ", text: a[i]!, oldIndex: i++, newIndex: j++ });
    }
  }
  return ops;
}

/**
 * Myers' O(ND) diff in linear space: find the middle snake of an optimal
 * edit path, recurse on the part before it and loop on the part after it.
 * Linear space matters because a user may paste a whole rewritten file.
 */
function compare(
  a: Int32Array,
  aLo: number,
  aHi: number,
  b: Int32Array,
  bLo: number,
  bHi: number,
  deleted: Uint8Array,
  inserted: Uint8Array,
): void {
  for (;;) {
    while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) {
      aLo++;
      bLo++;
    }
    while (aLo < aHi && bLo < bHi && a[aHi - 1] === b[bHi - 1]) {
      aHi--;
      bHi--;
    }
    if (aLo === aHi) {
      inserted.fill(1, bLo, bHi);
      return;
    }
    if (bLo === bHi) {
      deleted.fill(1, aLo, aHi);
      return;
    }
    // Both sides are non-empty and differ at both ends, so the edit distance
    // is at least 2 and both halves around the middle snake are smaller.
    const s = middleSnake(a, aLo, aHi, b, bLo, bHi);
    compare(a, aLo, s.x, b, bLo, s.y, deleted, inserted);
    aLo = s.u;
    bLo = s.v;
  }
}

interface Snake {
  x: number;
  y: number;
  u: number;
  v: number;
}

function middleSnake(a: Int32Array, aLo: number, aHi: number, b: Int32Array, bLo: number, bHi: number): Snake {
  const n = aHi - aLo;
  const m = bHi - bLo;
  const delta = n - m;
  const odd = (delta & 1) !== 0;
  const max = Math.ceil((n + m) / 2);
  const off = max + 1;
  // fwd[off+k]: furthest x reached on diagonal k = x - y going forward;
  // bwd[off+k]: furthest distance from the ends on diagonal k going backward.
  const fwd = new Int32Array(2 * max + 3);
  const bwd = new Int32Array(2 * max + 3);
  for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && fwd[off + k - 1]! < fwd[off + k + 1]!) ? fwd[off + k + 1]! : fwd[off + k - 1]! + 1;
      let y = x - k;
      const x0 = x;
      const y0 = y;
      while (x < n && y < m && a[aLo + x] === b[bLo + y]) {
        x++;
        y++;
      }
      fwd[off + k] = x;
      const kb = delta - k;
      if (odd && kb >= -(d - 1) && kb <= d - 1 && x + bwd[off + kb]! >= n) {
        return { x: aLo + x0, y: bLo + y0, u: aLo + x, v: bLo + y };
      }
    }
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && bwd[off + k - 1]! < bwd[off + k + 1]!) ? bwd[off + k + 1]! : bwd[off + k - 1]! + 1;
      let y = x - k;
      const x0 = x;
      const y0 = y;
      while (x < n && y < m && a[aHi - 1 - x] === b[bHi - 1 - y]) {
        x++;
        y++;
      }
      bwd[off + k] = x;
      const kf = delta - k;
      if (!odd && kf >= -d && kf <= d && x + fwd[off + kf]! >= n) {
        return { x: aHi - x, y: bHi - y, u: aHi - x0, v: bHi - y0 };
      }
    }
  }
  // Unreachable: the paths always meet by d = ceil((n+m)/2).
  throw new Error("makeDiff: middle snake not found");
}
