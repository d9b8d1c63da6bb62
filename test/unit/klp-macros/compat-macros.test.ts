// kpatch's and upstream klp-build's macros, compiled into real kernel
// objects with the headers the pipeline adds, then diffed and assembled:
// what each macro marks is what the module carries (or leaves out).
import { describe, expect, it } from "vitest";
import { findSection, parseElf32, readRelocations, readSymbols, findSectionByType, SHT_SYMTAB, type ElfFile } from "../../../src/common/elf/index.ts";
import { compatHeaderFiles } from "../../../src/common/klp/compat-headers.ts";
import { diffObjects } from "../../../src/common/klp/diff/index.ts";
import { assembleModule, parseKlpLayout, parseVmlinuxSymbols } from "../../../src/common/klp/module/index.ts";
import { applyEdits, compileObject, exportedSymbols, klpLayoutJson, readTreeFile, vmlinuxSymbolsJson, type Edit } from "../klp-diff/kernel-objects.ts";

const layout = parseKlpLayout(klpLayoutJson());
const vmlinux = parseVmlinuxSymbols(vmlinuxSymbolsJson());
const exported = exportedSymbols();

/** The pristine object and the one compiled from `source` with `edits`, with the compat headers a build would add. */
async function pair(object: string, edits: readonly Edit[], source = object.replace(/\.o$/, ".c")) {
  const text = applyEdits(new TextDecoder().decode(readTreeFile(source)), edits, source);
  const files = { [source]: text };
  return { original: readTreeFile(object), patched: await compileObject(object, { ...files, ...compatHeaderFiles(files) }) };
}

async function build(object: string, edits: readonly Edit[]) {
  const p = await pair(object, edits);
  const diff = diffObjects(p.original, p.patched, { exported });
  return { diff, module: assembleModule({ diffs: [diff], name: "klp_macros", layout, vmlinux, exported }) };
}

function modinfo(elf: ElfFile): string[] {
  return new TextDecoder().decode(elf.sections[findSection(elf, ".modinfo")]!.data).split("\0");
}

function sectionNames(elf: ElfFile): string[] {
  return elf.sections.map((s) => s.name);
}

const SYS_C_NEWUNAME = "SYSCALL_DEFINE1(newuname, struct new_utsname __user *, name)\n{\n\tstruct new_utsname tmp;\n\n\tdown_read(&uts_sem);\n\tmemcpy(&tmp, utsname(), sizeof(tmp));\n\tup_read(&uts_sem);\n";
const newuname = (include: string, macro: string): Edit[] => [
  {
    before: SYS_C_NEWUNAME,
    after: SYS_C_NEWUNAME.replace("SYSCALL_DEFINE1", `${include}\n${macro}`).replace("up_read(&uts_sem);\n", 'up_read(&uts_sem);\n\tstrcat(tmp.sysname, ".kpatch");\n'),
  },
];

const CMDLINE_SHOW = "static int cmdline_proc_show(struct seq_file *m, void *v)\n{\n\tseq_puts(m, saved_command_line);\n";
const cmdline = (prelude: string, body: string, after = ""): Edit[] => [
  { before: CMDLINE_SHOW, after: `${prelude}\n${CMDLINE_SHOW}${body}` },
  ...(after ? [{ before: "static int __init proc_cmdline_init(void)", after: `${after}\nstatic int __init proc_cmdline_init(void)` }] : []),
];

describe("compat headers", () => {
  it("are added at include/linux/ for every spelling of the include, with what they include", () => {
    expect(Object.keys(compatHeaderFiles({ "kernel/sys.c": '#include <linux/kpatch-macros.h>\n' })).sort()).toEqual(["include/linux/kpatch-macros.h", "include/linux/kpatch-syscall.h"]);
    const quoted = compatHeaderFiles({ "kernel/sys.c": '#include "kpatch-syscall.h"\n' });
    expect(Object.keys(quoted).sort()).toEqual(["include/linux/kpatch-macros.h", "include/linux/kpatch-syscall.h", "kernel/kpatch-syscall.h"]);
    expect(quoted["kernel/kpatch-syscall.h"]).toContain("#include <linux/kpatch-syscall.h>");
    expect(Object.keys(compatHeaderFiles({ "fs/proc/cmdline.c": "#include <kpatch-macros.h>\n" }))).toContain("include/kpatch-macros.h");
    expect(Object.keys(compatHeaderFiles({ "fs/proc/cmdline.c": "#include <linux/livepatch_helpers.h>\n" }))).toEqual(["include/linux/livepatch_helpers.h"]);
    expect(compatHeaderFiles({ "fs/proc/cmdline.c": "#include <linux/fs.h>\n" })).toEqual({});
  });
});

