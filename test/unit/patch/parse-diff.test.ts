import { describe, expect, it } from "vitest";
import { DEV_NULL, parseDiff } from "../../../src/common/patch/index.ts";
import type { Hunk } from "../../../src/common/patch/index.ts";

// Realistic inputs are written the way the tools print them (tabs before
// timestamps, tab-indented kernel C). `\\n` is a C newline escape.

const DIFF_U = `--- a/fs/proc/cmdline.c\t2024-11-17 22:20:08.000000000 +0100
+++ b/fs/proc/cmdline.c\t2024-11-18 09:12:44.123456789 +0100
@@ -8,8 +8,7 @@
 
 static int cmdline_proc_show(struct seq_file *m, void *v)
 {
-\tseq_puts(m, saved_command_line);
-\tseq_putc(m, '\\n');
+\tseq_printf(m, "%s\\n", "this has been live patched");
 \treturn 0;
 }
 
`;

const DIFF_NUPR = `Only in linux-6.12/scripts: mod
diff -Nupr a/fs/proc/cmdline.c b/fs/proc/cmdline.c
--- a/fs/proc/cmdline.c\t2024-11-17 22:20:08.000000000 +0100
+++ b/fs/proc/cmdline.c\t2025-01-02 10:00:00.000000000 +0100
@@ -10,6 +10,7 @@ static int cmdline_proc_show(struct seq_
 {
 \tseq_puts(m, saved_command_line);
 \tseq_putc(m, '\\n');
+\tklp_demo_counter++;
 \treturn 0;
 }
 
diff -Nupr a/kernel/klp_demo.c b/kernel/klp_demo.c
--- a/kernel/klp_demo.c\t1970-01-01 01:00:00.000000000 +0100
+++ b/kernel/klp_demo.c\t2025-01-02 10:00:00.000000000 +0100
@@ -0,0 +1,4 @@
+// SPDX-License-Identifier: GPL-2.0
+#include <linux/kernel.h>
+
+int klp_demo_counter;
diff -Nupr a/kernel/old_helper.c b/kernel/old_helper.c
--- a/kernel/old_helper.c\t2024-11-17 22:20:08.000000000 +0100
+++ b/kernel/old_helper.c\t1969-12-31 16:00:00.000000000 -0800
@@ -1,2 +0,0 @@
-// SPDX-License-Identifier: GPL-2.0
-int old_helper;
`;

const GIT_DIFF = `diff --git a/fs/proc/cmdline.c b/fs/proc/cmdline.c
index 082def2..3463245 100644
--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -8,8 +8,7 @@
 
 static int cmdline_proc_show(struct seq_file *m, void *v)
 {
-\tseq_puts(m, saved_command_line);
-\tseq_putc(m, '\\n');
+\tseq_printf(m, "%s\\n", "this has been live patched");
 \treturn 0;
 }
 
diff --git a/fs/proc/version.c b/fs/proc/version.c
index 02e3c3cd4a9a..c2bd1e6f3a3b 100644
--- a/fs/proc/version.c
+++ b/fs/proc/version.c
@@ -12,7 +12,7 @@ static int version_proc_show(struct seq_file *m, void *v)
 {
 \tseq_printf(m, linux_proc_banner,
 \t\tutsname()->sysname,
-\t\tutsname()->release,
+\t\t"6.12.0-livepatched",
 \t\tutsname()->version);
 \treturn 0;
 }
diff --git a/kernel/klp_demo.c b/kernel/klp_demo.c
new file mode 100644
index 000000000000..09aefbd2f1e4
--- /dev/null
+++ b/kernel/klp_demo.c
@@ -0,0 +1,2 @@
+// SPDX-License-Identifier: GPL-2.0
+int klp_demo_counter;
diff --git a/kernel/old.c b/kernel/old.c
deleted file mode 100644
index 5017d00..0000000
--- a/kernel/old.c
+++ /dev/null
@@ -1 +0,0 @@
-old helper
`;

