import { describe, expect, it } from "vitest";
import { ApplyError, applyPatch, parseDiff } from "../../../src/common/patch/index.ts";
import type { ApplyOptions, ApplyResult } from "../../../src/common/patch/index.ts";
import { CMDLINE } from "./fixtures.ts";

const LIVEPATCH = `diff -Nupr a/fs/proc/cmdline.c b/fs/proc/cmdline.c
--- a/fs/proc/cmdline.c\t2024-11-17 22:20:08.000000000 +0100
+++ b/fs/proc/cmdline.c\t2024-11-18 09:12:44.000000000 +0100
@@ -8,8 +8,7 @@
 
 static int cmdline_proc_show(struct seq_file *m, void *v)
 {
-\tseq_puts(m, saved_command_line);
-\tseq_putc(m, '\\n');
+\tseq_printf(m, "%s\\n", "this has been live patched");
 \treturn 0;
 }
 
`;

const PATCHED = CMDLINE.replace(
  "\tseq_puts(m, saved_command_line);\n\tseq_putc(m, '\\n');\n",
  '\tseq_printf(m, "%s\\n", "this has been live patched");\n',
);

const TWO_HUNKS = `--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -10,5 +10,6 @@ static int cmdline_proc_show(struct seq_file *m, void *v)
 {
 \tseq_puts(m, saved_command_line);
 \tseq_putc(m, '\\n');
+\tklp_demo_counter++;
 \treturn 0;
 }
@@ -20,6 +21,7 @@ static int __init proc_cmdline_init(void)
 \tpde = proc_create_single("cmdline", 0, NULL, cmdline_proc_show);
 \tpde_make_permanent(pde);
 \tpde->size = saved_command_line_len + 1;
+\tpr_info("cmdline: ready\\n");
 \treturn 0;
 }
 fs_initcall(proc_cmdline_init);
`;

const TWO_HUNKS_RESULT = CMDLINE.replace("\\n');\n", "\\n');\n\tklp_demo_counter++;\n").replace(
  "+ 1;\n",
  '+ 1;\n\tpr_info("cmdline: ready\\n");\n',
);

// A second patch of a series, made against the result of TWO_HUNKS.
const ON_TOP_OF_TWO_HUNKS = `--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -10,6 +10,5 @@ static int cmdline_proc_show(struct seq_file *m, void *v)
 {
-\tseq_puts(m, saved_command_line);
-\tseq_putc(m, '\\n');
+\tseq_printf(m, "%s\\n", "this has been live patched");
 \tklp_demo_counter++;
 \treturn 0;
 }
`;

const ON_TOP_RESULT = PATCHED.replace("\treturn 0;\n}\n\nstatic", "\tklp_demo_counter++;\n\treturn 0;\n}\n\nstatic").replace(
  "+ 1;\n",
  '+ 1;\n\tpr_info("cmdline: ready\\n");\n',
);

function tree(files: Record<string, string>): (path: string) => string | undefined {
  return (path) => (Object.hasOwn(files, path) ? files[path] : undefined);
}

function apply(diff: string, files: Record<string, string>, opts?: ApplyOptions): ApplyResult {
  return applyPatch(parseDiff(diff), tree(files), opts);
}

function applyError(diff: string, files: Record<string, string>, opts?: ApplyOptions): ApplyError {
  try {
    apply(diff, files, opts);
  } catch (e) {
    if (e instanceof ApplyError) return e;
    throw e;
  }
  throw new Error("expected applyPatch to throw");
}

function insertAfterLine(text: string, line: number, extra: string[]): string {
  const lines = text.split("\n");
  lines.splice(line, 0, ...extra);
  return lines.join("\n");
}