describe("KPATCH_SYSCALL_DEFINEn / KLP_SYSCALL_DEFINEn on i386", () => {
  for (const [include, macro, body] of [
    ['#include "kpatch-syscall.h"', "KPATCH_SYSCALL_DEFINE1", "__kpatch_do_sys_newuname"],
    ["#include <linux/livepatch_helpers.h>", "KLP_SYSCALL_DEFINE1", "__klp_do_sys_newuname"],
  ] as const) {
    it(`${macro}: the traceable __ia32_sys_ stub is patched and reaches the new body`, async () => {
      const { diff, module } = await build("kernel/sys.o", newuname(include, macro));
      expect(diff.changedFunctions.map((f) => f.name)).toEqual(["__ia32_sys_newuname"]);
      // GCC may inline the body into the stub; either way the new code is in the module.
      const syms = readSymbols(module.elf, findSectionByType(module.elf, SHT_SYMTAB)).map((s) => s.name);
      expect(syms).toContain("__ia32_sys_newuname");
      if (diff.included.some((i) => i.name === body)) expect(syms).toContain(body);
      expect(module.functions.map((f) => f.name)).toEqual(["__ia32_sys_newuname"]);
    });
  }
});

describe("KPATCH_IGNORE_FUNCTION", () => {
  it("leaves a changed function out of the patch, with a note", async () => {
    const edits: Edit[] = [
      ...newuname("#include <linux/kpatch-macros.h>", "SYSCALL_DEFINE1"),
      { before: "SYSCALL_DEFINE1(umask, int, mask)\n{\n", after: "SYSCALL_DEFINE1(umask, int, mask)\n{\n\tif (mask == 01234)\n\t\treturn -EINVAL;\n" },
    ];
    const both = await build("kernel/sys.o", edits);
    expect(both.diff.changedFunctions.map((f) => f.name).sort()).toEqual(["__ia32_sys_newuname", "__ia32_sys_umask"]);
    const ignored = await build("kernel/sys.o", [...edits, { before: "static int prctl_set_mm_exe_file(", after: "KPATCH_IGNORE_FUNCTION(__ia32_sys_umask);\nstatic int prctl_set_mm_exe_file(" }]);
    expect(ignored.diff.changedFunctions.map((f) => f.name)).toEqual(["__ia32_sys_newuname"]);
    expect(ignored.diff.notes.join("\n")).toMatch(/__ia32_sys_umask.*KPATCH_IGNORE_FUNCTION/);
    expect(sectionNames(ignored.module.elf).some((n) => n.includes(".kpatch."))).toBe(false);
    const syms = readSymbols(ignored.module.elf, findSectionByType(ignored.module.elf, SHT_SYMTAB)).map((s) => s.name);
    expect(syms.some((n) => n.startsWith("__kpatch_ignore_func_"))).toBe(false);
  });

  it("refuses a mark that names something other than a function", async () => {
    const p = await pair("fs/proc/cmdline.o", cmdline("#include <linux/kpatch-macros.h>\nstatic int klp_x;\nvoid *__kpatch_ignore_func_x __section(\".kpatch.ignore.functions\") = &klp_x;", '\tseq_puts(m, "x");\n'));
    expect(() => diffObjects(p.original, p.patched, { exported })).toThrow(/KPATCH_IGNORE_FUNCTION\(\) must name a function/);
  });
});

describe("KPATCH_IGNORE_SECTION", () => {
  // An entry pointing into the function's code, as __ex_table entries are made.
  const entry = '\tasm volatile("1:\\n.pushsection .klp_test.table,\\"a\\"\\n.long 1b\\n.popsection");\n\tseq_puts(m, " ");\n';
  it("stops a table this tool does not know from refusing the patch", async () => {
    const refused = await pair("fs/proc/cmdline.o", cmdline("#include <linux/kpatch-macros.h>", entry));
    expect(() => diffObjects(refused.original, refused.patched, { exported })).toThrow(/special section \.klp_test\.table/);
    const { diff, module } = await build("fs/proc/cmdline.o", cmdline('#include <linux/kpatch-macros.h>\nKPATCH_IGNORE_SECTION(".klp_test.table");', entry));
    expect(diff.changedFunctions.map((f) => f.name)).toEqual(["cmdline_proc_show"]);
    expect(sectionNames(module.elf)).not.toContain(".klp_test.table");
  });

  it("names the section it cannot find", async () => {
    const p = await pair("fs/proc/cmdline.o", cmdline("#include <linux/kpatch-macros.h>\nKPATCH_IGNORE_SECTION(\".no_such_section\");", '\tseq_puts(m, " ");\n'));
    expect(() => diffObjects(p.original, p.patched, { exported })).toThrow(/KPATCH_IGNORE_SECTION\("\.no_such_section"\): this file has no such section/);
    // The patch author's to fix, not the playground's.
    expect(() => diffObjects(p.original, p.patched, { exported })).toThrow(expect.objectContaining({ code: "bad-kpatch-mark" }));
  });
});

