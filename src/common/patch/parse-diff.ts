// Unified diff parser for what people actually paste: `diff -u`, `diff -Nupr`,
// `git diff`, `git format-patch` mails (one or a series), hand-edited hunks.
//
// Like GNU patch, text outside file sections (mail headers, commit message,
// diffstat, signature) is skipped. Unlike GNU patch, anything that looks like a
// mistake in a hunk is an error rather than silently ignored: the user is
// hand-editing a kernel patch and a dropped line would only show up later as a
// confusing build or runtime failure.

import { DiffError } from "./errors.ts";
import { DEV_NULL } from "./types.ts";
import type { FilePatch, Hunk, HunkLine, ParsedPatch } from "./types.ts";

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;

// `diff -u` separates the timestamp with a tab; some tools and hand-written
// diffs use spaces, so recognise the two timestamp shapes diff has ever printed.
const TRAILING_ISO_TIME =
  / +(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [+-]\d{4})?)$/;
const TRAILING_CTIME =
  / +((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4})$/;

// How many blank context lines missing at the very end of the text are taken
// as lost to whitespace trimming. Kernel style allows no double blank lines,
// so one is what happens in practice; more is likelier a miscounted hunk.
const TRIMMED_CONTEXT_MAX = 1;

const GIT_IGNORED_HEADER = /^(?:old mode|new mode|index|dissimilarity index) /;
const GIT_RENAME_HEADER =
  /^(?:similarity index|rename from|rename to|rename old|rename new|copy from|copy to) /;

/** Parse a unified diff. Throws DiffError (with the 1-based diff line) when malformed. */
export function parseDiff(text: string): ParsedPatch {
  return new Parser(text).parse();
}

interface GitHeader {
  isNew: boolean;
  isDeleted: boolean;
}

interface HeaderName {
  name: string;
  timestamp: string;
}

class Parser {
  private readonly raw: string[];
  private readonly n: number;
  private pos = 0;
  private readonly files: FilePatch[] = [];
  // Where the previous file's hunks stopped: a later stray `@@` is then
  // reported at the first unexpected line instead of as a headerless hunk.
  private afterHunk: { hunk: Hunk; next: number } | undefined;

  constructor(text: string) {
    this.raw = splitDiffLines(text);
    this.n = this.raw.length;
  }

  parse(): ParsedPatch {
    while (this.pos < this.n) {
      const i = this.pos;
      const line = this.bare(i);
      if (line.startsWith("diff --git ")) {
        this.gitFile();
        continue;
      }
      if (line.startsWith("diff --cc ") || line.startsWith("diff --combined ")) {
        throw new DiffError(
          i + 1,
          "combined diffs (of a merge commit) are not supported: diff against one parent instead",
          "unsupported-diff",
        );
      }
      if (line.startsWith("--- ") && this.peek(i + 1).startsWith("+++ ")) {
        // A `diff -Nupr a/x b/x` line introduces the section.
        const intro = i > 0 && this.bare(i - 1).startsWith("diff ");
        this.fileDiff(i, intro ? i - 1 : i, undefined);
        continue;
      }
      if (line.startsWith("--- ") && this.peek(i + 1).startsWith("@@")) {
        throw new DiffError(
          i + 2,
          `expected '+++ <new file>' after ${quote(line)}, found ${this.describe(i + 1)}`,
        );
      }
      if (line.startsWith("+++ ") && this.peek(i + 1).startsWith("@@")) {
        throw new DiffError(i + 1, `found ${quote(line)} without a '--- <old file>' line before it`);
      }
      if (line.startsWith("@@")) this.strayHunkHeader(i);
      this.rejectUnsupported(i);
      this.pos++;
    }
    if (this.files.length === 0) {
      throw new DiffError(
        1,
        "no file changes found: expected a unified diff with '--- a/<file>', '+++ b/<file>' and '@@ -a,b +c,d @@' lines",
        "empty-patch",
      );
    }
    return { files: this.files };
  }

  /** The line without a trailing CR, for matching structure. */
  private bare(i: number): string {
    const line = this.raw[i]!;
    return line.endsWith("\r") ? line.slice(0, -1) : line;
  }

  private peek(i: number): string {
    return i < this.n ? this.bare(i) : "";
  }

