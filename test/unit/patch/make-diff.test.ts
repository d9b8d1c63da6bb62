import { describe, expect, it } from "vitest";
import { applyPatch, makeDiff, movedLines, parseDiff } from "../../../src/common/patch/index.ts";
import { CMDLINE, rng } from "./fixtures.ts";

function roundTrip(path: string, oldText: string | undefined, newText: string | undefined, context?: number): string | undefined {
  const diff = makeDiff(path, oldText, newText, context);
  if (diff === "") return oldText;
  const r = applyPatch(parseDiff(diff), (p) => (p === path ? oldText : undefined));
  expect(r.files).toHaveLength(1);
  expect(r.notes).toEqual([]);
  return r.files[0]!.newText;
}

function numbered(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `line ${i + 1}`);
}

describe("makeDiff output", () => {
  it("prints what diff -u prints for the livepatch sample change", () => {
    const patched = CMDLINE.replace(
      "\tseq_puts(m, saved_command_line);\n\tseq_putc(m, '\\n');\n",
      '\tseq_printf(m, "%s\\n", "this has been live patched");\n',
    );
    expect(makeDiff("fs/proc/cmdline.c", CMDLINE, patched)).toBe(`--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -8,8 +8,7 @@
 
 static int cmdline_proc_show(struct seq_file *m, void *v)
 {
-\tseq_puts(m, saved_command_line);
-\tseq_putc(m, '\\n');
+\tseq_printf(m, "%s\\n", "this has been live patched");
 \treturn 0;
 }
 
`);
  });

  it("adds the enclosing function as hunk heading, like diff -p", () => {
    const patched = CMDLINE.replace("\tpde_make_permanent(pde);\n", "");
    expect(makeDiff("fs/proc/cmdline.c", CMDLINE, patched)).toBe(`--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -18,7 +18,6 @@ static int __init proc_cmdline_init(void)
 \tstruct proc_dir_entry *pde;
 
 \tpde = proc_create_single("cmdline", 0, NULL, cmdline_proc_show);
-\tpde_make_permanent(pde);
 \tpde->size = saved_command_line_len + 1;
 \treturn 0;
 }
`);
  });

  it("omits counts of 1 and numbers empty ranges by the line before", () => {
    expect(makeDiff("x", "a\n", "b\n")).toBe("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n");
    expect(makeDiff("x", "a\nb\nc\n", "a\nb\nX\nc\n", 0)).toBe("--- a/x\n+++ b/x\n@@ -2,0 +3 @@ b\n+X\n");
    expect(makeDiff("x", "a\nb\nc\n", "a\nc\n", 0)).toBe("--- a/x\n+++ b/x\n@@ -2 +1,0 @@ a\n-b\n");
    expect(makeDiff("x", "a\n", "top\na\n", 0)).toBe("--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+top\n");
  });

  it("merges changes up to 2*context lines apart into one hunk", () => {
    const base = numbered(30);
    const edit = (at: number[]): string => `${base.map((l, i) => (at.includes(i + 1) ? `${l} changed` : l)).join("\n")}\n`;
    const old = `${base.join("\n")}\n`;
    const hunks = (d: string): string[] =>
      d.split("\n").filter((l) => l.startsWith("@@")).map((l) => l.replace(/ @@ .*$/, " @@"));
    expect(hunks(makeDiff("x", old, edit([10, 17])))).toEqual(["@@ -7,14 +7,14 @@"]);
    expect(hunks(makeDiff("x", old, edit([10, 18])))).toEqual(["@@ -7,7 +7,7 @@", "@@ -15,7 +15,7 @@"]);
    // Same hunks as GNU diff -U2.
    expect(hunks(makeDiff("x", old, edit([10, 14]), 2))).toEqual(["@@ -8,9 +8,9 @@"]);
    expect(hunks(makeDiff("x", old, edit([10, 15]), 2))).toEqual(["@@ -8,10 +8,10 @@"]);
    expect(hunks(makeDiff("x", old, edit([10, 16]), 2))).toEqual(["@@ -8,5 +8,5 @@", "@@ -14,5 +14,5 @@"]);
    expect(hunks(makeDiff("x", old, edit([1, 30]), 1))).toEqual(["@@ -1,2 +1,2 @@", "@@ -29,2 +29,2 @@"]);
  });

  it("marks a missing newline at end of file", () => {
    expect(makeDiff("Makefile", "obj-y += cmdline.o\n", "obj-y += cmdline.o")).toBe(
      "--- a/Makefile\n+++ b/Makefile\n@@ -1 +1 @@\n-obj-y += cmdline.o\n+obj-y += cmdline.o\n\\ No newline at end of file\n",
    );
    expect(makeDiff("x", "a\nb", "z\na\nb")).toBe("--- a/x\n+++ b/x\n@@ -1,2 +1,3 @@\n+z\n a\n b\n\\ No newline at end of file\n");
  });

  it("diffs new, deleted and empty files", () => {
    expect(makeDiff("kernel/klp_demo.c", undefined, "int klp_demo_counter;\n")).toBe(
      "--- /dev/null\n+++ b/kernel/klp_demo.c\n@@ -0,0 +1 @@\n+int klp_demo_counter;\n",
    );
    expect(makeDiff("kernel/old.c", "a\nb\n", undefined)).toBe("--- a/kernel/old.c\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n");
    expect(makeDiff("kernel/empty.c", undefined, "")).toBe("diff --git a/kernel/empty.c b/kernel/empty.c\nnew file mode 100644\n");
    expect(makeDiff("kernel/empty.c", "", undefined)).toBe("diff --git a/kernel/empty.c b/kernel/empty.c\ndeleted file mode 100644\n");
    expect(makeDiff("x", "", "a\n")).toBe("--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+a\n");
    expect(makeDiff("x", "a\n", "")).toBe("--- a/x\n+++ b/x\n@@ -1 +0,0 @@\n-a\n");
  });

  it("returns an empty string when nothing changed", () => {
    expect(makeDiff("fs/proc/cmdline.c", CMDLINE, CMDLINE)).toBe("");
    expect(makeDiff("x", undefined, undefined)).toBe("");
  });

  it("quotes unusual paths so they survive the round trip", () => {
    const path = 'docs/odd\tname "q".txt';
    const d = makeDiff(path, "a\n", "b\n");
    expect(d.split("\n")[0]).toBe('--- "a/docs/odd\\tname \\"q\\".txt"');
    expect(parseDiff(d).files[0]!.newPath).toBe(path);
    expect(roundTrip(path, "a\n", "b\n")).toBe("b\n");
    expect(parseDiff(makeDiff("docs/with space.txt", undefined, "")).files[0]!.newPath).toBe("docs/with space.txt");
  });

  // How long it takes is the bench's (largeRewriteRoundTripMs in src/node/bench/parsers.ts).
  it("handles a rewrite of a large file", () => {
    const a = `${numbered(5000).join("\n")}\n`;
    const b = `${numbered(5000).map((l, i) => (i % 3 === 0 ? `${l}!` : l)).reverse().join("\n")}\n`;
    expect(roundTrip("big.c", a, b)).toBe(b);
  });
});