describe("applyPatch: exact and offset", () => {
  it("applies the livepatch sample change at its stated line", () => {
    const r = apply(LIVEPATCH, { "fs/proc/cmdline.c": CMDLINE });
    expect(r).toEqual({ files: [{ path: "fs/proc/cmdline.c", oldText: CMDLINE, newText: PATCHED }], notes: [] });
  });

  it("applies several hunks and several files", () => {
    const diff = `${TWO_HUNKS}--- a/fs/proc/Makefile\n+++ b/fs/proc/Makefile\n@@ -1 +1,2 @@\n obj-y += cmdline.o\n+obj-y += klp_demo.o\n`;
    const r = apply(diff, { "fs/proc/cmdline.c": CMDLINE, "fs/proc/Makefile": "obj-y += cmdline.o\n" });
    expect(r.files.map((f) => f.path)).toEqual(["fs/proc/cmdline.c", "fs/proc/Makefile"]);
    expect(r.files[0]!.newText).toBe(TWO_HUNKS_RESULT);
    expect(r.files[1]!.newText).toBe("obj-y += cmdline.o\nobj-y += klp_demo.o\n");
    expect(r.notes).toEqual([]);
  });

  it("finds a hunk stated two billion lines away without walking to it (the garble test's hang)", () => {
    const far = LIVEPATCH.replace("@@ -8,8 +8,7 @@", "@@ -2147483648,8 +9,7 @@");
    const r = applyPatch(parseDiff(far), () => CMDLINE);
    expect(r.files[0]!.newText).toBe(PATCHED);
    expect(r.notes[0]!.message).toMatch(/succeeded at 8/);
  });

  it("finds a hunk further down and reports the offset", () => {
    const source = insertAfterLine(CMDLINE, 6, ["#include <linux/a.h>", "#include <linux/b.h>", "#include <linux/c.h>", "#include <linux/d.h>"]);
    const r = apply(LIVEPATCH, { "fs/proc/cmdline.c": source });
    expect(r.files[0]!.newText).toBe(insertAfterLine(PATCHED, 6, ["#include <linux/a.h>", "#include <linux/b.h>", "#include <linux/c.h>", "#include <linux/d.h>"]));
    expect(r.notes).toEqual([
      { file: "fs/proc/cmdline.c", hunk: 1, offset: 4, line: 12, message: "fs/proc/cmdline.c: hunk #1 succeeded at 12 (offset 4 lines)" },
    ]);
  });

  it("carries one hunk's offset over to the next and reports both", () => {
    const source = CMDLINE.replace('#include <linux/init.h>\n#include <linux/proc_fs.h>\n#include <linux/seq_file.h>\n', "");
    const r = apply(TWO_HUNKS, { "fs/proc/cmdline.c": source });
    expect(r.files[0]!.newText).toBe(TWO_HUNKS_RESULT.replace('#include <linux/init.h>\n#include <linux/proc_fs.h>\n#include <linux/seq_file.h>\n', ""));
    expect(r.notes.map((n) => [n.hunk, n.offset, n.line, n.message])).toEqual([
      [1, -3, 7, "fs/proc/cmdline.c: hunk #1 succeeded at 7 (offset -3 lines)"],
      [2, -3, 17, "fs/proc/cmdline.c: hunk #2 succeeded at 17 (offset -3 lines)"],
    ]);
  });

  it("reports an offset of one line in the singular", () => {
    const r = apply(LIVEPATCH, { "fs/proc/cmdline.c": `\n${CMDLINE}` });
    expect(r.notes[0]!.message).toBe("fs/proc/cmdline.c: hunk #1 succeeded at 9 (offset 1 line)");
  });

  it("searches the whole file, nearest match first", () => {
    const block = ["\tspin_lock(&lock);", "\tcount++;", "\tspin_unlock(&lock);"];
    const lines: string[] = [];
    for (let i = 1; i <= 40; i++) lines.push(`int filler_${i};`);
    lines.splice(4, 3, ...block); // lines 5-7
    lines.splice(19, 3, ...block); // lines 20-22
    const source = `${lines.join("\n")}\n`;
    const diff = "--- a/kernel/x.c\n+++ b/kernel/x.c\n@@ -17,3 +17,4 @@\n \tspin_lock(&lock);\n \tcount++;\n+\tcount++;\n \tspin_unlock(&lock);\n";
    const near = apply(diff, { "kernel/x.c": source });
    expect(near.notes.map((n) => [n.offset, n.line])).toEqual([[3, 20]]);
    expect(near.files[0]!.newText?.split("\n").slice(19, 23)).toEqual([...block.slice(0, 2), "\tcount++;", block[2]]);

    const far = apply(diff.replace("@@ -17,3 +17,4 @@", "@@ -1000,3 +1000,4 @@"), { "kernel/x.c": source });
    expect(far.notes.map((n) => [n.offset, n.line])).toEqual([[-980, 20]]);

    const before = apply(diff.replace("@@ -17,3 +17,4 @@", "@@ -9,3 +9,4 @@"), { "kernel/x.c": source });
    expect(before.notes.map((n) => [n.offset, n.line])).toEqual([[-4, 5]]);
  });

  it("limits the search with maxOffset", () => {
    const source = insertAfterLine(CMDLINE, 6, ["", "", "", ""]);
    const ok = apply(LIVEPATCH, { "fs/proc/cmdline.c": source }, { maxOffset: 4 });
    expect(ok.notes[0]!.offset).toBe(4);
    const e = applyError(LIVEPATCH, { "fs/proc/cmdline.c": source }, { maxOffset: 3 });
    expect(e.code).toBe("hunk-failed");
    expect(e.message).toBe(
      "fs/proc/cmdline.c: hunk #1 (diff line 4) does not apply: expected line 9 to be 'static int cmdline_proc_show(struct seq_file *m, void *v)', found ''; its lines match at line 12, 4 lines away, further than the allowed offset of 3",
    );
  });

  it("applies a zero-context insertion at its stated line", () => {
    const diff = "--- a/fs/proc/cmdline.c\n+++ b/fs/proc/cmdline.c\n@@ -7,0 +8,2 @@\n+\n+int klp_demo_counter;\n";
    const r = apply(diff, { "fs/proc/cmdline.c": CMDLINE });
    expect(r.files[0]!.newText).toBe(CMDLINE.replace('"internal.h"\n', '"internal.h"\n\nint klp_demo_counter;\n'));
    const top = apply("--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+first\n", { x: "a\nb\n" });
    expect(top.files[0]!.newText).toBe("first\na\nb\n");
    const end = apply("--- a/x\n+++ b/x\n@@ -2,0 +3 @@\n+last\n", { x: "a\nb\n" });
    expect(end.files[0]!.newText).toBe("a\nb\nlast\n");
  });

  it("applies a diff copied out of a terminal, with trailing whitespace trimmed", () => {
    const copied = LIVEPATCH.replace(/^ $/gm, "").replace(/\n\n$/, "");
    expect(copied.endsWith("\n }")).toBe(true);
    expect(apply(copied, { "fs/proc/cmdline.c": CMDLINE }).files[0]!.newText).toBe(PATCHED);
  });

  it("applies a CRLF-converted diff to an LF source", () => {
    const r = apply(LIVEPATCH.replace(/\n/g, "\r\n"), { "fs/proc/cmdline.c": CMDLINE });
    expect(r.files[0]!.newText).toBe(PATCHED);
  });

  it("patches a CRLF source file with a diff that keeps the CRs", () => {
    const r = apply("--- a/dos.txt\n+++ b/dos.txt\n@@ -1,2 +1,2 @@\n one\r\n-two\r\n+TWO\r\n", { "dos.txt": "one\r\ntwo\r\n" });
    expect(r.files[0]!.newText).toBe("one\r\nTWO\r\n");
  });
});