const FORMAT_PATCH = `From b671924dd30fca94e275e29cc4c417627d659a46 Mon Sep 17 00:00:00 2001
From: Jane Hacker <jane@example.org>
Date: Sun, 29 Nov 2026 23:06:23 +0000
Subject: [PATCH] proc: make /proc/cmdline say it was live patched

The livepatch sample replaces cmdline_proc_show(); do the same
in the source so the playground has something to diff.

--- a line like this is not a file header
+ and neither is a line like this one.

Signed-off-by: Jane Hacker <jane@example.org>
---
 fs/proc/Makefile  | 2 +-
 fs/proc/cmdline.c | 3 +--
 kernel/klp_demo.c | 4 ++++
 3 files changed, 6 insertions(+), 3 deletions(-)
 create mode 100644 kernel/klp_demo.c

diff --git a/fs/proc/Makefile b/fs/proc/Makefile
index b5bcfd6..8644dfb 100644
--- a/fs/proc/Makefile
+++ b/fs/proc/Makefile
@@ -1 +1 @@
-obj-y += cmdline.o
+obj-y += cmdline.o
\\ No newline at end of file
diff --git a/fs/proc/cmdline.c b/fs/proc/cmdline.c
index 082def2..3463245 100644
--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -8,8 +8,7 @@
 
 static int cmdline_proc_show(struct seq_file *m, void *v)
 {
-\tseq_puts(m, saved_command_line);
-\tseq_putc(m, '\\n');
+\tseq_printf(m, "%s\\n", "this has been live patched");
 \treturn 0;
 }
 
diff --git a/kernel/klp_demo.c b/kernel/klp_demo.c
new file mode 100644
index 0000000..09aefbd
--- /dev/null
+++ b/kernel/klp_demo.c
@@ -0,0 +1,4 @@
+// SPDX-License-Identifier: GPL-2.0
+#include <linux/kernel.h>
+
+int klp_demo_counter;
-- 
2.39.5

`;

/** 1-based line of the first line starting with `prefix`. */
function lineOf(text: string, prefix: string): number {
  return text.split("\n").findIndex((l) => l.startsWith(prefix)) + 1;
}

function summary(h: Hunk): string {
  return h.lines.map((l) => `${l.kind}${l.text}${l.noNewlineAtEnd ? "$" : ""}`).join("|");
}

