import { describe, expect, it } from "vitest";
import { changedStructs } from "../../../src/common/klp/struct-changes.ts";
import { readTreeText } from "../klp-diff/kernel-objects.ts";

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line contains ${JSON.stringify(needle)}`);
  return i + 1;
}

const src = (...lines: string[]): string => lines.join("\n") + "\n";

const BASE = src(
  "#include <linux/types.h>", // 1
  "", // 2
  "struct foo {", // 3
  "\tint a;", // 4
  "\tlong b;", // 5
  "};", // 6
  "", // 7
  "static int helper(int x)", // 8
  "{", // 9
  "\treturn x + 1;", // 10
  "}", // 11
);

describe("changedStructs: members", () => {
  it("reports an added member with the struct's old line and the new member's line", () => {
    const after = BASE.replace("\tlong b;\n", "\tlong b;\n\tint added;\n");
    expect(changedStructs(BASE, after)).toEqual([{ name: "struct foo", oldLine: 3, newLine: 6 }]);
  });

  it("reports a removed member at the line that now follows it", () => {
    const after = BASE.replace("\tint a;\n", "");
    expect(changedStructs(BASE, after)).toEqual([{ name: "struct foo", oldLine: 3, newLine: 4 }]);
  });

  it("reports a member whose type changed", () => {
    const after = BASE.replace("\tlong b;", "\tunsigned long b;");
    expect(changedStructs(BASE, after)).toEqual([{ name: "struct foo", oldLine: 3, newLine: 5 }]);
  });

  it("ignores comment-only and whitespace-only changes inside a struct", () => {
    const commented = BASE.replace("\tint a;\n", "\t/* the a { field } */\n\tint a; // still a\n");
    expect(changedStructs(BASE, commented)).toEqual([]);
    const respaced = BASE.replace("\tlong b;", "    long     b ;").replace("struct foo {", "struct foo\n{");
    expect(changedStructs(BASE, respaced)).toEqual([]);
  });

  it("counts an #ifdef inside a struct as part of its layout", () => {
    const after = BASE.replace("\tlong b;\n", "#ifdef CONFIG_FOO\n\tlong b;\n#endif\n");
    expect(changedStructs(BASE, after)).toEqual([{ name: "struct foo", oldLine: 3, newLine: 5 }]);
  });

  it("reports an attribute change on the definition", () => {
    const after = BASE.replace("};", "} __packed;");
    expect(changedStructs(BASE, after)).toEqual([{ name: "struct foo", oldLine: 3, newLine: 6 }]);
  });
});

describe("changedStructs: what is not a struct definition", () => {
  it("ignores a change in a function body", () => {
    expect(changedStructs(BASE, BASE.replace("return x + 1;", "return x + 2;"))).toEqual([]);
  });

  it("ignores a file-scope initializer of a struct-typed variable", () => {
    const before = src("static struct file_operations fops = {", "\t.read = x,", "};", "static const struct foo arr[] = { { 1 }, { 2 } };");
    const after = src("static struct file_operations fops = {", "\t.read = y,", "\t.write = z,", "};", "static const struct foo arr[] = { { 1 }, { 3 } };");
    expect(changedStructs(before, after)).toEqual([]);
  });

  it("does not report a struct the patch adds whole", () => {
    const after = BASE.replace("static int helper", "struct bar {\n\tint c;\n};\n\nstatic int helper");
    expect(changedStructs(BASE, after)).toEqual([]);
  });

  it("ignores the body of a function that returns a struct", () => {
    const before = src("struct foo *bar(void)", "{", "\treturn NULL;", "}", "static inline struct foo baz(struct foo f) {", "\treturn f;", "}");
    const after = src("struct foo *bar(void)", "{", "\tpr_info(\"x\");", "\treturn NULL;", "}", "static inline struct foo baz(struct foo f) {", "\tf.a++;", "\treturn f;", "}");
    expect(changedStructs(before, after)).toEqual([]);
  });

  it("ignores struct bodies inside multi-line #define macros", () => {
    const before = src("#define DECLARE_THING(n) \\", "\tstruct n {      \\", "\t\tint a;         \\", "\t}", "int x;");
    const after = before.replace("int a;", "int a, b;");
    expect(changedStructs(before, after)).toEqual([]);
  });

  it("ignores braces inside strings, char literals and comments", () => {
    const before = src(
      "static const char *s = \"struct fake { int x; }\";", // 1
      "static char c = '{';", // 2
      "/* struct ghost { int g; }; { */", // 3
      "// }", // 4
      "static void f(void) { puts(\"}\"); putchar('}'); }", // 5
      "struct real {", // 6
      "\tint r;", // 7
      "};", // 8
    );
    const fakeOnly = before.replace("int x;", "int x, y;").replace("int g;", "long g;");
    expect(changedStructs(before, fakeOnly)).toEqual([]);
    const real = before.replace("\tint r;", "\tint r;\n\tint s;");
    expect(changedStructs(before, real)).toEqual([{ name: "struct real", oldLine: 6, newLine: 8 }]);
  });
});

describe("changedStructs: shapes of definitions", () => {
  it("reports the outer struct when a nested anonymous union changes", () => {
    const before = src("struct outer {", "\tint kind;", "\tunion {", "\t\tint i;", "\t\tvoid *p;", "\t};", "};");
    const after = before.replace("\t\tvoid *p;", "\t\tvoid *p;\n\t\tlong l;");
    expect(changedStructs(before, after)).toEqual([{ name: "struct outer", oldLine: 1, newLine: 6 }]);
  });

  it("names an anonymous typedef'd struct by its typedef name", () => {
    const before = src("typedef struct { int a; } foo_t;", "typedef struct { int z; } bar_t;");
    const after = src("typedef struct { int a; long b; } foo_t;", "typedef struct { int z; } bar_t;");
    expect(changedStructs(before, after)).toEqual([{ name: "foo_t", oldLine: 1, newLine: 1 }]);
  });

  it("names a union", () => {
    const before = src("union proc_op {", "\tint (*proc_get_link)(void);", "};");
    const after = before.replace("(void)", "(int)");
    expect(changedStructs(before, after)).toEqual([{ name: "union proc_op", oldLine: 1, newLine: 2 }]);
  });

  it("understands attributes before the tag and after the closing brace", () => {
    const before = src(
      "struct __attribute__((packed)) hdr {", // 1
      "\tu8 a;", // 2
      "};", // 3
      "struct __packed __kernel_thing {", // 4
      "\tu8 b;", // 5
      "};", // 6
      "struct proc_inode {", // 7
      "\tstruct pid *pid;", // 8
      "} __randomize_layout;", // 9
    );
    const after = before.replace("u8 a;", "u16 a;").replace("u8 b;", "u16 b;").replace("\tstruct pid *pid;", "\tstruct pid *pid;\n\tint fd;");
    expect(changedStructs(before, after)).toEqual([
      { name: "struct hdr", oldLine: 1, newLine: 2 },
      { name: "struct __kernel_thing", oldLine: 4, newLine: 5 },
      { name: "struct proc_inode", oldLine: 7, newLine: 9 },
    ]);
  });

  it("finds a struct whose brace is on the next line", () => {
    const before = src("struct foo", "{", "\tint a;", "};");
    const after = before.replace("\tint a;", "\tint a;\n\tint b;");
    expect(changedStructs(before, after)).toEqual([{ name: "struct foo", oldLine: 1, newLine: 4 }]);
  });

  it("reports two changed structs in old-text order", () => {
    const before = src("struct a {", "\tint x;", "};", "", "struct b {", "\tint y;", "};");
    const after = src("struct a {", "\tint x;", "\tint x2;", "};", "", "struct b {", "\tchar y;", "};");
    expect(changedStructs(before, after)).toEqual([
      { name: "struct a", oldLine: 1, newLine: 3 },
      { name: "struct b", oldLine: 5, newLine: 7 },
    ]);
  });

  it("reports a removed struct where the text after it now is", () => {
    const after = BASE.replace("struct foo {\n\tint a;\n\tlong b;\n};\n", "");
    expect(changedStructs(BASE, after)).toEqual([{ name: "struct foo", oldLine: 3, newLine: lineOf(after, "static int helper") - 1 }]);
  });

  it("returns nothing for identical text", () => {
    expect(changedStructs(BASE, BASE)).toEqual([]);
  });
});

describe("changedStructs on real kernel headers", () => {
  it("reports a member added to struct proc_inode in fs/proc/internal.h", () => {
    const text = readTreeText("fs/proc/internal.h");
    const lines = text.split("\n");
    const head = lines.indexOf("struct proc_inode {");
    expect(head).toBeGreaterThan(0);
    const patched = [...lines.slice(0, head + 2), "\tunsigned int klp_flags;", ...lines.slice(head + 2)].join("\n");
    expect(changedStructs(text, patched)).toEqual([{ name: "struct proc_inode", oldLine: head + 1, newLine: head + 3 }]);
  });

  it("tells a comment from a member in struct task_struct in include/linux/sched.h", () => {
    const text = readTreeText("include/linux/sched.h");
    const lines = text.split("\n");
    const head = lines.indexOf("struct task_struct {");
    expect(head).toBeGreaterThan(0);
    const insert = (line: string): string => [...lines.slice(0, head + 1), line, ...lines.slice(head + 1)].join("\n");
    expect(changedStructs(text, insert("\t/* klp: a note, not a member { */"))).toEqual([]);
    expect(changedStructs(text, insert("\tunsigned long klp_state;"))).toEqual([{ name: "struct task_struct", oldLine: head + 1, newLine: head + 2 }]);
  });

  // The full scan's time is the bench's (structScanSchedHMs in src/node/bench/parsers.ts).
  it("finds nothing in an unchanged sched.h", () => {
    const text = readTreeText("include/linux/sched.h");
    expect(changedStructs(text, text)).toEqual([]);
    // A whitespace-only difference defeats the identical-text shortcut: the full scan of both texts.
    expect(changedStructs(text, text.replace(/\t/g, "  ") + "\n")).toEqual([]);
  });
});
