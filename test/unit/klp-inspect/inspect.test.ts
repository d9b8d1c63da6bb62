// klp inspect over modules the assembler builds from real kernel objects:
// what it reads back is what went in.
import { describe, expect, it } from "vitest";
import { diffObjects } from "../../../src/common/klp/diff/index.ts";
import { formatInspection, inspectModule, InspectError } from "../../../src/common/klp/inspect/index.ts";
import { assembleModule, parseKlpLayout, parseVmlinuxSymbols } from "../../../src/common/klp/module/index.ts";
import { compilePair, exportedSymbols, klpLayoutJson, readTreeFile, vmlinuxSymbolsJson, type Edit } from "../klp-diff/kernel-objects.ts";

const layout = parseKlpLayout(klpLayoutJson());
const vmlinux = parseVmlinuxSymbols(vmlinuxSymbolsJson());
const exported = exportedSymbols();

async function build(object: string, edits: Edit[], name = "klp_inspected") {
  const pair = await compilePair(object, edits);
  return assembleModule({ diffs: [diffObjects(pair.original, pair.patched, { exported })], name, layout, vmlinux, exported, replace: true });
}

describe("inspectModule", () => {
  it("reads back the klp_funcs, .klp.rela entries, special sections and size of a module", async () => {
    // saved_command_line is not exported: a .klp.rela entry; WARN adds a __bug_table entry.
    const m = await build("fs/proc/cmdline.o", [{ before: "\tseq_puts(m, saved_command_line);\n", after: "\tWARN_ON_ONCE(!saved_command_line);\n\tseq_puts(m, saved_command_line);\n" }]);
    const r = inspectModule(m.bytes, layout);
    expect(r.name).toBe("klp_inspected");
    expect(r.replace).toBe(true);
    expect(r.modinfo).toMatchObject({ livepatch: "Y", license: "GPL" });
    expect(r.functions).toEqual([{ object: "vmlinux", oldName: "cmdline_proc_show", oldSympos: 0, newFunc: "cmdline_proc_show" }]);
    const rela = r.klpRelocations.find((x) => x.target.name === "saved_command_line");
    expect(rela).toMatchObject({ section: ".klp.rela.vmlinux..text.cmdline_proc_show", type: "R_386_32", target: { object: "vmlinux", sympos: 0 } });
    expect(rela!.place).toMatch(/^cmdline_proc_show\+0x/);
    expect(r.exportedReferences).toEqual(expect.arrayContaining(["__fentry__", "klp_enable_patch"]));
    expect(r.specialSections.find((s) => s.name === "__bug_table")).toMatchObject({ entries: 1 });
    expect(r.specialSections.find((s) => s.name === "__mcount_loc")).toMatchObject({ entries: 1 });
    expect(r.size.file).toBe(m.bytes.length);
    expect(r.size.text).toBeGreaterThan(0);
    expect(r.size.loaded).toBeGreaterThan(r.size.text);
    const text = formatInspection(r).join("\n");
    expect(text).toContain("vmlinux: cmdline_proc_show  old_sympos=0");
    expect(text).toMatch(/\.klp\.rela\.vmlinux\.\.text\.cmdline_proc_show @ cmdline_proc_show\+0x[0-9a-f]+: R_386_32 -> vmlinux:saved_command_line,0/);
  });

  it("shows the old_sympos of a static whose name is not unique", async () => {
    const m = await build("fs/proc/consoles.o", [{ before: "if (off++ == *pos)", after: "if (off++ == *pos + 1)" }]);
    const [f] = inspectModule(m.bytes, layout).functions;
    expect(f!.oldName).toBe("c_start");
    expect(f!.oldSympos).toBe(vmlinux.localsIn("c_start", "consoles.c")[0]!.position);
  });

  it("refuses a file that is not a module, saying what it expected", () => {
    expect(() => inspectModule(new TextEncoder().encode("not an ELF file at all"), layout)).toThrow();
    expect(() => inspectModule(readTreeFile("fs/proc/cmdline.o"), layout)).not.toThrow(InspectError);
    expect(inspectModule(readTreeFile("fs/proc/cmdline.o"), layout).functions).toEqual([]);
  });
});