describe("parseDiff: diff -u", () => {
  it("parses a single-file diff with timestamps and strips a/ b/", () => {
    const p = parseDiff(DIFF_U);
    expect(p.files).toHaveLength(1);
    const f = p.files[0]!;
    expect(f).toMatchObject({
      oldPath: "fs/proc/cmdline.c",
      newPath: "fs/proc/cmdline.c",
      isNew: false,
      isDeleted: false,
      diffLine: 1,
    });
    expect(f.hunks).toHaveLength(1);
    const h = f.hunks[0]!;
    expect(h).toMatchObject({ oldStart: 8, oldLines: 8, newStart: 8, newLines: 7, header: "@@ -8,8 +8,7 @@", section: "", diffLine: 3 });
    expect(h.lines.map((l) => l.kind).join("")).toBe("   --+   ");
    expect(h.lines[0]).toEqual({ kind: " ", text: "", diffLine: 4 });
    expect(h.lines[3]).toEqual({ kind: "-", text: "\tseq_puts(m, saved_command_line);", diffLine: 7 });
    expect(h.lines[5]!.text).toBe('\tseq_printf(m, "%s\\n", "this has been live patched");');
    expect(h.lines[8]!.diffLine).toBe(12);
  });

  it("keeps paths as written (p0) unless both sides have a/ b/ prefixes or two different first directories (patch -p1)", () => {
    const p = parseDiff(`--- fs/proc/cmdline.c.orig\t2024-11-17 22:20:08.000000000 +0100
+++ fs/proc/cmdline.c\t2024-11-18 09:12:44.000000000 +0100
@@ -11 +11 @@
-\tseq_puts(m, saved_command_line);
+\tseq_puts(m, "patched");
`);
    expect(p.files[0]!.oldPath).toBe("fs/proc/cmdline.c.orig");
    expect(p.files[0]!.newPath).toBe("fs/proc/cmdline.c");

    const q = parseDiff(`--- a/fs/proc/cmdline.c
+++ fs/proc/cmdline.c
@@ -11 +11 @@
-x
+y
`);
    expect(q.files[0]!.oldPath).toBe("a/fs/proc/cmdline.c");
    expect(q.files[0]!.newPath).toBe("fs/proc/cmdline.c");

    const tree = parseDiff(`--- linux-6.12.orig/fs/proc/cmdline.c
+++ linux-6.12/fs/proc/cmdline.c
@@ -11 +11 @@
-x
+y
`);
    // The kernel's own -p1 convention (two trees side by side), and kpatch's `diff -Nupr src.orig/x src/x`.
    expect([tree.files[0]!.oldPath, tree.files[0]!.newPath]).toEqual(["fs/proc/cmdline.c", "fs/proc/cmdline.c"]);
    const kpatch = parseDiff(`diff -Nupr src.orig/kernel/sys.c src/kernel/sys.c
--- src.orig/kernel/sys.c	2025-11-03 16:25:30.898268063 -0500
+++ src/kernel/sys.c	2025-11-03 16:26:28.588819694 -0500
@@ -1 +1 @@
-x
+y
`);
    expect([kpatch.files[0]!.oldPath, kpatch.files[0]!.newPath]).toEqual(["kernel/sys.c", "kernel/sys.c"]);
    // One tree, one directory: nothing tells p1 from p0, so the applier explains instead.
    const same = parseDiff("--- linux/fs/proc/cmdline.c\n+++ linux/fs/proc/cmdline.c\n@@ -1 +1 @@\n-x\n+y\n");
    expect(same.files[0]!.newPath).toBe("linux/fs/proc/cmdline.c");
  });

  it("accepts timestamps separated by spaces and ctime timestamps", () => {
    const p = parseDiff(`--- a/init/main.c  2024-11-17 22:20:08.000000000 +0100
+++ b/init/main.c  Sun Nov 17 22:21:00 2024
@@ -1 +1 @@
-a
+b
`);
    expect(p.files[0]!.oldPath).toBe("init/main.c");
    expect(p.files[0]!.newPath).toBe("init/main.c");
  });

  it("accepts hunk headers without counts and keeps the section text", () => {
    const p = parseDiff(`--- a/kernel/panic.c
+++ b/kernel/panic.c
@@ -120 +120 @@ void panic(const char *fmt, ...)
-\tlocal_irq_disable();
+\tlocal_irq_disable(); /* livepatched */
@@ -300,0 +301,2 @@ EXPORT_SYMBOL(panic);
+
+int klp_demo_counter;
@@ -400 +402,0 @@
-static int unused;
`);
    const [h1, h2, h3] = p.files[0]!.hunks;
    expect(h1).toMatchObject({ oldStart: 120, oldLines: 1, newStart: 120, newLines: 1, section: "void panic(const char *fmt, ...)" });
    expect(h2).toMatchObject({ oldStart: 300, oldLines: 0, newStart: 301, newLines: 2, section: "EXPORT_SYMBOL(panic);" });
    expect(summary(h2!)).toBe("+|+int klp_demo_counter;");
    expect(h3).toMatchObject({ oldStart: 400, oldLines: 1, newStart: 402, newLines: 0, section: "" });
  });

  it("parses several hunks per file, also with blank lines between them", () => {
    const p = parseDiff(`--- a/mm/util.c
+++ b/mm/util.c
@@ -1,3 +1,3 @@
 a
-b
+B
 c

@@ -20,3 +20,4 @@
 x
+y
 z
 w
`);
    expect(p.files[0]!.hunks.map((h) => h.header)).toEqual(["@@ -1,3 +1,3 @@", "@@ -20,3 +20,4 @@"]);
    expect(p.files[0]!.hunks[1]!.diffLine).toBe(9);
  });

  it("treats an empty line inside a hunk as a blank context line (trimmed trailing space)", () => {
    const p = parseDiff("--- a/x.c\n+++ b/x.c\n@@ -1,3 +1,3 @@\n int a;\n\n-int b;\n+int c;\n");
    expect(summary(p.files[0]!.hunks[0]!)).toBe(" int a;| |-int b;|+int c;");
  });

  it("restores blank context lines lost to whitespace trimming at the very end", () => {
    // As copied out of a terminal: the final " " context line is gone.
    const p = parseDiff(DIFF_U.replace(/\n \n$/, ""));
    const h = p.files[0]!.hunks[0]!;
    expect(h.lines).toHaveLength(9);
    expect(h.lines[8]).toEqual({ kind: " ", text: "", diffLine: 11 });
    // Only at the end of the text, and only for context.
    expect(() => parseDiff(DIFF_U.replace(/\n \n$/, "\n").concat("@@ -30 +30 @@\n-a\n+b\n"))).toThrow("ends early");
    expect(() => parseDiff("--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n")).toThrow("ends early");
    expect(() => parseDiff("--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n-a\n+b\n")).toThrow("ends early");
  });

  it("counts a removed line that looks like a header ('--- ' / '+++ ') as hunk content", () => {
    const p = parseDiff(`--- a/Documentation/x.rst
+++ b/Documentation/x.rst
@@ -1,3 +1,3 @@
 Title
--- old rule
+++ new rule
 text
`);
    expect(p.files).toHaveLength(1);
    expect(summary(p.files[0]!.hunks[0]!)).toBe(" Title|--- old rule|+++ new rule| text");
  });

  it("parses '\\ No newline at end of file' on either side and on context lines", () => {
    const p = parseDiff(`--- a/fs/proc/Makefile
+++ b/fs/proc/Makefile
@@ -1,2 +1,2 @@
 obj-y += cmdline.o
-obj-y += version.o
\\ No newline at end of file
+obj-y += version.o
--- a/scripts/one
+++ b/scripts/one
@@ -1 +1,2 @@
+#!/bin/sh
 echo hi
\\ No newline at end of file
`);
    expect(summary(p.files[0]!.hunks[0]!)).toBe(" obj-y += cmdline.o|-obj-y += version.o$|+obj-y += version.o");
    expect(summary(p.files[1]!.hunks[0]!)).toBe("+#!/bin/sh| echo hi$");
  });

  it("accepts localized no-newline markers", () => {
    const p = parseDiff("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n\\ Kein Zeilenumbruch am Dateiende.\n+a\n");
    expect(summary(p.files[0]!.hunks[0]!)).toBe("-a$|+a");
  });
});

