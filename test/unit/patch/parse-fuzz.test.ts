import { describe, expect, it } from "vitest";
import { ApplyError, DEV_NULL, DiffError, applyPatch, makeDiff, parseDiff } from "../../../src/common/patch/index.ts";
import { isErrorCode } from "../../../src/common/errors/codes.ts";
import type { ParsedPatch } from "../../../src/common/patch/index.ts";
import { CMDLINE, rng } from "./fixtures.ts";
import { PATHOLOGICAL_DIFFS } from "../../../src/node/bench/parsers.ts";

const TREE: Record<string, string> = {
  "fs/proc/cmdline.c": CMDLINE,
  "fs/proc/Makefile": "obj-y += cmdline.o\n",
  "kernel/old.c": "old helper\n",
};

const FORMAT_PATCH = `From b671924dd30fca94e275e29cc4c417627d659a46 Mon Sep 17 00:00:00 2001
From: Jane Hacker <jane@example.org>
Date: Sun, 29 Nov 2026 23:06:23 +0000
Subject: [PATCH] proc: make /proc/cmdline say it was live patched

Signed-off-by: Jane Hacker <jane@example.org>
---
 fs/proc/Makefile  | 2 +-
 fs/proc/cmdline.c | 3 +--
 2 files changed, 2 insertions(+), 3 deletions(-)

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
 
diff --git a/kernel/old.c b/kernel/old.c
deleted file mode 100644
index 5017d00..0000000
--- a/kernel/old.c
+++ /dev/null
@@ -1 +0,0 @@
-old helper
-- 
2.39.5
`;

const NUPR = `diff -Nupr a/fs/proc/cmdline.c b/fs/proc/cmdline.c
--- a/fs/proc/cmdline.c\t2024-11-17 22:20:08.000000000 +0100
+++ b/fs/proc/cmdline.c\t2025-01-02 10:00:00.000000000 +0100
@@ -10,6 +10,7 @@ static int cmdline_proc_show(struct seq_
 {
 \tseq_puts(m, saved_command_line);
 \tseq_putc(m, '\\n');
+\tklp_demo_counter++;
 \treturn 0;
 }
 
@@ -20,3 +21,4 @@ static int __init proc_cmdline_init(void)
 \tpde = proc_create_single("cmdline", 0, NULL, cmdline_proc_show);
 \tpde_make_permanent(pde);
+\tpr_info("ready\\n");
 \tpde->size = saved_command_line_len + 1;
diff -Nupr a/kernel/klp_demo.c b/kernel/klp_demo.c
--- a/kernel/klp_demo.c\t1970-01-01 01:00:00.000000000 +0100
+++ b/kernel/klp_demo.c\t2025-01-02 10:00:00.000000000 +0100
@@ -0,0 +1,2 @@
+// SPDX-License-Identifier: GPL-2.0
+int klp_demo_counter;
`;

const CORPUS = [
  FORMAT_PATCH,
  NUPR,
  makeDiff("fs/proc/cmdline.c", CMDLINE, CMDLINE.replace("return 0;", "return 1;").replace("#include <asm/setup.h>\n", ""), 1),
  makeDiff("fs/proc/Makefile", "obj-y += cmdline.o\n", undefined),
  "diff --git a/kernel/empty.c b/kernel/empty.c\nnew file mode 100644\nindex 0000000..e69de29\n",
  FORMAT_PATCH.replace(/\n/g, "\r\n"),
];

const POOL = [
  "",
  " ",
  "@@ -1,3 +1,4 @@",
  "@@ -1 +1 @@ static int f(void)",
  "@@ -0,0 +0,0 @@",
  "@@ -99999999999999999999,1 +1,99999999 @@",
  "@@@ -1 -1 +1 @@@",
  "--- a/fs/proc/cmdline.c",
  "+++ b/fs/proc/cmdline.c",
  "--- /dev/null",
  "+++ /dev/null",
  '--- "a/unterminated',
  "diff --git a/x b/y",
  "diff --git a/fs/proc/cmdline.c b/fs/proc/cmdline.c",
  "new file mode 100644",
  "deleted file mode 100644",
  "rename from x",
  "similarity index 90%",
  "Binary files a/x and b/x differ",
  "\\ No newline at end of file",
  "-- ",
  "2.39.5",
  "+\tadded();",
  "-\tremoved();",
  " \treturn 0;",
  "***************",
  "\r",
];