  private describe(i: number): string {
    if (i >= this.n) return "end of file";
    const line = this.bare(i);
    return line === "" ? "an empty line" : quote(line);
  }

  /** 1-based line number to report for index i, clamped to the last line at end of file. */
  private lineNo(i: number): number {
    return Math.max(1, Math.min(i, this.n - 1) + 1);
  }

  private skipBlank(i: number): number {
    while (i < this.n && this.raw[i]!.trim() === "") i++;
    return i;
  }

  private strayHunkHeader(i: number): never {
    const prev = this.afterHunk;
    if (prev) {
      const g = this.skipBlank(prev.next);
      if (g < i) {
        throw new DiffError(
          g + 1,
          `unexpected ${this.describe(g)} between hunks: the hunk ${rangeOf(prev.hunk)} at line ${prev.hunk.diffLine} ended at line ${prev.next}; remove this line or fix that hunk's line counts`,
        );
      }
    }
    throw new DiffError(
      i + 1,
      `found hunk header ${quote(this.bare(i))} without a '--- a/<file>' / '+++ b/<file>' header before it`,
    );
  }

  private rejectUnsupported(i: number): void {
    const line = this.bare(i);
    if (line === "GIT binary patch" || (line.startsWith("Binary files ") && line.endsWith(" differ"))) {
      throw new DiffError(i + 1, `binary file changes are not supported (${quote(line)})`, "unsupported-diff");
    }
    if (line === "***************") {
      throw new DiffError(
        i + 1,
        "context diffs ('diff -c') are not supported: make the diff with 'diff -u' or 'git diff'",
        "unsupported-diff",
      );
    }
  }

  private gitFile(): void {
    const start = this.pos;
    const line = this.bare(start);
    const names = splitGitNames(line.slice("diff --git ".length));
    const git: GitHeader = { isNew: false, isDeleted: false };
    let i = start + 1;
    for (; i < this.n; i++) {
      const l = this.bare(i);
      if (l.startsWith("new file mode ")) git.isNew = true;
      else if (l.startsWith("deleted file mode ")) git.isDeleted = true;
      else if (GIT_RENAME_HEADER.test(l)) {
        const what = names ? ` ('${stripGitPrefix(names[0])}' -> '${stripGitPrefix(names[1])}')` : "";
        throw new DiffError(
          i + 1,
          `renamed or copied files are not supported${what}: make the diff with 'git diff --no-renames' (or 'git format-patch --no-renames') so it shows a deletion and a new file`,
          "unsupported-diff",
        );
      } else if (!GIT_IGNORED_HEADER.test(l)) break;
    }
    if (i < this.n && this.bare(i).startsWith("--- ")) {
      if (!this.peek(i + 1).startsWith("+++ ")) {
        throw new DiffError(
          this.lineNo(i + 1),
          `expected '+++ <new file>' after ${quote(this.bare(i))}, found ${this.describe(i + 1)}`,
        );
      }
      this.fileDiff(i, start, git);
      return;
    }
    if (i < this.n) {
      this.rejectUnsupported(i);
      if (this.bare(i).startsWith("@@")) {
        throw new DiffError(
          i + 1,
          `expected '--- a/<file>' and '+++ b/<file>' before the first hunk of ${quote(line)}, found ${this.describe(i)}`,
        );
      }
    }
    // No ---/+++ lines: git does this for empty new/deleted files and for
    // mode-only changes. The latter do not change content, so they are dropped.
    if (git.isNew || git.isDeleted) {
      if (!names) throw new DiffError(start + 1, `cannot tell the file name from ${quote(line)}`);
      const [a, b] = stripPair(names[0], names[1]);
      const path = git.isNew ? b : a;
      this.checkName(path, start);
      if (git.isNew && git.isDeleted) {
        throw new DiffError(start + 1, "a file cannot be both new and deleted");
      }
      this.files.push({
        oldPath: git.isNew ? DEV_NULL : path,
        newPath: git.isDeleted ? DEV_NULL : path,
        isNew: git.isNew,
        isDeleted: git.isDeleted,
        hunks: [],
        diffLine: start + 1,
      });
    }
    this.afterHunk = undefined;
    this.pos = i;
  }