describe("parseDiff: diff -Nupr", () => {
  it("parses several files, new files and deleted files marked by epoch timestamps", () => {
    const p = parseDiff(DIFF_NUPR);
    expect(p.files.map((f) => [f.oldPath, f.newPath, f.isNew, f.isDeleted, f.diffLine])).toEqual([
      ["fs/proc/cmdline.c", "fs/proc/cmdline.c", false, false, 2],
      [DEV_NULL, "kernel/klp_demo.c", true, false, 13],
      ["kernel/old_helper.c", DEV_NULL, false, true, 21],
    ]);
    expect(p.files[0]!.hunks[0]!.section).toBe("static int cmdline_proc_show(struct seq_");
    expect(p.files[1]!.hunks[0]!.lines).toHaveLength(4);
  });

  it("does not treat an epoch timestamp as a new file when the hunk has old lines", () => {
    const p = parseDiff("--- a/x.c\t1970-01-01 00:00:00.000000000 +0000\n+++ b/x.c\t2024-01-01 00:00:00.000000000 +0000\n@@ -1 +1 @@\n-a\n+b\n");
    expect(p.files[0]!.isNew).toBe(false);
  });
});

describe("parseDiff: git", () => {
  it("parses git diff with index lines, new and deleted files", () => {
    const p = parseDiff(GIT_DIFF);
    expect(p.files.map((f) => [f.oldPath, f.newPath, f.isNew, f.isDeleted, f.diffLine])).toEqual([
      ["fs/proc/cmdline.c", "fs/proc/cmdline.c", false, false, 1],
      ["fs/proc/version.c", "fs/proc/version.c", false, false, lineOf(GIT_DIFF, "diff --git a/fs/proc/version.c")],
      [DEV_NULL, "kernel/klp_demo.c", true, false, lineOf(GIT_DIFF, "diff --git a/kernel/klp_demo.c")],
      ["kernel/old.c", DEV_NULL, false, true, lineOf(GIT_DIFF, "diff --git a/kernel/old.c")],
    ]);
    expect(lineOf(GIT_DIFF, "diff --git a/fs/proc/version.c")).toBe(15);
    expect(p.files[1]!.hunks[0]!.section).toBe("static int version_proc_show(struct seq_file *m, void *v)");
    expect(p.files[3]!.hunks[0]).toMatchObject({ oldStart: 1, oldLines: 1, newStart: 0, newLines: 0 });
  });

  it("parses git format-patch mail: headers, message, diffstat and signature are skipped", () => {
    const p = parseDiff(FORMAT_PATCH);
    expect(p.files.map((f) => f.newPath)).toEqual(["fs/proc/Makefile", "fs/proc/cmdline.c", "kernel/klp_demo.c"]);
    expect(summary(p.files[0]!.hunks[0]!)).toBe("-obj-y += cmdline.o|+obj-y += cmdline.o$");
    const last = p.files[2]!.hunks[0]!;
    expect(last.lines).toHaveLength(4);
    expect(last.lines[3]).toMatchObject({ kind: "+", text: "int klp_demo_counter;" });
  });

  it("parses a format-patch series touching the same file twice", () => {
    const second = FORMAT_PATCH.replace("[PATCH]", "[PATCH 1/2]") +
      `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Jane Hacker <jane@example.org>
Subject: [PATCH 2/2] proc: count reads

---
 fs/proc/cmdline.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/fs/proc/cmdline.c b/fs/proc/cmdline.c
index 3463245..1111111 100644
--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -10,5 +10,6 @@ static int cmdline_proc_show(struct seq_file *m, void *v)
 {
 \tseq_printf(m, "%s\\n", "this has been live patched");
+\tklp_demo_counter++;
 \treturn 0;
 }
 
-- 
2.39.5
`;
    const p = parseDiff(second);
    expect(p.files.map((f) => f.newPath)).toEqual([
      "fs/proc/Makefile",
      "fs/proc/cmdline.c",
      "kernel/klp_demo.c",
      "fs/proc/cmdline.c",
    ]);
  });

  it("parses empty new and deleted files, and drops mode-only changes", () => {
    const p = parseDiff(`diff --git a/scripts/build.sh b/scripts/build.sh
old mode 100644
new mode 100755
diff --git a/kernel/empty.c b/kernel/empty.c
new file mode 100644
index 0000000..e69de29
diff --git a/kernel/gone.c b/kernel/gone.c
deleted file mode 100644
index e69de29..0000000
`);
    expect(p.files).toEqual([
      { oldPath: DEV_NULL, newPath: "kernel/empty.c", isNew: true, isDeleted: false, hunks: [], diffLine: 4 },
      { oldPath: "kernel/gone.c", newPath: DEV_NULL, isNew: false, isDeleted: true, hunks: [], diffLine: 7 },
    ]);
  });

  it("handles git --no-prefix diffs as p0", () => {
    const p = parseDiff(`diff --git fs/proc/cmdline.c fs/proc/cmdline.c
index 082def2..3463245 100644
--- fs/proc/cmdline.c
+++ fs/proc/cmdline.c
@@ -11 +11 @@
-x
+y
`);
    expect(p.files[0]!.newPath).toBe("fs/proc/cmdline.c");
  });

  it("unquotes C-quoted names, including UTF-8 octal escapes", () => {
    const p = parseDiff(`diff --git "a/docs/na\\303\\257ve\\tname.txt" "b/docs/na\\303\\257ve\\tname.txt"
new file mode 100644
index 0000000..e69de29
diff --git a/docs/with space.txt b/docs/with space.txt
new file mode 100644
index 0000000..e69de29
--- /dev/null
+++ "b/docs/quoted \\"name\\".txt"
@@ -0,0 +1 @@
+x
`);
    expect(p.files[0]!.newPath).toBe("docs/na\u00efve\tname.txt");
    expect(p.files[1]!.newPath).toBe('docs/quoted "name".txt');
  });

  it("uses the diff --git names of an empty file whose name has spaces", () => {
    const p = parseDiff("diff --git a/docs/with space.txt b/docs/with space.txt\nnew file mode 100644\n");
    expect(p.files[0]!.newPath).toBe("docs/with space.txt");
  });
});