const CHARS = ["@", "-", "+", " ", "\\", "\t", "\r", "\n", '"', "0", "9", ",", "a", "/", "\u00e9", "\ufeff"];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function mutate(next: () => number, text: string): string {
  const lines = text.split("\n");
  const at = Math.floor(next() * lines.length);
  switch (Math.floor(next() * 10)) {
    case 0:
      lines.splice(at, 1 + Math.floor(next() * 3));
      break;
    case 1:
      lines.splice(at, 0, lines[at] ?? "");
      break;
    case 2: {
      const other = Math.floor(next() * lines.length);
      [lines[at], lines[other]] = [lines[other]!, lines[at]!];
      break;
    }
    case 3:
      lines.splice(at, 0, pick(next, POOL));
      break;
    case 4:
      lines[at] = pick(next, POOL);
      break;
    case 5:
      // Renumber a hunk header or count.
      lines[at] = (lines[at] ?? "").replace(/\d+/, () => String(Math.floor(next() * 40)));
      break;
    case 6: {
      const pos = Math.floor(next() * text.length);
      return text.slice(0, pos);
    }
    case 7: {
      const line = lines[at] ?? "";
      const pos = Math.floor(next() * (line.length + 1));
      lines[at] = line.slice(0, pos) + pick(next, CHARS) + line.slice(pos + 1);
      break;
    }
    case 8:
      lines[at] = (lines[at] ?? "").slice(1);
      break;
    default:
      lines[at] = `${lines[at] ?? ""}\r`;
  }
  return lines.join("\n");
}

function checkInvariants(p: ParsedPatch, lineCount: number): void {
  expect(p.files.length).toBeGreaterThan(0);
  for (const f of p.files) {
    if (f.isNew) expect(f.oldPath).toBe(DEV_NULL);
    if (f.isDeleted) expect(f.newPath).toBe(DEV_NULL);
    expect(f.isNew && f.isDeleted).toBe(false);
    let last = f.diffLine;
    for (const h of f.hunks) {
      expect(h.diffLine).toBeGreaterThan(last);
      last = h.diffLine;
      expect(h.lines.filter((l) => l.kind !== "+").length).toBe(h.oldLines);
      expect(h.lines.filter((l) => l.kind !== "-").length).toBe(h.newLines);
      for (const l of h.lines) {
        // Blank context restored at the end of the text shares the last line.
        const restored = l.kind === " " && l.text === "" && l.diffLine === last;
        if (!restored) expect(l.diffLine).toBeGreaterThan(last);
        last = l.diffLine;
        expect(l.text.includes("\n")).toBe(false);
      }
    }
    expect(last).toBeLessThanOrEqual(lineCount);
  }
}

describe("parseDiff fuzz", () => {
  it("either parses or throws DiffError on thousands of garbled diffs", () => {
    const next = rng(20241117);
    const stats = { parsed: 0, diffErrors: 0, applied: 0, applyErrors: 0 };
    for (let iter = 0; iter < 5000; iter++) {
      let text = pick(next, CORPUS);
      const rounds = 1 + Math.floor(next() * 4);
      for (let r = 0; r < rounds; r++) text = mutate(next, text);
      const lineCount = Math.max(1, text.split("\n").length);

      let parsed: ParsedPatch;
      try {
        parsed = parseDiff(text);
      } catch (e) {
        if (!(e instanceof DiffError)) {
          throw new Error(`iteration ${iter}: ${String(e)} for ${JSON.stringify(text)}`, { cause: e });
        }
        expect(e.line).toBeGreaterThanOrEqual(1);
        expect(e.line).toBeLessThanOrEqual(lineCount);
        expect(e.message.startsWith(`line ${e.line}: `)).toBe(true);
        expect(isErrorCode(e.code)).toBe(true);
        stats.diffErrors++;
        continue;
      }
      stats.parsed++;
      checkInvariants(parsed, lineCount);

      try {
        applyPatch(parsed, (path) => (Object.hasOwn(TREE, path) ? TREE[path] : undefined));
        stats.applied++;
      } catch (e) {
        if (!(e instanceof ApplyError)) {
          throw new Error(`iteration ${iter}: apply threw ${String(e)} for ${JSON.stringify(text)}`, { cause: e });
        }
        expect(isErrorCode(e.code)).toBe(true);
        stats.applyErrors++;
      }
    }
    // Both outcomes must be common, or the fuzzing is not reaching anything.
    expect(stats.parsed).toBeGreaterThan(500);
    expect(stats.diffErrors).toBeGreaterThan(500);
    expect(stats.applied).toBeGreaterThan(100);
    expect(stats.applyErrors).toBeGreaterThan(100);
  });

  // A catastrophic slowdown shows as the test's timeout; the times are the bench's (src/node/bench/parsers.ts).
  it("parses or refuses pathological input", () => {
    for (const text of PATHOLOGICAL_DIFFS) {
      try {
        parseDiff(text);
      } catch (e) {
        expect(e).toBeInstanceOf(DiffError);
      }
    }
  });
});