  /** Parses the `---`/`+++` pair at `at` and the hunks after it. */
  private fileDiff(at: number, start: number, git: GitHeader | undefined): void {
    const oldHeader = this.headerName(at);
    const newHeader = this.headerName(at + 1);
    let i = this.skipBlank(at + 2);
    if (i >= this.n || !this.bare(i).startsWith("@@")) {
      throw new DiffError(
        this.lineNo(i),
        `expected a hunk header '@@ -a,b +c,d @@' after ${quote(this.bare(at + 1))}, found ${this.describe(i)}`,
      );
    }
    const hunks: Hunk[] = [];
    for (;;) {
      const { hunk, next } = this.hunk(i);
      hunks.push(hunk);
      const j = this.skipBlank(next);
      this.afterHunk = { hunk, next };
      this.pos = next;
      if (j >= this.n || !this.bare(j).startsWith("@@")) break;
      const marked = hunk.lines.find((l) => l.noNewlineAtEnd);
      if (marked) {
        throw new DiffError(
          j + 1,
          `hunk ${quote(this.bare(j))} comes after the end of the file: the previous hunk marks line ${marked.diffLine} with '\\ No newline at end of file'`,
        );
      }
      i = j;
    }

    if (oldHeader.name === DEV_NULL && newHeader.name === DEV_NULL) {
      throw new DiffError(at + 1, "both '---' and '+++' name /dev/null");
    }
    const [oldName, newName] = stripPair(oldHeader.name, newHeader.name);
    const only = hunks.length === 1 ? hunks[0] : undefined;
    const isNew =
      oldName === DEV_NULL ||
      (git?.isNew ?? false) ||
      (isEpoch(oldHeader.timestamp) && only !== undefined && only.oldStart === 0 && only.oldLines === 0);
    const isDeleted =
      newName === DEV_NULL ||
      (git?.isDeleted ?? false) ||
      (isEpoch(newHeader.timestamp) && only !== undefined && only.newStart === 0 && only.newLines === 0);
    if (isNew && isDeleted) {
      throw new DiffError(at + 1, "a file cannot be both new and deleted");
    }
    if (!isNew) this.checkName(oldName, at);
    if (!isDeleted) this.checkName(newName, at + 1);
    if (isNew) {
      const bad = hunks.find((h) => h.oldLines !== 0) ?? hunks[1];
      if (bad) {
        throw new DiffError(
          bad.diffLine,
          `hunk ${rangeOf(bad)} does not fit a new file: a new file has a single hunk '@@ -0,0 +1,N @@'`,
        );
      }
    }
    if (isDeleted) {
      const bad = hunks.find((h) => h.newLines !== 0) ?? hunks[1];
      if (bad) {
        throw new DiffError(
          bad.diffLine,
          `hunk ${rangeOf(bad)} does not fit a deleted file: a deleted file has a single hunk '@@ -1,N +0,0 @@'`,
        );
      }
    }
    this.files.push({
      oldPath: isNew ? DEV_NULL : oldName,
      newPath: isDeleted ? DEV_NULL : newName,
      isNew,
      isDeleted,
      hunks,
      diffLine: start + 1,
    });
  }

  private checkName(name: string, i: number): void {
    if (name === "" || name === DEV_NULL) {
      throw new DiffError(i + 1, `missing file name in ${quote(this.bare(i))}`);
    }
  }

  private headerName(i: number): HeaderName {
    const line = this.bare(i);
    const rest = line.slice(4);
    if (rest.startsWith('"')) {
      const q = unquoteC(rest);
      if (!q) throw new DiffError(i + 1, `unterminated quoted file name in ${quote(line)}`);
      return { name: q.value, timestamp: rest.slice(q.end).trim() };
    }
    const tab = rest.indexOf("\t");
    if (tab >= 0) return { name: rest.slice(0, tab).trim(), timestamp: rest.slice(tab + 1).trim() };
    // Only the tail can hold a timestamp; matching there keeps the
    // backtracking on long runs of spaces bounded.
    const tail = rest.slice(-64);
    const m = TRAILING_ISO_TIME.exec(tail) ?? TRAILING_CTIME.exec(tail);
    if (m) return { name: rest.slice(0, rest.length - tail.length + m.index).trim(), timestamp: m[1]! };
    return { name: rest.trim(), timestamp: "" };
  }

