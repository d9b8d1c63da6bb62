// The object differ on real kernel objects: fs/proc/cmdline.c (and friends)
// edited by small diffs, compiled natively with their exact kbuild command.
import { describe, expect, it } from "vitest";
import { diffObjects, KlpDiffError, type ObjectDiff } from "../../../src/common/klp/diff/index.ts";
import { findSection, findSectionByType, parseElf32, readSymbols, SHN_UNDEF, SHT_SYMTAB, writeElf32 } from "../../../src/common/elf/index.ts";
import { movedLines } from "../../../src/common/patch/index.ts";
import { readCString } from "../../../src/common/klp/diff/references.ts";
import { applyEdits, compilePair, exportedSymbols, readTreeFile, type Edit, type PairOptions } from "./kernel-objects.ts";

const exported = exportedSymbols();
const CMDLINE = "fs/proc/cmdline.o";
const SHOW_HEAD = "static int cmdline_proc_show(struct seq_file *m, void *v)\n{\n\tseq_puts(m, saved_command_line);";

async function diff(object: string, edits: Edit[], options: PairOptions = {}): Promise<ObjectDiff> {
  const pair = await compilePair(object, edits, options);
  return diffObjects(pair.original, pair.patched, { exported });
}

async function refusal(object: string, edits: Edit[], options: PairOptions = {}): Promise<KlpDiffError> {
  try {
    await diff(object, edits, options);
  } catch (e) {
    if (e instanceof KlpDiffError) return e;
    throw e;
  }
  throw new Error("expected the differ to refuse this change");
}

function symbolNames(d: ObjectDiff): { defined: string[]; undefined: string[] } {
  const syms = readSymbols(d.elf, findSectionByType(d.elf, SHT_SYMTAB)).filter((s) => s.name !== "" && s.type !== 4);
  return {
    defined: syms.filter((s) => s.shndx !== SHN_UNDEF).map((s) => s.name),
    undefined: syms.filter((s) => s.shndx === SHN_UNDEF).map((s) => s.name),
  };
}