// Line contents that look like diff syntax, so the parser's handling of them
// inside hunks gets exercised by the round trip.
const VOCABULARY = [
  "",
  "{",
  "}",
  "\treturn 0;",
  "\tseq_puts(m, saved_command_line);",
  "static int f(void)",
  "a",
  "b",
  " leading space",
  "trailing space ",
  "-- ",
  "--",
  "--- a/x",
  "+++ b/x",
  "@@ -1 +1 @@",
  "\\ No newline at end of file",
  "diff --git a/x b/x",
  "-",
  "+",
  "\r",
  "crlf\r",
  "2.39.5",
];

function randomLines(next: () => number, max: number): string[] {
  const n = Math.floor(next() * (max + 1));
  return Array.from({ length: n }, () => VOCABULARY[Math.floor(next() * VOCABULARY.length)]!);
}

function randomEdit(next: () => number, lines: string[]): string[] {
  const out = lines.slice();
  const edits = 1 + Math.floor(next() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (out.length + 1));
    const len = Math.floor(next() * 4);
    const r = next();
    if (r < 0.35) out.splice(at, 0, ...randomLines(next, 4));
    else if (r < 0.65) out.splice(at, len);
    else if (r < 0.9) out.splice(at, len, ...randomLines(next, 4));
    else out.splice(at, 0, ...out.slice(at, at + len));
  }
  return out;
}

function join(lines: string[], eol: boolean): string {
  return lines.length === 0 ? "" : lines.join("\n") + (eol ? "\n" : "");
}

describe("makeDiff round trip", () => {
  it("applyPatch(parseDiff(makeDiff(p, a, b))) gives b for thousands of random edits", () => {
    const next = rng(0x5eed1);
    for (let iter = 0; iter < 4000; iter++) {
      const oldLines = randomLines(next, 40);
      const newLines = randomEdit(next, oldLines);
      const oldEol = next() < 0.85;
      const newEol = next() < 0.2 ? !oldEol : oldEol;
      let a: string | undefined = join(oldLines, oldEol);
      let b: string | undefined = join(newLines, newEol);
      const r = next();
      if (r < 0.04) a = undefined;
      else if (r < 0.08) b = undefined;
      const context = Math.floor(next() * 6);
      const got = roundTrip("kernel/fuzz.c", a, b, context);
      if (got !== b) {
        throw new Error(`iteration ${iter}, context ${context}: ${JSON.stringify({ a, b, diff: makeDiff("kernel/fuzz.c", a, b, context), got })}`);
      }
    }
  });

  it("still applies after unrelated lines were added above (offsets)", () => {
    const next = rng(0xc0ffee);
    for (let iter = 0; iter < 500; iter++) {
      let id = 0;
      const fresh = (): string => `u${iter}_${id++}`;
      const oldLines = Array.from({ length: 1 + Math.floor(next() * 30) }, fresh);
      const newLines = oldLines.slice();
      for (let e = 0; e < 3; e++) {
        const at = Math.floor(next() * (newLines.length + 1));
        if (next() < 0.5) newLines.splice(at, 1 + Math.floor(next() * 2));
        else newLines.splice(at, 0, fresh(), fresh());
      }
      const a = join(oldLines, true);
      const b = join(newLines, true);
      const shift = 1 + Math.floor(next() * 8);
      const prefix = Array.from({ length: shift }, fresh);
      const context = 1 + Math.floor(next() * 3);
      const diff = makeDiff("x.c", a, b, context);
      if (diff === "") continue;
      const r = applyPatch(parseDiff(diff), () => join([...prefix, ...oldLines], true));
      expect(r.files[0]!.newText).toBe(join([...prefix, ...newLines], true));
      expect(r.notes.length).toBeGreaterThan(0);
      expect(r.notes.every((n) => n.offset === shift)).toBe(true);
    }
  });
});

describe("movedLines", () => {
  it("maps each kept line that moved to its new number, and nothing else", () => {
    const old = "a\nb\nc\nd\n";
    const now = "a\nnew\nb\nc\n";
    expect([...movedLines(old, now)]).toEqual([[2, 3], [3, 4]]);
    expect(movedLines(old, old).size).toBe(0);
  });
});