  private hunk(at: number): { hunk: Hunk; next: number } {
    const header = this.bare(at);
    const m = HUNK_HEADER.exec(header);
    if (!m) {
      if (header.startsWith("@@@")) {
        throw new DiffError(
          at + 1,
          "combined diffs (of a merge commit) are not supported: diff against one parent instead",
          "unsupported-diff",
        );
      }
      throw new DiffError(
        at + 1,
        `malformed hunk header ${quote(header)}: expected '@@ -a,b +c,d @@' (the ',b' and ',d' counts may be left out when they are 1)`,
      );
    }
    const section = m[5]!;
    const hunk: Hunk = {
      oldStart: Number(m[1]),
      oldLines: m[2] === undefined ? 1 : Number(m[2]),
      newStart: Number(m[3]),
      newLines: m[4] === undefined ? 1 : Number(m[4]),
      header,
      section: section.trim(),
      lines: [],
      diffLine: at + 1,
    };
    const range = rangeOf(hunk);
    const where = `hunk ${range} (line ${at + 1})`;
    if (hunk.oldLines === 0 && hunk.newLines === 0) {
      throw new DiffError(at + 1, `${where} is empty: its header counts no old and no new lines`);
    }
    if (hunk.oldStart === 0 && hunk.oldLines > 0) {
      throw new DiffError(at + 1, `${where} starts at old line 0 but has old lines; lines are numbered from 1`);
    }
    if (hunk.newStart === 0 && hunk.newLines > 0) {
      throw new DiffError(at + 1, `${where} starts at new line 0 but has new lines; lines are numbered from 1`);
    }

    const lines = hunk.lines;
    let oldLeft = hunk.oldLines;
    let newLeft = hunk.newLines;
    let i = at + 1;
    const tooMany = (side: "context/removed" | "context/added", count: number): never => {
      throw new DiffError(
        i + 1,
        `${where} has more ${side} lines than the ${count} its header says: found ${this.describe(i)} where ${remaining(oldLeft, newLeft)} ${oldLeft + newLeft === 1 ? "was" : "were"} expected`,
      );
    };
    while (oldLeft > 0 || newLeft > 0) {
      if (i >= this.n) {
        // Copying a diff out of a terminal drops trailing whitespace, which
        // turns the blank context lines at the very end into nothing at all.
        // Restore them; apply still checks them against the file exactly.
        const trimmed = oldLeft === newLeft && oldLeft <= TRIMMED_CONTEXT_MAX && !lines.some((l) => l.noNewlineAtEnd);
        if (!trimmed) throw this.endsEarly(where, i, oldLeft, newLeft);
        for (; oldLeft > 0; oldLeft--, newLeft--) lines.push({ kind: " ", text: "", diffLine: this.n });
        break;
      }
      const raw = this.raw[i]!;
      const kind = raw.charAt(0);
      if (kind === "\\") {
        this.marker(lines, i);
      } else if (raw === "") {
        // A context line for a blank source line whose leading space an
        // editor or mail client trimmed; GNU patch accepts it the same way.
        if (oldLeft === 0 || newLeft === 0) throw this.endsEarly(where, i, oldLeft, newLeft);
        lines.push({ kind: " ", text: "", diffLine: i + 1 });
        oldLeft--;
        newLeft--;
      } else if (kind === " ") {
        if (oldLeft === 0) tooMany("context/removed", hunk.oldLines);
        if (newLeft === 0) tooMany("context/added", hunk.newLines);
        lines.push({ kind: " ", text: raw.slice(1), diffLine: i + 1 });
        oldLeft--;
        newLeft--;
      } else if (kind === "-") {
        // A format-patch signature ("-- " then the git version) reached while
        // the counts still want lines means the counts are wrong, not that
        // the file has a line "- ".
        if (/^--\r?$|^-- \r?$/.test(raw) && /^\d+\.\d+/.test(this.peek(i + 1))) {
          throw this.endsEarly(where, i, oldLeft, newLeft);
        }
        if (oldLeft === 0) tooMany("context/removed", hunk.oldLines);
        lines.push({ kind: "-", text: raw.slice(1), diffLine: i + 1 });
        oldLeft--;
      } else if (kind === "+") {
        if (newLeft === 0) tooMany("context/added", hunk.newLines);
        lines.push({ kind: "+", text: raw.slice(1), diffLine: i + 1 });
        newLeft--;
      } else {
        throw this.endsEarly(where, i, oldLeft, newLeft);
      }
      i++;
    }
    if (i < this.n && this.raw[i]!.startsWith("\\")) {
      this.marker(lines, i);
      i++;
    }
    this.checkMarkers(lines);

    if (i < this.n) {
      const next = this.bare(i);
      const signature = next === "--" || next === "-- ";
      const nextFile = next.startsWith("--- ") && this.peek(i + 1).startsWith("+++ ");
      const looksLikeHunkLine =
        next.startsWith("+") || (next.startsWith("-") && !signature && !nextFile) || (next.startsWith(" ") && next.trim() !== "");
      if (looksLikeHunkLine) {
        throw new DiffError(
          i + 1,
          `${where} has more lines than its header says (${plural(hunk.oldLines, "context/removed line")}, ${plural(hunk.newLines, "context/added line")}): found extra line ${quote(next)}`,
        );
      }
    }
    return { hunk, next: i };
  }

