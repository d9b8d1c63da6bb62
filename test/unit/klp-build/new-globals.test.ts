// A file whose only change is new globals (a new function or variable in
// a.c, used by b.c's changed function) is diffed and carried: its new
// symbols go into the module and b.c's references link to them, instead of
// being looked up (and not found) in vmlinux.
import { describe, expect, it } from "vitest";
import { findSectionByType, parseElf32, readSymbols, SHN_UNDEF, SHT_SYMTAB } from "../../../src/common/elf/index.ts";
import { diffAll, type Compiled } from "../../../src/common/klp/build/diff-objects.ts";
import { KlpBuildError } from "../../../src/common/klp/build/error.ts";
import { assembleModule, parseKlpLayout, parseVmlinuxSymbols } from "../../../src/common/klp/module/index.ts";
import { compilePair, exportedSymbols, klpLayoutJson, vmlinuxSymbolsJson, type Edit } from "../klp-diff/kernel-objects.ts";

const layout = parseKlpLayout(klpLayoutJson());
const vmlinux = parseVmlinuxSymbols(vmlinuxSymbolsJson());
const exported = exportedSymbols();

const SHOW = "static int version_proc_show(struct seq_file *m, void *v)\n{\n";
/** meminfo.c gains a new global function and variable; none of its existing functions changes. */
const ADD_HELPER: Edit[] = [
  {
    before: "static int meminfo_proc_show(struct seq_file *m, void *v)\n",
    after: "int klp_new_calls;\n\nint klp_new_helper(void)\n{\n\treturn 42 + ++klp_new_calls;\n}\n\nstatic int meminfo_proc_show(struct seq_file *m, void *v)\n",
  },
];
/** version.c's changed function calls it. */
const CALL_HELPER: Edit[] = [{ before: SHOW, after: `extern int klp_new_helper(void);\n\n${SHOW}\tseq_printf(m, "[%d] ", klp_new_helper());\n` }];

async function compiled(object: string, edits: Edit[]): Promise<Compiled> {
  const pair = await compilePair(object, edits);
  return { object, source: object.replace(/\.o$/, ".c"), because: [object.replace(/\.o$/, ".c")], ...pair };
}

const diff = (objects: Compiled[]) => diffAll(objects, { exported }, () => () => false);

describe("new globals in a file whose existing functions do not change", () => {
  it("are carried, and the changed function of the other file links to them", async () => {
    const objects = [await compiled("fs/proc/meminfo.o", ADD_HELPER), await compiled("fs/proc/version.o", CALL_HELPER)];
    const diffs = diff(objects);
    expect(diffs.map((d) => d.object)).toEqual(["fs/proc/meminfo.o", "fs/proc/version.o"]);
    const [adds, uses] = diffs.map((d) => d.diff);
    expect(adds!.changedFunctions).toEqual([]);
    expect(adds!.newGlobals.sort()).toEqual(["klp_new_calls", "klp_new_helper"]);
    expect(adds!.notes.join("\n")).toMatch(/only adds `klp_new_helper`: carried/);
    expect(adds!.notes.join("\n")).toMatch(/adds `klp_new_calls`, which nothing in the patch calls or reads/);
    expect(uses!.changedFunctions.map((f) => f.name)).toEqual(["version_proc_show"]);

    const m = assembleModule({ diffs: diffs.map((d) => d.diff), name: "klp_new_globals", layout, vmlinux, exported });
    expect(m.functions.map((f) => f.name)).toEqual(["version_proc_show"]);
    expect(m.references.map((r) => r.name)).not.toContain("klp_new_helper");
    const elf = parseElf32(m.bytes);
    const symbols = readSymbols(elf, findSectionByType(elf, SHT_SYMTAB));
    const helper = symbols.filter((s) => s.name.includes("klp_new_helper"));
    expect(helper.map((s) => s.name)).toEqual(["klp_new_helper"]);
    expect(helper[0]!.shndx).not.toBe(SHN_UNDEF);
    expect(elf.sections[helper[0]!.shndx]!.name).toBe(".text.klp_new_helper");
  });

  it("are still refused as unreached when no file changes code that runs", async () => {
    const other: Edit[] = [{ before: SHOW, after: `int klp_other_helper(void)\n{\n\treturn 1;\n}\n\n${SHOW}` }];
    const objects = [await compiled("fs/proc/meminfo.o", ADD_HELPER), await compiled("fs/proc/version.o", other)];
    const e = (() => {
      try {
        diff(objects);
      } catch (x) {
        return x;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(KlpBuildError);
    expect(e).toMatchObject({ stage: "diff", code: "new-code-unreached" });
    expect((e as Error).message).toMatch(/only adds .*`klp_new_helper` \(fs\/proc\/meminfo\.o\).*`klp_other_helper` \(fs\/proc\/version\.o\)/);
  });

  it("one file alone that only adds a function keeps the differ's own reason", async () => {
    const alone = [await compiled("fs/proc/meminfo.o", ADD_HELPER)];
    expect(() => diff(alone)).toThrow(expect.objectContaining({ code: "new-code-unreached", message: expect.stringMatching(/only adds `klp_new_helper`/) }));
  });
});
