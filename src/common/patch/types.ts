// The parsed form of a unified diff, shared by the parser, the applier and the UI.

export type HunkLineKind = " " | "-" | "+";

export interface HunkLine {
  kind: HunkLineKind;
  /** The line without its leading kind character and without the newline. */
  text: string;
  /**
   * Set when a `\ No newline at end of file` marker follows: this line is the
   * last one of its side (old for "-", new for "+", both for " ") and has no
   * newline after it.
   */
  noNewlineAtEnd?: boolean;
  /** 1-based line in the diff text. */
  diffLine: number;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** The hunk header line as written, e.g. `@@ -10,7 +10,8 @@ static int foo(void)`. */
  header: string;
  /** Text after the closing `@@` (usually the enclosing function), trimmed; "" when absent. */
  section: string;
  lines: HunkLine[];
  /** 1-based line of the hunk header in the diff text. */
  diffLine: number;
}

export interface FilePatch {
  /** Path on the old side after prefix stripping; "/dev/null" for new files. */
  oldPath: string;
  /** Path on the new side after prefix stripping; "/dev/null" for deleted files. */
  newPath: string;
  isNew: boolean;
  isDeleted: boolean;
  hunks: Hunk[];
  /** 1-based line where this file's section of the diff starts. */
  diffLine: number;
}

export interface ParsedPatch {
  files: FilePatch[];
}

export const DEV_NULL = "/dev/null";