  private endsEarly(where: string, i: number, oldLeft: number, newLeft: number): DiffError {
    let hint: string;
    if (i < this.n) {
      const line = this.bare(i);
      const structural =
        line.startsWith("@@") || line.startsWith("diff ") || line.startsWith("--- ") || /^--? ?$/.test(line);
      hint = structural
        ? "; check the line counts in the hunk header"
        : line === ""
          ? ""
          : "; every hunk line starts with ' ' (context), '-' (removed) or '+' (added)";
    } else {
      hint = "; check the line counts in the hunk header";
    }
    return new DiffError(
      this.lineNo(i),
      `${where} ends early: expected ${remaining(oldLeft, newLeft)}, found ${this.describe(i)}${hint}`,
    );
  }

  private marker(lines: HunkLine[], i: number): void {
    const last = lines[lines.length - 1];
    if (!last) {
      throw new DiffError(i + 1, `${quote(this.bare(i))} must follow a hunk line`);
    }
    last.noNewlineAtEnd = true;
  }

  private checkMarkers(lines: HunkLine[]): void {
    // A marked line ends its side (both sides for context); nothing may
    // follow on a side that has ended.
    let oldEnd: HunkLine | undefined;
    let newEnd: HunkLine | undefined;
    for (const line of lines) {
      const old = line.kind !== "+";
      const neu = line.kind !== "-";
      const ended = (old ? oldEnd : undefined) ?? (neu ? newEnd : undefined);
      if (ended) {
        const side = ended.kind === "-" ? "old" : ended.kind === "+" ? "new" : "old and new";
        throw new DiffError(
          line.diffLine,
          `'\\ No newline at end of file' after line ${ended.diffLine} says it is the last line of the ${side} file, but the hunk continues with ${quote((line.kind + line.text).replace(/\r$/, ""))}`,
        );
      }
      if (line.noNewlineAtEnd) {
        if (old) oldEnd = line;
        if (neu) newEnd = line;
      }
    }
  }
}