describe("KPATCH_FORCE_UNSAFE", () => {
  it("is recorded on the function and in .modinfo", async () => {
    const { diff, module } = await build("fs/proc/cmdline.o", cmdline("#include <linux/kpatch-macros.h>", '\tseq_puts(m, " ");\n', "KPATCH_FORCE_UNSAFE(cmdline_proc_show);"));
    expect(diff.changedFunctions).toMatchObject([{ name: "cmdline_proc_show", forceUnsafe: true }]);
    expect(module.functions[0]!.forceUnsafe).toBe(true);
    expect(modinfo(module.elf)).toContain("klp_force_unsafe=cmdline_proc_show");
  });
});

describe("KPATCH_PRINTK", () => {
  it("prints behind a branch on jiffies", async () => {
    const { diff, module } = await build("fs/proc/cmdline.o", cmdline("#include <linux/kpatch-macros.h>", '\tKPATCH_PRINTK(KERN_INFO "cmdline read\\n");\n'));
    expect(diff.changedFunctions.map((f) => f.name)).toEqual(["cmdline_proc_show"]);
    expect(module.references.map((r) => r.name)).toEqual(expect.arrayContaining(["jiffies", "_printk"]));
  });
});

describe("KPATCH_STATIC_CALL / KLP_STATIC_CALL", () => {
  for (const [include, macro] of [
    ["#include <linux/kpatch-macros.h>", "KPATCH_STATIC_CALL"],
    ["#include <linux/livepatch_helpers.h>", "KLP_STATIC_CALL"],
  ] as const) {
    it(`${macro}: an indirect call through the static call's key, resolved in vmlinux`, async () => {
      const { module } = await build("fs/proc/cmdline.o", cmdline(`#include <linux/perf_event.h>\n${include}`, `\tif (${macro}(perf_snapshot_branch_stack)(NULL, 0) < 0)\n\t\treturn -1;\n`));
      expect(module.references.map((r) => r.name)).toContain("__SCK__perf_snapshot_branch_stack");
    });
  }
});

describe("callbacks", () => {
  for (const [include, prefix] of [
    ["#include <linux/kpatch-macros.h>", "KPATCH"],
    ["#include <linux/livepatch_helpers.h>", "KLP"],
  ] as const) {
    it(`${prefix}_*_CALLBACK fill klp_object.callbacks`, async () => {
      const obj = prefix === "KPATCH" ? "patch_object" : "struct klp_object";
      const callbacks = `static int klp_pre(${obj} *obj) { return 0; }\nstatic void klp_post(${obj} *obj) { }\n${prefix}_PRE_PATCH_CALLBACK(klp_pre);\n${prefix}_POST_UNPATCH_CALLBACK(klp_post);`;
      const { module } = await build("fs/proc/cmdline.o", cmdline(include, '\tseq_puts(m, " ");\n', callbacks));
      const objs = module.elf.sections.findIndex((s) => s.name === ".data.klp_objects");
      const rel = module.elf.sections.find((s) => s.name === ".rel.data.klp_objects")!;
      const offsets = readRelocations(rel, module.elf.sections[objs]).map((r) => r.offset);
      const O = layout.klp_object;
      expect(offsets).toEqual(expect.arrayContaining([O.callbacks! + layout.klp_callbacks!.pre_patch, O.callbacks! + layout.klp_callbacks!.post_unpatch]));
    });
  }
});

// A module's bytes parse back: the assembled ELF is what gets loaded.
it("modules built with the macros parse", async () => {
  const { module } = await build("fs/proc/cmdline.o", cmdline("#include <linux/kpatch-macros.h>", '\tseq_puts(m, " ");\n'));
  expect(parseElf32(module.bytes).sections.length).toBeGreaterThan(5);
});

describe("a file whose only change adds callbacks", () => {
  it("is a change: the module carries the callbacks and no klp_func", async () => {
    const callbacks = "static int klp_pre(patch_object *obj) { return 0; }\nKPATCH_PRE_PATCH_CALLBACK(klp_pre);";
    const { diff, module } = await build("fs/proc/cmdline.o", [{ before: "static int __init proc_cmdline_init(void)", after: `#include <linux/kpatch-macros.h>\n${callbacks}\nstatic int __init proc_cmdline_init(void)` }]);
    expect(diff.changedFunctions).toEqual([]);
    expect(module.functions).toEqual([]);
    const objs = module.elf.sections.findIndex((s) => s.name === ".data.klp_objects");
    const rel = module.elf.sections.find((s) => s.name === ".rel.data.klp_objects")!;
    expect(readRelocations(rel, module.elf.sections[objs]).map((r) => r.offset)).toContain(layout.klp_object.callbacks! + layout.klp_callbacks!.pre_patch);
  });
});