describe("parseDiff: line endings and preambles", () => {
  it("accepts a diff whose line ends were all converted to CRLF", () => {
    const p = parseDiff(DIFF_U.replace(/\n/g, "\r\n"));
    const h = p.files[0]!.hunks[0]!;
    expect(p.files[0]!.newPath).toBe("fs/proc/cmdline.c");
    expect(h.lines.every((l) => !l.text.includes("\r"))).toBe(true);
    expect(h.lines[3]!.text).toBe("\tseq_puts(m, saved_command_line);");
  });

  it("keeps CRs that belong to the content of a CRLF source file", () => {
    const p = parseDiff("--- a/dos.txt\n+++ b/dos.txt\n@@ -1,2 +1,2 @@\n one\r\n-two\r\n+TWO\r\n");
    expect(summary(p.files[0]!.hunks[0]!)).toBe(" one\r|-two\r|+TWO\r");
  });

  it("ignores a byte order mark and Index:/==== preambles", () => {
    const p = parseDiff(`\ufeffIndex: fs/proc/cmdline.c
===================================================================
--- fs/proc/cmdline.c
+++ fs/proc/cmdline.c
@@ -1 +1 @@
-a
+b
`);
    expect(p.files[0]!.newPath).toBe("fs/proc/cmdline.c");
    expect(p.files[0]!.hunks[0]!.diffLine).toBe(5);
  });

  it("accepts a diff without a final newline", () => {
    const p = parseDiff("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b");
    expect(summary(p.files[0]!.hunks[0]!)).toBe("-a|+b");
  });
});