/** Splits into lines; a diff that is CRLF throughout had its line ends converted, so CRs go. */
function splitDiffLines(text: string): string[] {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const crlf = t.includes("\r\n") && !/(?:^|[^\r])\n/.test(t);
  const lines = t.split(crlf ? "\r\n" : "\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function rangeOf(h: Hunk): string {
  const m = HUNK_HEADER.exec(h.header);
  return m ? h.header.slice(0, h.header.length - m[5]!.length) : h.header;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function remaining(oldLeft: number, newLeft: number): string {
  const parts: string[] = [];
  if (oldLeft > 0) parts.push(plural(oldLeft, "more context/removed line"));
  if (newLeft > 0) parts.push(plural(newLeft, "more context/added line"));
  return parts.length ? parts.join(" and ") : "no more lines";
}

function quote(s: string): string {
  const max = 80;
  return `'${s.length > max ? `${s.slice(0, max)}...` : s}'`;
}

/**
 * p1 when both sides carry git's a/ and b/ prefixes, or two different first
 * directories before the same path (kpatch's `diff -Nupr src.orig/x src/x`,
 * `linux.orig/` vs `linux/`: what `patch -p1` strips); p0 otherwise.
 */
function stripPair(oldName: string, newName: string): [string, string] {
  const oldOk = oldName === DEV_NULL || oldName.startsWith("a/");
  const newOk = newName === DEV_NULL || newName.startsWith("b/");
  if (oldOk && newOk) return [oldName === DEV_NULL ? oldName : oldName.slice(2), newName === DEV_NULL ? newName : newName.slice(2)];
  const split = (n: string): [string, string] | undefined => {
    const at = n.indexOf("/");
    return at > 0 ? [n.slice(0, at), n.slice(at + 1)] : undefined;
  };
  const o = split(oldName);
  const n = split(newName);
  if (o && n && o[0] !== n[0] && o[1] === n[1] && o[1] !== "") return [o[1], n[1]];
  return [oldName, newName];
}

function stripGitPrefix(name: string): string {
  return /^[a-z]\//.test(name) ? name.slice(2) : name;
}

/**
 * Splits the names in `diff --git <a> <b>`. Unquoted names may contain
 * spaces, so prefer the split where both sides name the same file, which is
 * what git prints for everything but renames.
 */
function splitGitNames(rest: string): [string, string] | undefined {
  if (rest.startsWith('"')) {
    const first = unquoteC(rest);
    if (!first || rest.charAt(first.end) !== " ") return undefined;
    const second = secondGitName(rest.slice(first.end + 1));
    return second === undefined ? undefined : [first.value, second];
  }
  const quoted = rest.indexOf(' "');
  if (quoted >= 0) {
    const second = secondGitName(rest.slice(quoted + 1));
    return second === undefined ? undefined : [rest.slice(0, quoted), second];
  }
  // Same-name halves are the same length, so only the middle space can split them.
  const mid = (rest.length - 1) / 2;
  if (Number.isInteger(mid) && rest.charAt(mid) === " ") {
    const a = rest.slice(0, mid);
    const b = rest.slice(mid + 1);
    if (a === b || (a.includes("/") && b.includes("/") && stripGitPrefix(a) === stripGitPrefix(b))) {
      return [a, b];
    }
  }
  const space = rest.indexOf(" ");
  if (space < 0 || rest.indexOf(" ", space + 1) >= 0) return undefined;
  return [rest.slice(0, space), rest.slice(space + 1)];
}

function secondGitName(s: string): string | undefined {
  if (!s.startsWith('"')) return s === "" ? undefined : s;
  const q = unquoteC(s);
  return q && q.end === s.length ? q.value : undefined;
}

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 };

/**
 * Decodes a git/GNU C-style quoted name starting at s[0] === '"'. Octal
 * escapes are UTF-8 bytes, so the name is assembled as bytes and decoded once.
 */
function unquoteC(s: string): { value: string; end: number } | undefined {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 1; i < s.length; i++) {
    const c = s.charAt(i);
    if (c === '"') {
      return { value: new TextDecoder().decode(new Uint8Array(bytes)), end: i + 1 };
    }
    if (c !== "\\") {
      const cp = s.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      for (const b of encoder.encode(ch)) bytes.push(b);
      i += ch.length - 1;
      continue;
    }
    const e = s.charAt(++i);
    if (e === "") return undefined;
    const simple = C_ESCAPES[e];
    if (simple !== undefined) {
      bytes.push(simple);
      continue;
    }
    const oct = /^[0-7]{1,3}/.exec(s.slice(i, i + 3));
    if (!oct) return undefined;
    bytes.push(parseInt(oct[0], 8) & 0xff);
    i += oct[0].length - 1;
  }
  return undefined;
}

/**
 * `diff -N` marks the missing side of a new or deleted file with the epoch
 * as its timestamp (in the local time zone), instead of /dev/null.
 */
function isEpoch(timestamp: string): boolean {
  const iso = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:\s*([+-])(\d\d):?(\d\d))?/.exec(timestamp);
  if (iso) {
    if (iso[7] !== undefined && /[1-9]/.test(iso[7])) return false;
    let ms = Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]), Number(iso[4]), Number(iso[5]), Number(iso[6]));
    if (iso[8] !== undefined) {
      const minutes = Number(iso[9]) * 60 + Number(iso[10]);
      ms -= (iso[8] === "-" ? -1 : 1) * minutes * 60_000;
    }
    return ms === 0;
  }
  // ctime form carries no zone; anything within a day of the epoch is it.
  return /\b(?:Jan {1,2}1 \d\d:\d\d:\d\d 1970|Dec 31 \d\d:\d\d:\d\d 1969)\b/.test(timestamp);
}