describe("applyPatch: failures", () => {
  it("reports what the hunk expected and what the file has", () => {
    const source = CMDLINE.replace("\tseq_putc(m, '\\n');", "\tseq_putc(m, ' ');");
    const e = applyError(LIVEPATCH, { "fs/proc/cmdline.c": source });
    expect(e).toBeInstanceOf(ApplyError);
    expect(e.name).toBe("ApplyError");
    expect(e.code).toBe("hunk-failed");
    expect(e.message).toBe(
      "fs/proc/cmdline.c: hunk #1 (diff line 4) does not apply: expected line 12 to be '\tseq_putc(m, '\\n');', found '\tseq_putc(m, ' ');'",
    );
    expect(e.file).toBe("fs/proc/cmdline.c");
    expect(e.hunk).toBe(1);
    expect(e.diffLine).toBe(4);
    expect(e.fileLine).toBe(12);
    expect(e.expected).toEqual([
      "",
      "static int cmdline_proc_show(struct seq_file *m, void *v)",
      "{",
      "\tseq_puts(m, saved_command_line);",
      "\tseq_putc(m, '\\n');",
      "\treturn 0;",
      "}",
      "",
    ]);
    expect(e.found).toEqual([
      "",
      "static int cmdline_proc_show(struct seq_file *m, void *v)",
      "{",
      "\tseq_puts(m, saved_command_line);",
      "\tseq_putc(m, ' ');",
      "\treturn 0;",
      "}",
      "",
    ]);
  });

  it("reports the second hunk of a file by number and diff line", () => {
    const source = CMDLINE.replace("\tpde_make_permanent(pde);\n", "");
    const e = applyError(TWO_HUNKS, { "fs/proc/cmdline.c": source });
    expect(e.hunk).toBe(2);
    expect(e.diffLine).toBe(10);
    expect(e.code).toBe("hunk-failed");
    expect(e.message).toBe(
      "fs/proc/cmdline.c: hunk #2 (diff line 10) does not apply: expected line 21 to be '\tpde_make_permanent(pde);', found '\tpde->size = saved_command_line_len + 1;'",
    );
    expect(e.found).toHaveLength(5);
  });

  it("reports a hunk that runs past the end of the file", () => {
    const e = applyError("--- a/x.c\n+++ b/x.c\n@@ -2,3 +2,3 @@\n b\n-c\n+C\n d\n", { "x.c": "a\nb\nc\n" });
    expect(e.code).toBe("hunk-failed");
    expect(e.message).toBe(
      "x.c: hunk #1 (diff line 3) does not apply: expected line 4 to be 'd', found end of file (the file has 3 lines)",
    );
    expect(e.expected).toEqual(["b", "c", "d"]);
    expect(e.found).toEqual(["b", "c"]);
  });

  it("hints at whitespace damage (spaces instead of tabs)", () => {
    const damaged = LIVEPATCH.replace(/^([ +-])\t/gm, "$1        ");
    const e = applyError(damaged, { "fs/proc/cmdline.c": CMDLINE });
    expect(e.code).toBe("hunk-failed");
    expect(e.message).toBe(
      "fs/proc/cmdline.c: hunk #1 (diff line 4) does not apply: expected line 11 to be '        seq_puts(m, saved_command_line);', found '\tseq_puts(m, saved_command_line);'; it would match at line 8 if whitespace were ignored: check tabs and spaces (kernel code is indented with tabs, which copy and paste can turn into spaces)",
    );
  });

  it("rejects hunks out of order or overlapping", () => {
    const swapped = `--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -20,2 +20,3 @@
 \tpde = proc_create_single("cmdline", 0, NULL, cmdline_proc_show);
+\tpr_info("x\\n");
 \tpde_make_permanent(pde);
@@ -10,2 +11,3 @@
 {
+\tklp_demo_counter++;
 \tseq_puts(m, saved_command_line);
`;
    const e = applyError(swapped, { "fs/proc/cmdline.c": CMDLINE });
    expect(e.message).toBe(
      "fs/proc/cmdline.c: hunk #2 (diff line 7) starts at line 10, before the end of hunk #1 (lines 20-21): hunks must be in file order and must not overlap",
    );
    expect([e.hunk, e.diffLine]).toEqual([2, 7]);
    expect(e.code).toBe("hunk-order");

    const overlapping = `--- a/x
+++ b/x
@@ -1,3 +1,3 @@
 a
-b
+B
 c
@@ -3,2 +3,2 @@
 c
-d
+D
`;
    expect(applyError(overlapping, { x: "a\nb\nc\nd\n" }).code).toBe("hunk-order");
    expect(applyError(overlapping, { x: "a\nb\nc\nd\n" }).message).toBe(
      "x: hunk #2 (diff line 8) starts at line 3, before the end of hunk #1 (lines 1-3): hunks must be in file order and must not overlap",
    );
  });

  it("does not let a later hunk match inside an earlier one", () => {
    const diff = "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n+B\n@@ -5,2 +5,2 @@\n a\n-b\n+B\n";
    const e = applyError(diff, { x: "a\nb\nc\nd\ne\n" });
    expect(e.code).toBe("hunk-failed");
    expect(e.message).toBe(
      "x: hunk #2 (diff line 7) does not apply: expected line 5 to be 'a', found 'e'; its lines match at line 1, which overlaps hunk #1",
    );
  });

  it("requires the file to exist unless the patch creates it", () => {
    const e = applyError(LIVEPATCH, {});
    expect(e.message).toBe("fs/proc/cmdline.c: no such file in the source tree; to create a new file, use '--- /dev/null' as its old name");
    expect([e.file, e.hunk, e.diffLine]).toEqual(["fs/proc/cmdline.c", undefined, 1]);
    expect(e.code).toBe("file-not-found");

    const p0 = "--- fs/proc/cmdline.c.orig\n+++ fs/proc/cmdline.x\n@@ -1 +1 @@\n-a\n+b\n";
    expect(applyError(p0, {}).code).toBe("file-not-found");
    expect(applyError(p0, {}).message).toBe(
      "fs/proc/cmdline.x: no such file in the source tree (nor is 'fs/proc/cmdline.c.orig'); to create a new file, use '--- /dev/null' as its old name",
    );

    const tarball = LIVEPATCH.replace(/ [ab]\/fs/g, " linux-6.12/fs").replace(/^(---|\+\+\+) [ab]\//gm, "$1 linux-6.12/");
    expect(applyError(tarball, { "fs/proc/cmdline.c": CMDLINE }).code).toBe("extra-leading-directory");
    expect(applyError(tarball, { "fs/proc/cmdline.c": CMDLINE }).message).toBe(
      "linux-6.12/fs/proc/cmdline.c: no such file in the source tree (but 'fs/proc/cmdline.c' exists: the diff's paths seem to have an extra leading directory)",
    );
  });

  it("picks whichever of the old and new names exists (p0 diffs of a .orig copy)", () => {
    const diff = `--- fs/proc/cmdline.c.orig\n+++ fs/proc/cmdline.c\n${LIVEPATCH.slice(LIVEPATCH.indexOf("@@"))}`;
    expect(apply(diff, { "fs/proc/cmdline.c": CMDLINE }).files[0]).toMatchObject({ path: "fs/proc/cmdline.c", newText: PATCHED });
    const reversed = `--- fs/proc/cmdline.c\n+++ fs/proc/cmdline.c.new\n${LIVEPATCH.slice(LIVEPATCH.indexOf("@@"))}`;
    expect(apply(reversed, { "fs/proc/cmdline.c": CMDLINE }).files[0]).toMatchObject({ path: "fs/proc/cmdline.c", newText: PATCHED });
  });

  it("refuses paths outside the tree", () => {
    for (const path of ["../etc/passwd", "/etc/passwd", "fs/../../x"]) {
      const e = applyError(`--- ${path}\n+++ ${path}\n@@ -1 +1 @@\n-a\n+b\n`, {});
      expect(e.message).toBe(`${path}: file paths must be relative to the source tree and stay inside it`);
      expect(e.code).toBe("path-outside-tree");
    }
    expect(apply("--- ./x.c\n+++ ./x.c\n@@ -1 +1 @@\n-a\n+b\n", { "x.c": "a\n" }).files[0]!.path).toBe("x.c");
  });
});

describe("applyPatch: new and deleted files", () => {
  const NEW_FILE = `diff --git a/kernel/klp_demo.c b/kernel/klp_demo.c
new file mode 100644
index 0000000..09aefbd
--- /dev/null
+++ b/kernel/klp_demo.c
@@ -0,0 +1,4 @@
+// SPDX-License-Identifier: GPL-2.0
+#include <linux/kernel.h>
+
+int klp_demo_counter;
`;
  const DELETE = `diff --git a/kernel/old.c b/kernel/old.c
deleted file mode 100644
index 5017d00..0000000
--- a/kernel/old.c
+++ /dev/null
@@ -1,2 +0,0 @@
-// SPDX-License-Identifier: GPL-2.0
-int old;
`;

  it("creates a new file", () => {
    const r = apply(NEW_FILE, {});
    expect(r.files).toEqual([
      {
        path: "kernel/klp_demo.c",
        oldText: undefined,
        newText: "// SPDX-License-Identifier: GPL-2.0\n#include <linux/kernel.h>\n\nint klp_demo_counter;\n",
      },
    ]);
  });

  it("refuses to create a file that exists", () => {
    const e = applyError(NEW_FILE, { "kernel/klp_demo.c": "" });
    expect(e.message).toBe("kernel/klp_demo.c: cannot create the file: it already exists");
    expect(e.code).toBe("file-exists");
    expect(e.diffLine).toBe(1);
  });

  it("creates empty files from git headers without hunks", () => {
    const r = apply("diff --git a/kernel/empty.c b/kernel/empty.c\nnew file mode 100644\nindex 0000000..e69de29\n", {});
    expect(r.files).toEqual([{ path: "kernel/empty.c", oldText: undefined, newText: "" }]);
  });

  it("creates a file from a lone '@@ -0,0' hunk even without /dev/null", () => {
    const r = apply("--- a/kernel/new.c\n+++ b/kernel/new.c\n@@ -0,0 +1,2 @@\n+int a;\n+int b;\n", {});
    expect(r.files).toEqual([{ path: "kernel/new.c", oldText: undefined, newText: "int a;\nint b;\n" }]);
  });

  it("deletes a file", () => {
    const old = "// SPDX-License-Identifier: GPL-2.0\nint old;\n";
    expect(apply(DELETE, { "kernel/old.c": old }).files).toEqual([{ path: "kernel/old.c", oldText: old, newText: undefined }]);
    expect(apply("diff --git a/e b/e\ndeleted file mode 100644\n", { e: "" }).files).toEqual([{ path: "e", oldText: "", newText: undefined }]);
  });

  it("refuses to delete a file the hunk does not fully remove, or a missing one", () => {
    const e = applyError(DELETE, { "kernel/old.c": "// SPDX-License-Identifier: GPL-2.0\nint old;\nint more;\n" });
    expect(e.message).toBe("kernel/old.c: the patch deletes this file, but 1 of its lines are not removed by it");
    expect(e.code).toBe("delete-incomplete");
    expect(applyError(DELETE, {}).message).toBe("kernel/old.c: cannot delete the file: no such file");
    expect(applyError(DELETE, {}).code).toBe("delete-missing");
    expect(applyError("diff --git a/e b/e\ndeleted file mode 100644\n", { e: "x\n" }).message).toBe(
      "e: the patch deletes this file, but 1 of its lines are not removed by it",
    );
  });

  it("applies series sections on top of each other", () => {
    const series = `${NEW_FILE}--- a/kernel/klp_demo.c\n+++ b/kernel/klp_demo.c\n@@ -4 +4,2 @@\n int klp_demo_counter;\n+EXPORT_SYMBOL(klp_demo_counter);\n${TWO_HUNKS}${ON_TOP_OF_TWO_HUNKS}`;
    const r = apply(series, { "fs/proc/cmdline.c": CMDLINE });
    expect(r.files.map((f) => f.path)).toEqual(["kernel/klp_demo.c", "fs/proc/cmdline.c"]);
    expect(r.files[0]!.newText).toBe(
      "// SPDX-License-Identifier: GPL-2.0\n#include <linux/kernel.h>\n\nint klp_demo_counter;\nEXPORT_SYMBOL(klp_demo_counter);\n",
    );
    expect(r.files[1]!.oldText).toBe(CMDLINE);
    expect(r.files[1]!.newText).toBe(ON_TOP_RESULT);

    const twice = `${DELETE}${DELETE}`;
    expect(applyError(twice, { "kernel/old.c": "// SPDX-License-Identifier: GPL-2.0\nint old;\n" }).code).toBe("file-deleted-earlier");
    expect(applyError(twice, { "kernel/old.c": "// SPDX-License-Identifier: GPL-2.0\nint old;\n" }).message).toBe(
      "kernel/old.c: cannot delete the file: no such file (an earlier part of the patch deleted it)",
    );
  });

  it("reads each source file once", () => {
    const reads: string[] = [];
    const r = applyPatch(parseDiff(`${TWO_HUNKS}${ON_TOP_OF_TWO_HUNKS}`), (p) => {
      reads.push(p);
      return p === "fs/proc/cmdline.c" ? CMDLINE : undefined;
    });
    expect(r.files).toEqual([{ path: "fs/proc/cmdline.c", oldText: CMDLINE, newText: ON_TOP_RESULT }]);
    expect(reads).toEqual(["fs/proc/cmdline.c"]);
  });
});

describe("applyPatch: newline at end of file", () => {
  const MAKEFILE_NO_NL = "--- a/Makefile\n+++ b/Makefile\n@@ -1 +1 @@\n-obj-y += cmdline.o\n+obj-y += cmdline.o\n\\ No newline at end of file\n";
  const MAKEFILE_ADD_NL = "--- a/Makefile\n+++ b/Makefile\n@@ -1 +1 @@\n-obj-y += cmdline.o\n\\ No newline at end of file\n+obj-y += cmdline.o\n";

  it("removes and adds the final newline as the markers say", () => {
    expect(apply(MAKEFILE_NO_NL, { Makefile: "obj-y += cmdline.o\n" }).files[0]!.newText).toBe("obj-y += cmdline.o");
    expect(apply(MAKEFILE_ADD_NL, { Makefile: "obj-y += cmdline.o" }).files[0]!.newText).toBe("obj-y += cmdline.o\n");
  });

  it("keeps a missing final newline when the last line is context", () => {
    const diff = "--- a/x\n+++ b/x\n@@ -1,2 +1,3 @@\n a\n+b\n c\n\\ No newline at end of file\n";
    expect(apply(diff, { x: "a\nc" }).files[0]!.newText).toBe("a\nb\nc");
  });

  it("keeps the newline state when a hunk removes the last lines", () => {
    expect(apply("--- a/x\n+++ b/x\n@@ -1,3 +1 @@\n a\n-b\n-c\n\\ No newline at end of file\n", { x: "a\nb\nc" }).files[0]!.newText).toBe("a\n");
    expect(apply("--- a/x\n+++ b/x\n@@ -1,3 +1 @@\n a\n-b\n-c\n", { x: "a\nb\nc\n" }).files[0]!.newText).toBe("a\n");
  });

  it("rejects a hunk whose newline state does not match the file", () => {
    expect(applyError(MAKEFILE_NO_NL, { Makefile: "obj-y += cmdline.o" }).code).toBe("hunk-failed");
    expect(applyError(MAKEFILE_NO_NL, { Makefile: "obj-y += cmdline.o" }).message).toBe(
      "Makefile: hunk #1 (diff line 3) does not apply: expected line 1 ('obj-y += cmdline.o') to end with a newline, but the file ends without one",
    );
    expect(applyError(MAKEFILE_ADD_NL, { Makefile: "obj-y += cmdline.o\n" }).code).toBe("hunk-failed");
    expect(applyError(MAKEFILE_ADD_NL, { Makefile: "obj-y += cmdline.o\n" }).message).toBe(
      "Makefile: hunk #1 (diff line 3) does not apply: expected line 1 ('obj-y += cmdline.o') to be the last line, with no newline at end of file",
    );
    expect(applyError("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n\\ No newline at end of file\n", { x: "a\nz\n" }).code).toBe("hunk-failed");
    expect(applyError("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n\\ No newline at end of file\n", { x: "a\nz\n" }).message).toBe(
      "x: hunk #1 (diff line 3) does not apply: it marks diff line 5 as the end of the file ('\\ No newline at end of file'), but the file continues after line 1",
    );
    expect(applyError("--- a/x\n+++ b/x\n@@ -1,0 +2 @@\n+b\n", { x: "a" }).code).toBe("hunk-failed");
    expect(applyError("--- a/x\n+++ b/x\n@@ -1,0 +2 @@\n+b\n", { x: "a" }).message).toBe(
      "x: hunk #1 (diff line 3) does not apply: it adds lines after the last line, which has no newline at end of file; the hunk must replace that line",
    );
    expect(applyError("--- a/x\n+++ b/x\n@@ -5,0 +6 @@\n+b\n", { x: "a\n" }).code).toBe("hunk-failed");
    expect(applyError("--- a/x\n+++ b/x\n@@ -5,0 +6 @@\n+b\n", { x: "a\n" }).message).toBe(
      "x: hunk #1 (diff line 3) does not apply: it inserts after line 5, but the file has only 1 lines",
    );
  });
});