describe("diffObjects", () => {
  it("finds a changed string literal in cmdline_proc_show", async () => {
    const d = await diff(CMDLINE, [{ before: "seq_puts(m, saved_command_line);", after: 'seq_puts(m, "patched: ");\n\tseq_puts(m, saved_command_line);' }]);
    expect(d.changedFunctions.map((f) => f.name)).toEqual(["cmdline_proc_show"]);
    expect(d.changedFunctions[0]!.local).toBe(true);
    expect(d.changedFunctions[0]!.reason).toBe('code changed: new string "patched: "');
    expect(d.file).toBe("cmdline.c");
    // Only the function, its strings and its __mcount_loc entry: nothing of the __init code.
    const names = symbolNames(d);
    expect(names.defined).toEqual(["cmdline_proc_show"]);
    expect(names.undefined).toEqual(expect.arrayContaining(["__fentry__", "saved_command_line", "__seq_puts", "seq_putc"]));
    expect(findSection(d.elf, ".init.text")).toBe(-1);
    expect(d.specialSections).toEqual(["__mcount_loc"]);
    expect(d.externals.find((e) => e.name === "saved_command_line")).toMatchObject({ local: false, exported: false });
    expect(d.externals.find((e) => e.name === "__seq_puts")).toMatchObject({ local: false, exported: true });
  });

  it("carries a new static helper as a new function", async () => {
    const d = await diff(CMDLINE, [
      {
        before: SHOW_HEAD,
        after: "static noinline void klp_helper(struct seq_file *m)\n{\n\tseq_puts(m, \"helper \");\n}\n\n" + SHOW_HEAD.replace("{\n", "{\n\tklp_helper(m);\n"),
      },
    ]);
    expect(d.changedFunctions.map((f) => f.name)).toEqual(["cmdline_proc_show"]);
    expect(d.included).toEqual([expect.objectContaining({ name: "klp_helper", kind: "new-function" })]);
    expect(symbolNames(d).defined).toEqual(expect.arrayContaining(["cmdline_proc_show", "klp_helper"]));
  });

  it("adds a new static local counter as new data, and keeps an existing one in vmlinux", async () => {
    const base: Edit[] = [{ before: SHOW_HEAD, after: SHOW_HEAD.replace("{\n", "{\n\tstatic int calls;\n\n\tseq_printf(m, \"%d \", calls++);\n") }];
    // Change the function: `calls` already exists in vmlinux, the patch must use that one.
    const d = await diff(CMDLINE, [{ before: 'seq_printf(m, "%d ", calls++);', after: 'seq_printf(m, "calls=%d ", calls++);' }], { base });
    expect(d.changedFunctions.map((f) => f.name)).toEqual(["cmdline_proc_show"]);
    const calls = d.externals.find((e) => e.name.startsWith("calls."));
    expect(calls).toMatchObject({ local: true, exported: false });
    expect(d.included).toEqual([]);
    // A second static local is new: the patch carries it.
    const d2 = await diff(CMDLINE, [{ before: 'seq_printf(m, "%d ", calls++);', after: 'static int more;\n\tseq_printf(m, "%d %d ", calls++, more++);' }], { base });
    expect(d2.included).toEqual([expect.objectContaining({ kind: "new-data" })]);
    expect(d2.included[0]!.name).toMatch(/^more\.\d+$/);
    expect(d2.externals.some((e) => e.name.startsWith("calls."))).toBe(true);
  });

  it("patches the callers of a changed `static inline` helper", async () => {
    const helper = "static inline void klp_banner(struct seq_file *m)\n{\n\tseq_puts(m, \"A\");\n}\n\n";
    const base: Edit[] = [
      {
        before: SHOW_HEAD,
        after: helper + "static int klp_other_show(struct seq_file *m, void *v)\n{\n\tklp_banner(m);\n\treturn 0;\n}\n\n" + SHOW_HEAD.replace("{\n", "{\n\tklp_banner(m);\n"),
      },
      { before: "pde_make_permanent(pde);", after: "pde_make_permanent(pde);\n\tproc_create_single(\"klp_other\", 0, NULL, klp_other_show);" },
    ];
    const d = await diff(CMDLINE, [{ before: 'seq_puts(m, "A");', after: 'seq_puts(m, "B");' }], { base });
    // Inlined into both callers: both changed, each on its own.
    expect(d.changedFunctions.map((f) => f.name).sort()).toEqual(["cmdline_proc_show", "klp_other_show"]);
  });

  it("patches the traceable callers of a changed notrace helper that stays out of line", async () => {
    const base: Edit[] = [
      {
        before: SHOW_HEAD,
        after:
          "static noinline notrace void klp_banner(struct seq_file *m)\n{\n\tseq_puts(m, \"A\");\n}\n\n" +
          SHOW_HEAD.replace("{\n", "{\n\tklp_banner(m);\n"),
      },
    ];
    const d = await diff(CMDLINE, [{ before: 'seq_puts(m, "A");', after: 'seq_puts(m, "B");' }], { base });
    expect(d.changedFunctions).toEqual([expect.objectContaining({ name: "cmdline_proc_show", reason: expect.stringContaining("calls `klp_banner`") })]);
    expect(d.changedFunctions[0]!.reason).toMatch(/which changed \(bytes differ\) but cannot be patched by itself/);
    expect(d.included).toEqual([expect.objectContaining({ name: "klp_banner", kind: "helper" })]);
    expect(d.notes.join("\n")).toMatch(/klp_banner.*callers `cmdline_proc_show` were patched instead/);
  });

  it("names a whole chain of inlined/notrace helpers down to the function the person changed", async () => {
    const base: Edit[] = [
      {
        before: SHOW_HEAD,
        after:
          'static noinline notrace void klp_inner(struct seq_file *m)\n{\n\tseq_puts(m, "klp A");\n}\n\n' +
          "static noinline notrace void klp_outer(struct seq_file *m)\n{\n\tklp_inner(m);\n\tseq_puts(m, \"-\");\n}\n\n" +
          SHOW_HEAD.replace("{\n", "{\n\tklp_outer(m);\n"),
      },
    ];
    const d = await diff(CMDLINE, [{ before: 'seq_puts(m, "klp A");', after: 'seq_puts(m, "klp B");' }], { base });
    expect(d.changedFunctions.map((f) => f.name)).toEqual(["cmdline_proc_show"]);
    expect(d.changedFunctions[0]!.reason).toBe('calls `klp_outer` → `klp_inner`, which cannot be patched by themselves (inlined/notrace); `klp_inner` changed (string "klp A" became "klp B")');
  });

  it("shows printk's log level in a changed message as its KERN_* name", async () => {
    const d = await diff(CMDLINE, [{ before: "seq_puts(m, saved_command_line);", after: 'pr_info("klp: read\\n");\n\tseq_puts(m, saved_command_line);' }]);
    expect(d.changedFunctions[0]!.reason).toContain('KERN_INFO "klp: read\\n"');
  });

  it("refuses a changed constant that only data points to (a sysctl bound), naming both", async () => {
    const e = await refusal("kernel/printk/sysctl.o", [{ before: "static const int ten_thousand = 10000;", after: "static const int ten_thousand = 20000;" }]);
    expect(e.reason).toBe("changed-data");
    expect(e.code).toBe("constant-in-data");
    expect(e.variable).toBe("ten_thousand");
    expect(e.message).toMatch(/^read-only `ten_thousand` changed .*only data refers to it \(`printk_sysctls`\)/);
  });

  it("refuses a changed notrace function that nothing traceable calls", async () => {
    const base: Edit[] = [{ before: "static int cmdline_proc_show(struct seq_file *m, void *v)", after: "static notrace int cmdline_proc_show(struct seq_file *m, void *v)" }];
    const e = await refusal(CMDLINE, [{ before: "seq_puts(m, saved_command_line);", after: 'seq_puts(m, "x");' }], { base });
    expect(e.reason).toBe("notrace");
    expect(e.code).toBe("inlined-only");
    expect(e.function).toBe("cmdline_proc_show");
    expect(e.message).toMatch(/no __fentry__.*address is taken in `proc_cmdline_init`/);
  });

  it("ignores __LINE__ moving in __bug_table, and carries the bug entries of patched functions", async () => {
    const base: Edit[] = [{ before: SHOW_HEAD, after: SHOW_HEAD.replace("{\n", "{\n\tWARN_ON_ONCE(!m);\n") }];
    const moved: Edit = { before: "static int cmdline_proc_show", after: "/* two\n * new lines */\nstatic int cmdline_proc_show" };
    const e = await refusal(CMDLINE, [moved], { base });
    expect(e.reason).toBe("no-change");
    expect(e.code).toBe("no-change");
    // With a real change too, the function's WARN entry comes along (its line updated).
    const d = await diff(CMDLINE, [moved, { before: "seq_putc(m, '\\n');", after: "seq_putc(m, '!');" }], { base });
    expect(d.changedFunctions.map((f) => f.name)).toEqual(["cmdline_proc_show"]);
    expect(d.specialSections.sort()).toEqual(["__bug_table", "__mcount_loc"]);
    expect(d.elf.sections[findSection(d.elf, "__bug_table")]!.size).toBe(12);
  });

  it("ignores a __LINE__ in the code that only moved (printk(__FILE__, __LINE__)), and sees any other changed constant", async () => {
    const source = new TextDecoder().decode(readTreeFile("fs/proc/cmdline.c"));
    const withLine = SHOW_HEAD.replace("{\n", '{\n\tseq_printf(m, "%d ", __LINE__);\n');
    const base: Edit[] = [{ before: SHOW_HEAD, after: withLine }];
    const moved: Edit = { before: "static int cmdline_proc_show", after: "/* two\n * new lines */\nstatic int cmdline_proc_show" };
    const before = applyEdits(source, base, "cmdline.c");
    const movedLine = (edits: Edit[]) => {
      const map = movedLines(before, applyEdits(before, edits, "cmdline.c"));
      return (o: number, n: number) => map.get(o) === n;
    };
    const pair = await compilePair(CMDLINE, [moved], { base });
    // Without knowing the lines moved, the new immediate is a change.
    expect(() => diffObjects(pair.original, pair.patched, { exported })).not.toThrow();
    expect(() => diffObjects(pair.original, pair.patched, { exported, movedLine: movedLine([moved]) })).toThrow(/no functional change/);
    expect(() => diffObjects(pair.original, pair.patched, { exported, movedLine: movedLine([moved]) })).toThrow(expect.objectContaining({ code: "no-change" }));
    // The same two lines, but the constant is no longer the moved line: a change.
    const line = before.split("\n").findIndex((l) => l.includes("__LINE__")) + 1;
    const other: Edit[] = [moved, { before: '"%d ", __LINE__', after: `"%d ", ${line + 3}` }];
    const changed = await compilePair(CMDLINE, other, { base });
    const d = diffObjects(changed.original, changed.patched, { exported, movedLine: movedLine(other) });
    expect(d.changedFunctions.map((f) => f.name)).toEqual(["cmdline_proc_show"]);
  });

  it("correlates initcall symbols whose names carry the line number", async () => {
    const d = await diff(CMDLINE, [
      { before: "#include \"internal.h\"", after: "#include \"internal.h\"\n\n/* moves fs_initcall() down */\n" },
      { before: "seq_putc(m, '\\n');", after: "seq_putc(m, '.');" },
    ]);
    expect(d.changedFunctions.map((f) => f.name)).toEqual(["cmdline_proc_show"]);
  });

  it("refuses a changed initial value of existing data, naming the variable", async () => {
    const base: Edit[] = [{ before: SHOW_HEAD, after: "static int klp_level = 1;\n\n" + SHOW_HEAD.replace("{\n", "{\n\tseq_printf(m, \"%d \", klp_level++);\n") }];
    const e = await refusal(CMDLINE, [{ before: "klp_level = 1;", after: "klp_level = 2;" }], { base });
    expect(e.reason).toBe("changed-data");
    expect(e.code).toBe("data-changed");
    expect(e.variable).toBe("klp_level");
    expect(e.message).toMatch(/existing data can't be changed by a live patch: `klp_level` has a new initial value.*shadow variable/);
  });

  it("refuses a change to __init code", async () => {
    const e = await refusal(CMDLINE, [{ before: "pde->size = saved_command_line_len + 1;", after: "pde->size = saved_command_line_len + 2;" }]);
    expect(e.reason).toBe("init-code");
    expect(e.code).toBe("init-code");
    expect(e.function).toBe("proc_cmdline_init");
    expect(e.message).toMatch(/proc_cmdline_init.*\.init\.text/);
  });

  it("finds no functional change in a comment-only edit", async () => {
    const e = await refusal(CMDLINE, [{ before: "seq_putc(m, '\\n');", after: "seq_putc(m, '\\n'); /* newline */" }]);
    expect(e.reason).toBe("no-change");
    expect(e.code).toBe("no-change");
    expect(e.message).toMatch(/no functional change/);
  });

  it("renames a static local back to its vmlinux name when GCC renumbers it", async () => {
    // A new static local declared first takes number 0 and pushes
    // con_flags.0 to con_flags.1; the patch must refer to vmlinux's con_flags.0.
    const d = await diff("fs/proc/consoles.o", [
      { before: "\tchar flags[ARRAY_SIZE(con_flags) + 1];", after: "\tstatic int klp_shows;\n\tchar flags[ARRAY_SIZE(con_flags) + 1];" },
      { before: "\tseq_setwidth(m, 21 - 1);", after: "\tklp_shows++;\n\tseq_setwidth(m, 21 - 1);" },
    ]);
    expect(d.changedFunctions.map((f) => f.name)).toEqual(["show_console_dev"]);
    expect(d.included).toEqual([{ name: "klp_shows.0", kind: "new-data" }]);
    expect(d.externals.find((e) => e.name.startsWith("con_flags"))).toMatchObject({ name: "con_flags.0", local: true });
  });

  it("carries the __ex_table entries of a patched function with inline user accessors", async () => {
    const d = await diff("fs/readdir.o", [{ before: "\t\tcontainer_of(ctx, struct getdents_callback64, ctx);\n\tint reclen = ALIGN(offsetof(struct linux_dirent64, d_name) + namlen + 1,\n\t\tsizeof(u64));\n\tint prev_reclen;\n\n", after: "\t\tcontainer_of(ctx, struct getdents_callback64, ctx);\n\tint reclen = ALIGN(offsetof(struct linux_dirent64, d_name) + namlen + 1,\n\t\tsizeof(u64));\n\tint prev_reclen;\n\n\tif (namlen > 4000)\n\t\treturn false;\n" }]);
    expect(d.changedFunctions.map((f) => f.name)).toEqual(["filldir64"]);
    expect(d.specialSections).toContain("__ex_table");
    // 12 unsafe_put_user/copy sites: one 12-byte entry each, nothing of filldir/fillonedir.
    expect(d.elf.sections[findSection(d.elf, "__ex_table")]!.size).toBe(12 * 12);
  });

  it("carries .altinstructions entries and their replacement code", async () => {
    const d = await diff("fs/readdir.o", [{ before: "container_of(ctx, struct readdir_callback, ctx);\n\tstruct old_linux_dirent __user * dirent;\n\tunsigned long d_ino;\n", after: "container_of(ctx, struct readdir_callback, ctx);\n\tstruct old_linux_dirent __user * dirent;\n\tunsigned long d_ino;\n\n\tif (namlen > 4000)\n\t\treturn false;\n" }]);
    expect(d.changedFunctions.map((f) => f.name)).toEqual(["fillonedir"]);
    expect(d.specialSections).toEqual(expect.arrayContaining([".altinstructions", "__ex_table"]));
    expect(findSection(d.elf, ".altinstr_replacement")).toBeGreaterThan(0);
    expect(d.elf.sections[findSection(d.elf, ".altinstructions")]!.size % 14).toBe(0);
  });

  it("patches a SYSCALL_DEFINE body through its traceable wrapper", async () => {
    // __do_sys_getdents64 is `static inline`: here GCC inlines it into
    // __ia32_sys_getdents64, the traceable entry point, which is patched.
    const d = await diff("fs/readdir.o", [{ before: "\t\tif (put_user(d_off, &lastdirent->d_off))\n\t\t\terror = -EFAULT;\n\t\telse\n\t\t\terror = count - buf.count;\n\t}\n\tfdput_pos(f);", after: "\t\tif (put_user(d_off, &lastdirent->d_off))\n\t\t\terror = -EIO;\n\t\telse\n\t\t\terror = count - buf.count;\n\t}\n\tfdput_pos(f);" }]);
    expect(d.changedFunctions.map((f) => f.name)).toEqual(["__ia32_sys_getdents64"]);
    expect(d.changedFunctions[0]!.local).toBe(false);
  });

  it("tells a trace each decision (objtool's --debug-correlate), and the result is the same without one", async () => {
    // The same edit as the first test's, so both use one committed fixture.
    const pair = await compilePair(CMDLINE, [{ before: "seq_puts(m, saved_command_line);", after: 'seq_puts(m, "patched: ");\n\tseq_puts(m, saved_command_line);' }]);
    const lines: string[] = [];
    const traced = diffObjects(pair.original, pair.patched, { exported, trace: (l) => lines.push(l) });
    const plain = diffObjects(pair.original, pair.patched, { exported });
    expect(writeElf32(traced.elf)).toEqual(writeElf32(plain.elf));
    expect(lines).toContain("correlated `cmdline_proc_show` with `cmdline_proc_show` (the only one of its stable name)");
    expect(lines).toContain('`cmdline_proc_show` changed: code changed: new string "patched: "');
    expect(lines).toContain('`cmdline_proc_show` patched (redirected by ftrace): code changed: new string "patched: "');
    expect(lines).toContain(".text.cmdline_proc_show included: `cmdline_proc_show` is part of the patch");
    expect(lines).toContain("`saved_command_line` stays in vmlinux: not exported, a livepatch relocation resolves it");
  });

  it("carries a new zero-initialised global (.bss)", async () => {
    const d = await diff(CMDLINE, [{ before: SHOW_HEAD, after: "unsigned int klp_reads;\n\n" + SHOW_HEAD.replace("{\n", "{\n\tklp_reads++;\n") }]);
    expect(d.included).toEqual([{ name: "klp_reads", kind: "new-data" }]);
    const bss = d.elf.sections[findSection(d.elf, ".bss.klp_reads")]!;
    expect(bss.type).toBe(8 /* SHT_NOBITS */);
    expect(bss.size).toBe(4);
  });
});

describe("a corrupted string reference", () => {
  it("is a malformed object, not a walk from -2^31 up to the section (the garble test's hang)", () => {
    const bytes = new TextEncoder().encode("abc\0");
    expect(readCString(bytes, 0)).toBe("abc");
    expect(readCString(bytes, 4)).toBe("");
    for (const at of [-2147483648, -1, 5, 0.5]) expect(() => readCString(bytes, at, ".rodata.str1.1")).toThrow(expect.objectContaining({ code: "malformed-object", section: ".rodata.str1.1" }));
  });
});

describe("a corrupted section type", () => {
  it("a function in a section that claims to be a relocation table is a malformed object, not an internal error in the assembler", () => {
    const original = readTreeFile("fs/proc/cmdline.o");
    const elf = parseElf32(original);
    const index = elf.sections.findIndex((s) => s.name === ".text.cmdline_proc_show");
    expect(index).toBeGreaterThan(0);
    const bent = original.slice();
    const view = new DataView(bent.buffer);
    view.setUint32(view.getUint32(0x20, true) + 40 * index + 4, 9, true); // its sh_type: SHT_REL
    expect(() => diffObjects(original, bent)).toThrow(expect.objectContaining({ code: "malformed-object", message: expect.stringMatching(/`cmdline_proc_show` is defined in \.text\.cmdline_proc_show, a relocation or string table/) }));
  });
});

describe("per-use statics (pr_warn_once's __already_done in .data..once)", () => {
  it("are never correlated: a pr_warn_once added next to an existing one gets its own flag, not the old one's", async () => {
    const base: Edit[] = [{ before: SHOW_HEAD, after: `${SHOW_HEAD}\tpr_warn_once("klp: old\\n");\n` }];
    const d = await diff(CMDLINE, [{ before: '\tpr_warn_once("klp: old\\n");\n', after: '\tpr_warn_once("klp: new\\n");\n\tpr_warn_once("klp: old\\n");\n' }], { base });
    expect(d.changedFunctions.map((f) => f.name)).toEqual(["cmdline_proc_show"]);
    const once = d.included.filter((i) => i.name.startsWith("__already_done"));
    expect(once).toHaveLength(2);
    expect(once.every((i) => i.kind === "new-data")).toBe(true);
    expect(d.externals.map((e) => e.name).filter((n) => n.startsWith("__already_done"))).toEqual([]);
  });
});

describe("__func__", () => {
  it("of a changed function is its own copy, not a reference to vmlinux's", async () => {
    const base: Edit[] = [{ before: SHOW_HEAD, after: `${SHOW_HEAD}\tpr_debug("%s\\n", __func__);\n\tseq_puts(m, __func__);\n` }];
    const d = await diff(CMDLINE, [{ before: "\tseq_puts(m, __func__);\n", after: '\tseq_puts(m, __func__);\n\tseq_puts(m, "!");\n' }], { base });
    expect(d.changedFunctions.map((f) => f.name)).toEqual(["cmdline_proc_show"]);
    expect(d.included.filter((i) => i.name.startsWith("__func__"))).toEqual([expect.objectContaining({ kind: "new-data" })]);
    expect(d.externals.map((e) => e.name).filter((n) => n.startsWith("__func__"))).toEqual([]);
  });
});

describe("per-use statics of unchanged functions", () => {
  it("do not make the function changed when GCC renumbers them", async () => {
    const other = "static noinline void klp_other(struct seq_file *m)\n{\n\tpr_warn_once(\"klp: other\\n\");\n\tseq_puts(m, __func__);\n}\n\n";
    const base: Edit[] = [{ before: SHOW_HEAD, after: `${SHOW_HEAD.replace("static int cmdline_proc_show", `${other}static int cmdline_proc_show`)}\n\tklp_other(m);\n` }];
    const d = await diff(CMDLINE, [{ before: other, after: `static noinline void klp_first(void)\n{\n\tpr_warn_once("klp: first\\n");\n\tpr_info("%s\\n", __func__);\n}\n\n${other}` }, { before: "\tklp_other(m);\n", after: "\tklp_other(m);\n\tklp_first();\n" }], { base });
    expect(d.changedFunctions.map((f) => f.name)).toEqual(["cmdline_proc_show"]);
  });
});

describe("jump labels", () => {
  it("an entry in __jump_table (CONFIG_JUMP_LABEL is off here, but a patch may make one) is refused with what to write instead", async () => {
    const e = await refusal(CMDLINE, [{ before: SHOW_HEAD, after: `${SHOW_HEAD}\n\tasm volatile("1: nop\\n.pushsection __jump_table, \\"aw\\"\\n.long 1b - ., 0, 0\\n.popsection");\n` }]);
    expect(e.code).toBe("unsupported-section");
    expect(e.section).toBe("__jump_table");
    expect(e.message).toMatch(/jump label .*use static_key_enabled\(&key\)/);
  });
});
