import { describe, expect, it } from "vitest";
import { DiffError, parseDiff, type DiffErrorCode } from "../../../src/common/patch/index.ts";

const H = "--- a/fs/proc/cmdline.c\n+++ b/fs/proc/cmdline.c\n";

function parseError(text: string): DiffError {
  try {
    parseDiff(text);
  } catch (e) {
    if (e instanceof DiffError) return e;
    throw e;
  }
  throw new Error("expected parseDiff to throw");
}

function expectError(text: string, line: number, message: string, code: DiffErrorCode = "malformed-diff"): DiffError {
  const e = parseError(text);
  expect(e).toBeInstanceOf(Error);
  expect(e.name).toBe("DiffError");
  expect({ line: e.line, message: e.message }).toEqual({ line, message: `line ${line}: ${message}` });
  expect(e.reason).toBe(message);
  expect(e.code).toBe(code);
  return e;
}

describe("parseDiff errors", () => {
  it("rejects text without any diff", () => {
    const msg =
      "no file changes found: expected a unified diff with '--- a/<file>', '+++ b/<file>' and '@@ -a,b +c,d @@' lines";
    expectError("Hello,\n\nplease apply my change to cmdline_proc_show().\n", 1, msg, "empty-patch");
    expectError("", 1, msg, "empty-patch");
    // Mode-only changes carry no content change.
    expectError("diff --git a/x.sh b/x.sh\nold mode 100644\nnew mode 100755\n", 1, msg, "empty-patch");
  });

  it("wants a hunk header right after the file header", () => {
    const mail = [
      "From: Jane Hacker <jane@example.org>",
      "Subject: [PATCH] proc: tweak cmdline",
      "",
      "Make it say something else.",
      "---",
      " fs/proc/cmdline.c | 1 +",
      "",
      "diff --git a/fs/proc/cmdline.c b/fs/proc/cmdline.c",
      "index 082def2..3463245 100644",
      "--- a/fs/proc/cmdline.c",
      "+++ b/fs/proc/cmdline.c",
      "foo",
      "",
    ].join("\n");
    expectError(mail, 12, "expected a hunk header '@@ -a,b +c,d @@' after '+++ b/fs/proc/cmdline.c', found 'foo'");
    expectError(H, 2, "expected a hunk header '@@ -a,b +c,d @@' after '+++ b/fs/proc/cmdline.c', found end of file");
  });

  it("reports a hunk that ends before its counts are reached", () => {
    expectError(
      `${H}@@ -10,7 +10,8 @@ static int cmdline_proc_show(struct seq_file *m, void *v)\n {\n \tseq_puts(m, saved_command_line);\n+\tklp_demo_counter++;\n \tseq_putc(m, '\\n');\n \treturn 0;\n`,
      8,
      "hunk @@ -10,7 +10,8 @@ (line 3) ends early: expected 3 more context/removed lines and 3 more context/added lines, found end of file; check the line counts in the hunk header",
    );
    expectError(
      `${H}@@ -10,7 +10,7 @@\n {\n-\ta();\n+\tb();\n \treturn 0;\n`,
      7,
      "hunk @@ -10,7 +10,7 @@ (line 3) ends early: expected 4 more context/removed lines and 4 more context/added lines, found end of file; check the line counts in the hunk header",
    );
    expectError(
      `${H}@@ -1,3 +1,3 @@\n a\n-b\n+c\n@@ -10 +10 @@\n-x\n+y\n`,
      7,
      "hunk @@ -1,3 +1,3 @@ (line 3) ends early: expected 1 more context/removed line and 1 more context/added line, found '@@ -10 +10 @@'; check the line counts in the hunk header",
    );
    // Only the old side is short.
    expectError(
      `${H}@@ -1,3 +1,1 @@\n-a\n-b\n+c\n`,
      6,
      "hunk @@ -1,3 +1,1 @@ (line 3) ends early: expected 1 more context/removed line, found end of file; check the line counts in the hunk header",
    );
  });

  it("reports a hunk header followed by no lines at all", () => {
    expectError(
      `${H}@@ -1,3 +1,3 @@\n@@ -10 +10 @@\n-x\n+y\n`,
      4,
      "hunk @@ -1,3 +1,3 @@ (line 3) ends early: expected 3 more context/removed lines and 3 more context/added lines, found '@@ -10 +10 @@'; check the line counts in the hunk header",
    );
    expectError(`${H}@@ -0,0 +0,0 @@\n`, 3, "hunk @@ -0,0 +0,0 @@ (line 3) is empty: its header counts no old and no new lines");
  });

  it("reports hunks with more lines than their header says", () => {
    expectError(
      `${H}@@ -1,2 +1,2 @@\n a\n-b\n+c\n+d\n`,
      7,
      "hunk @@ -1,2 +1,2 @@ (line 3) has more lines than its header says (2 context/removed lines, 2 context/added lines): found extra line '+d'",
    );
    expectError(
      `${H}@@ -1,3 +1,2 @@\n a\n+c\n+d\n-b\n c\n`,
      6,
      "hunk @@ -1,3 +1,2 @@ (line 3) has more context/added lines than the 2 its header says: found '+d' where 2 more context/removed lines were expected",
    );
    expectError(
      `${H}@@ -1,2 +1,4 @@\n a\n b\n c\n+d\n`,
      6,
      "hunk @@ -1,2 +1,4 @@ (line 3) has more context/removed lines than the 2 its header says: found ' c' where 2 more context/added lines were expected",
    );
  });

  it("points at a context line that lost its leading space", () => {
    expectError(
      `${H}@@ -10,3 +10,3 @@\n {\n-\tfoo();\n+\tbar();\n\treturn 0;\n`,
      7,
      "hunk @@ -10,3 +10,3 @@ (line 3) ends early: expected 1 more context/removed line and 1 more context/added line, found '\treturn 0;'; every hunk line starts with ' ' (context), '-' (removed) or '+' (added)",
    );
  });

  it("recognises a format-patch signature reached while the counts want more lines", () => {
    expectError(
      `${H}@@ -1,3 +1,3 @@\n a\n-b\n+c\n-- \n2.39.5\n`,
      7,
      "hunk @@ -1,3 +1,3 @@ (line 3) ends early: expected 1 more context/removed line and 1 more context/added line, found '-- '; check the line counts in the hunk header",
    );
  });

  it("reports stray text between hunks at the stray line", () => {
    expectError(
      `${H}@@ -1,2 +1,2 @@\n a\n-b\n+c\n\nstray text\n@@ -10 +10 @@\n-x\n+y\n`,
      8,
      "unexpected 'stray text' between hunks: the hunk @@ -1,2 +1,2 @@ at line 3 ended at line 6; remove this line or fix that hunk's line counts",
    );
  });

  it("rejects malformed hunk headers", () => {
    const tail = "expected '@@ -a,b +c,d @@' (the ',b' and ',d' counts may be left out when they are 1)";
    expectError(`${H}@@ -1,2 +1,2\n a\n b\n`, 3, `malformed hunk header '@@ -1,2 +1,2': ${tail}`);
    expectError(`${H}@@ -a,2 +1,2 @@\n a\n b\n`, 3, `malformed hunk header '@@ -a,2 +1,2 @@': ${tail}`);
    expectError(`${H}@@ 1,2 1,2 @@\n a\n b\n`, 3, `malformed hunk header '@@ 1,2 1,2 @@': ${tail}`);
    expectError(
      `${H}@@ -0,3 +1,3 @@\n a\n b\n c\n`,
      3,
      "hunk @@ -0,3 +1,3 @@ (line 3) starts at old line 0 but has old lines; lines are numbered from 1",
    );
    expectError(
      `${H}@@ -1,3 +0,3 @@\n a\n b\n c\n`,
      3,
      "hunk @@ -1,3 +0,3 @@ (line 3) starts at new line 0 but has new lines; lines are numbered from 1",
    );
  });

  it("wants hunks after a file header, and a file header before hunks", () => {
    expectError("--- a/x.c\n@@ -1 +1 @@\n-a\n+b\n", 2, "expected '+++ <new file>' after '--- a/x.c', found '@@ -1 +1 @@'");
    expectError("+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n", 1, "found '+++ b/x.c' without a '--- <old file>' line before it");
    expectError(
      "Please apply:\n@@ -1 +1 @@\n-a\n+b\n",
      2,
      "found hunk header '@@ -1 +1 @@' without a '--- a/<file>' / '+++ b/<file>' header before it",
    );
    expectError(
      "diff --git a/x b/x\nindex 1..2 100644\n@@ -1 +1 @@\n-a\n+b\n",
      3,
      "expected '--- a/<file>' and '+++ b/<file>' before the first hunk of 'diff --git a/x b/x', found '@@ -1 +1 @@'",
    );
    expectError("diff --git a/x b/x\nindex 1..2 100644\n--- a/x\nfoo\n", 4, "expected '+++ <new file>' after '--- a/x', found 'foo'");
  });

  it("checks '\\ No newline at end of file' placement", () => {
    expectError(`${H}@@ -1 +1 @@\n\\ No newline at end of file\n-a\n+b\n`, 4, "'\\ No newline at end of file' must follow a hunk line");
    expectError(
      `${H}@@ -1,2 +1,2 @@\n-a\n\\ No newline at end of file\n b\n+c\n`,
      6,
      "'\\ No newline at end of file' after line 4 says it is the last line of the old file, but the hunk continues with ' b'",
    );
    expectError(
      `${H}@@ -1,2 +1,2 @@\n a\n\\ No newline at end of file\n-b\n+c\n`,
      6,
      "'\\ No newline at end of file' after line 4 says it is the last line of the old and new file, but the hunk continues with '-b'",
    );
    expectError(
      `${H}@@ -1 +1 @@\n-a\n+b\n\\ No newline at end of file\n@@ -5 +5 @@\n-x\n+y\n`,
      7,
      "hunk '@@ -5 +5 @@' comes after the end of the file: the previous hunk marks line 5 with '\\ No newline at end of file'",
    );
  });

  it("checks new and deleted files", () => {
    expectError(
      "--- /dev/null\n+++ b/kernel/new.c\n@@ -1,2 +1,3 @@\n a\n b\n+c\n",
      3,
      "hunk @@ -1,2 +1,3 @@ does not fit a new file: a new file has a single hunk '@@ -0,0 +1,N @@'",
    );
    expectError(
      "--- a/x\n+++ /dev/null\n@@ -1 +1 @@\n-a\n+b\n",
      3,
      "hunk @@ -1 +1 @@ does not fit a deleted file: a deleted file has a single hunk '@@ -1,N +0,0 @@'",
    );
    expectError("--- /dev/null\n+++ /dev/null\n@@ -0,0 +1 @@\n+a\n", 1, "both '---' and '+++' name /dev/null");
    expectError("--- a/\n+++ b/\n@@ -1 +1 @@\n-a\n+b\n", 1, "missing file name in '--- a/'");
    expectError('--- "a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n', 1, "unterminated quoted file name in '--- \"a/x.c'");
  });

  it("refuses renames, binary patches, combined and context diffs", () => {
    expectError(
      "diff --git a/fs/proc/cmdline.c b/fs/proc/cmdline2.c\nsimilarity index 100%\nrename from fs/proc/cmdline.c\nrename to fs/proc/cmdline2.c\n",
      2,
      "renamed or copied files are not supported ('fs/proc/cmdline.c' -> 'fs/proc/cmdline2.c'): make the diff with 'git diff --no-renames' (or 'git format-patch --no-renames') so it shows a deletion and a new file",
      "unsupported-diff",
    );
    expectError(
      "diff --git a/fw.bin b/fw.bin\nindex 1..2 100644\nBinary files a/fw.bin and b/fw.bin differ\n",
      3,
      "binary file changes are not supported ('Binary files a/fw.bin and b/fw.bin differ')",
      "unsupported-diff",
    );
    expectError(
      "diff --git a/fw.bin b/fw.bin\nindex 1..2 100644\nGIT binary patch\nliteral 3\nKcmV+b0RR6000031\n",
      3,
      "binary file changes are not supported ('GIT binary patch')",
      "unsupported-diff",
    );
    expectError(
      "diff --cc kernel/fork.c\nindex 1,2..3\n--- a/kernel/fork.c\n+++ b/kernel/fork.c\n@@@ -1,1 -1,1 +1,1 @@@\n",
      1,
      "combined diffs (of a merge commit) are not supported: diff against one parent instead",
      "unsupported-diff",
    );
    expectError(
      "--- a/kernel/fork.c\n+++ b/kernel/fork.c\n@@@ -1,1 -1,1 +1,1 @@@\n",
      3,
      "combined diffs (of a merge commit) are not supported: diff against one parent instead",
      "unsupported-diff",
    );
    expectError(
      "*** a/x.c\t2024-01-01\n--- b/x.c\t2024-01-02\n***************\n*** 1 ****\n! a\n--- 1 ----\n! b\n",
      3,
      "context diffs ('diff -c') are not supported: make the diff with 'diff -u' or 'git diff'",
      "unsupported-diff",
    );
  });

  it("gives line numbers that count CRLF lines like LF lines", () => {
    const e = parseError(`${H}@@ -1,2 +1,2 @@\n a\n-b\n+c\n+d\n`.replace(/\n/g, "\r\n"));
    expect(e.line).toBe(7);
    expect(e.message).toContain("found extra line '+d'");
  });
});
