// The shared C lexer and what is built on it: the include preamble a PCH
// stands for, and "go to function" for the editor.
import { describe, expect, it } from "vitest";
import { tokenize } from "../../../src/common/c/tokenize.ts";
import { findFunctions } from "../../../src/common/c/functions.ts";
import { splitPreamble } from "../../../src/common/compile/preamble.ts";

describe("tokenize", () => {
  it("drops comments, keeps lines, makes each directive one token", () => {
    const t = tokenize('#include <a.h> /* x */\n#define X(a) \\\n\t(a + 1)\n// note\nint /* y */ f(void) { return "}"; }\n');
    expect(t.filter((x) => x.pp).map((x) => [x.line, x.text])).toEqual([
      [1, "#include <a.h>"],
      [2, "#define X(a) (a + 1)"],
    ]);
    expect(t.filter((x) => !x.pp).map((x) => x.text)).toEqual(["int", "f", "(", "void", ")", "{", "return", '"}"', ";", "}"]);
    expect(t.find((x) => x.text === "f")?.line).toBe(5);
  });
});

describe("splitPreamble", () => {
  it("ends at the first C token, with #if balanced", () => {
    const text = "// SPDX\n#include <linux/fs.h>\n/* a\n * comment */\n#ifdef X\n#include <x.h>\n#endif\n\nstatic int a;\n";
    expect(splitPreamble(text)?.lines).toBe(8);
    expect(splitPreamble(text)?.body.split("\n")[8]).toBe("static int a;");
    expect(splitPreamble("#ifdef X\n#include <x.h>\nint a;\n#endif\n")).toBeNull();
    expect(splitPreamble("int a;\n")).toBeNull();
  });

  it("is not fooled by a /* inside a // comment", () => {
    expect(splitPreamble("// see /* here\n#include <a.h>\nint a;\n")?.lines).toBe(2);
  });
});

describe("findFunctions", () => {
  it("finds kernel-style definitions, syscalls and one-line stubs, not initializers or macro bodies", () => {
    const text = [
      "static int foo(int a)", // 1
      "{",
      "\treturn a;",
      "}",
      "static const struct file_operations ops = {", // 5
      "\t.open = foo,",
      "};",
      "__printf(1, 2) int klp_printk(const char *fmt, ...)", // 8
      "{",
      "\treturn 0;",
      "}",
      "SYSCALL_DEFINE1(klp, int, x)", // 12
      "{",
      "\treturn x;",
      "}",
      "static inline void stub(void) { }", // 16
      "#define MAKE(name) \\",
      "\tstatic int name(void) \\",
      "\t{ return 0; }",
      "static void locked(struct rq *rq)", // 20
      "\t__releases(rq->lock)",
      "{",
      "}",
      "static int",
      "old_style(void)", // 25
      "{",
      "\treturn 1;",
      "}",
    ].join("\n");
    expect(findFunctions(text)).toEqual([
      { name: "foo", line: 1 },
      { name: "klp_printk", line: 8 },
      { name: "sys_klp", line: 12 },
      { name: "stub", line: 16 },
      { name: "locked", line: 20 },
      { name: "old_style", line: 25 },
    ]);
  });
});
