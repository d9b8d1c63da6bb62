// The module assembler: differ output -> a livepatch .ko, checked at the
// ELF level (the e2e test loads such modules into the real kernel).
import { describe, expect, it } from "vitest";
import {
  findSection,
  findSectionByType,
  readRelocations,
  readSymbols,
  parseElf32,
  SHF_RELA_LIVEPATCH,
  SHN_LIVEPATCH,
  SHN_UNDEF,
  SHT_RELA,
  SHT_SYMTAB,
  type ElfFile,
} from "../../../src/common/elf/index.ts";
import { diffObjects } from "../../../src/common/klp/diff/index.ts";
import {
  assembleModule,
  KlpModuleError,
  locate,
  parseKlpLayout,
  parseModuleSymvers,
  parseVmlinuxSymbols,
} from "../../../src/common/klp/module/index.ts";
import { compilePair, exportedSymbols, klpLayoutJson, readTreeFile, vmlinuxSymbolsJson, type Edit } from "../klp-diff/kernel-objects.ts";

const layout = parseKlpLayout(klpLayoutJson());
const vmlinux = parseVmlinuxSymbols(vmlinuxSymbolsJson());
const exported = exportedSymbols();

async function build(object: string, edits: Edit[], name = "klp_test") {
  const pair = await compilePair(object, edits);
  const diff = diffObjects(pair.original, pair.patched, { exported });
  return assembleModule({ diffs: [diff], name, layout, vmlinux, exported });
}

function section(elf: ElfFile, name: string) {
  const i = findSection(elf, name);
  expect(i, `section ${name}`).toBeGreaterThan(0);
  return elf.sections[i];
}

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);

describe("klp-layout.json", () => {
  it("has our kernel's layouts (as the sample module's .ko shows them)", () => {
    expect(layout.vermagic).toBe("6.12.95 mod_unload 686 ");
    expect(layout.module).toMatchObject({ size: 608, name: 12, init: 196, exit: 600 });
    expect(layout.klp_func).toMatchObject({ size: 80, old_name: 0, new_func: 4, old_sympos: 8 });
  });
});

describe("Module.symvers", () => {
  it("lists vmlinux's exports", () => {
    const symvers = parseModuleSymvers(new TextDecoder().decode(readTreeFile("Module.symvers")));
    expect(symvers.has("seq_printf")).toBe(true);
    expect(symvers.has("saved_command_line")).toBe(false);
  });
});

describe("sympos", () => {
  it("is 0 for a unique name and the kallsyms position among same-named statics otherwise", () => {
    expect(locate(vmlinux, "cmdline_proc_show", true, "cmdline.c").sympos).toBe(0);
    const all = vmlinux.named("c_start");
    expect(all.length).toBe(2);
    const mine = locate(vmlinux, "c_start", true, "consoles.c");
    expect(mine.sympos).toBe(all.findIndex((s) => s.file === "consoles.c") + 1);
    // kallsyms order is address order.
    expect(all[0]!.value).toBeLessThan(all[1]!.value);
  });

  it("refuses a name vmlinux does not have, and an ambiguous one", () => {
    expect(() => locate(vmlinux, "no_such_symbol_anywhere", false, "x.c")).toThrow(KlpModuleError);
    expect(() => locate(vmlinux, "c_start", false, "x.c")).toThrow(/matches 2 vmlinux symbols/);
    expect(() => locate(vmlinux, "no_such_symbol_anywhere", false, "x.c")).toThrow(expect.objectContaining({ code: "symbol-not-found" }));
    expect(() => locate(vmlinux, "c_start", false, "x.c")).toThrow(expect.objectContaining({ code: "ambiguous-symbol" }));
  });
});

describe("assembleModule", () => {
  it("builds a livepatch module for a cmdline change", async () => {
    const m = await build("fs/proc/cmdline.o", [{ before: "seq_puts(m, saved_command_line);", after: 'seq_printf(m, "%s patched", saved_command_line);' }], "klp_cmdline");
    const elf = parseElf32(m.bytes);
    expect(m.functions).toEqual([expect.objectContaining({ name: "cmdline_proc_show", sympos: 0 })]);
    expect(m.references).toEqual(expect.arrayContaining([{ name: "saved_command_line", how: "livepatch", sympos: 0 }, { name: "seq_printf", how: "exported", sympos: 0 }]));

    const modinfo = new TextDecoder().decode(section(elf, ".modinfo")!.data).split("\0");
    expect(modinfo).toEqual(expect.arrayContaining(["livepatch=Y", "license=GPL", "name=klp_cmdline", `vermagic=${layout.vermagic}`]));

    const mod = section(elf, ".gnu.linkonce.this_module");
    expect(mod!.size).toBe(layout.module.size);
    expect(new TextDecoder().decode(mod!.data.subarray(layout.module.name, layout.module.name + 11))).toBe("klp_cmdline");

    const symbols = readSymbols(elf, findSectionByType(elf, SHT_SYMTAB));
    const klpSym = symbols.find((s) => s.name === ".klp.sym.vmlinux.saved_command_line,0");
    expect(klpSym?.shndx).toBe(SHN_LIVEPATCH);
    expect(symbols.filter((s) => s.shndx === SHN_UNDEF && s.name !== "").map((s) => s.name).sort()).toEqual(["__fentry__", "klp_enable_patch", "seq_printf", "seq_putc"]);
    for (const name of ["init_module", "cleanup_module", "__this_module"]) expect(symbols.find((s) => s.name === name)?.bind).toBe(1);

    // The non-exported reference is a RELA livepatch relocation, its place zeroed.
    const rela = section(elf, ".klp.rela.vmlinux..text.cmdline_proc_show");
    expect(rela!.type).toBe(SHT_RELA);
    expect(rela!.flags & SHF_RELA_LIVEPATCH).toBeTruthy();
    const [r] = readRelocations(rela!);
    expect(symbols[r!.symbol]!.name).toBe(".klp.sym.vmlinux.saved_command_line,0");
    expect(u32(elf.sections[rela!.info]!.data, r!.offset)).toBe(0);

    // klp_func[0] + terminator, with old_sympos 0.
    const funcs = section(elf, ".data.klp_funcs");
    expect(funcs!.size).toBe(2 * layout.klp_func.size);
    expect(u32(funcs!.data, layout.klp_func.old_sympos)).toBe(0);
    expect(new TextDecoder().decode(section(elf, ".rodata.klp_names")!.data)).toBe("cmdline_proc_show\0");
  });

  it("uses the original name and vmlinux position of a renumbered static local", async () => {
    const m = await build("fs/proc/consoles.o", [
      { before: "\tchar flags[ARRAY_SIZE(con_flags) + 1];", after: "\tstatic int klp_shows;\n\tchar flags[ARRAY_SIZE(con_flags) + 1];" },
      { before: "\tseq_setwidth(m, 21 - 1);", after: "\tklp_shows++;\n\tseq_setwidth(m, 21 - 1);" },
    ]);
    const con = m.references.find((r) => r.name.startsWith("con_flags"));
    expect(con).toEqual({ name: "con_flags.0", how: "livepatch", sympos: locate(vmlinux, "con_flags.0", true, "consoles.c").sympos });
    const elf = parseElf32(m.bytes);
    const symbols = readSymbols(elf, findSectionByType(elf, SHT_SYMTAB));
    expect(symbols.some((s) => s.name.startsWith(".klp.sym.vmlinux.con_flags.0,"))).toBe(true);
    expect(symbols.find((s) => s.name === "klp_shows.0")?.shndx).toBeGreaterThan(0);
  });

  it("writes old_sympos for a patched static whose name is not unique", async () => {
    const m = await build("fs/proc/consoles.o", [{ before: "if (off++ == *pos)", after: "if (off++ == *pos + 1)" }]);
    const elf = parseElf32(m.bytes);
    const pos = vmlinux.localsIn("c_start", "consoles.c")[0]!.position;
    expect(pos).toBeGreaterThan(0);
    expect(u32(section(elf, ".data.klp_funcs")!.data, layout.klp_func.old_sympos)).toBe(pos);
  });

  it("puts functions of several objects under one klp_object, one table per special section, and links their new globals to each other", async () => {
    // meminfo.c defines a new global and WARNs; version.c uses the global and WARNs too.
    const meminfo = await compilePair("fs/proc/meminfo.o", [
      { before: "static int meminfo_proc_show(struct seq_file *m, void *v)\n{\n", after: "int klp_reads;\n\nstatic int meminfo_proc_show(struct seq_file *m, void *v)\n{\n\tWARN_ON_ONCE(++klp_reads < 0);\n" },
    ]);
    const version = await compilePair("fs/proc/version.o", [
      { before: "static int version_proc_show(struct seq_file *m, void *v)\n{\n", after: "extern int klp_reads;\n\nstatic int version_proc_show(struct seq_file *m, void *v)\n{\n\tWARN_ON_ONCE(klp_reads < 0);\n\tseq_printf(m, \"%d \", klp_reads);\n" },
    ]);
    const diffs = [diffObjects(meminfo.original, meminfo.patched, { exported }), diffObjects(version.original, version.patched, { exported })];
    const m = assembleModule({ diffs, name: "klp_two", layout, vmlinux, exported });
    expect(m.functions.map((f) => [f.name, f.from])).toEqual([["meminfo_proc_show", 0], ["version_proc_show", 1]]);
    // klp_reads is the module's own: no livepatch symbol, no reference to vmlinux.
    expect(m.references.map((r) => r.name)).not.toContain("klp_reads");
    const elf = parseElf32(m.bytes);
    const symbols = readSymbols(elf, findSectionByType(elf, SHT_SYMTAB));
    expect(symbols.filter((s) => s.name.includes("klp_reads")).map((s) => s.name)).toEqual(["klp_reads"]);
    // One of each table, with both objects' entries; each entry's owner relocation points into a patched function.
    for (const [name, entry] of [["__bug_table", 12], ["__mcount_loc", 4]] as const) {
      const indexes = elf.sections.flatMap((x, i) => (x.name === name ? [i] : []));
      expect(indexes, name).toHaveLength(1);
      const table = elf.sections[indexes[0]!]!;
      const rel = elf.sections.find((x) => x.type === 9 && x.info === indexes[0])!;
      const owners = readRelocations(rel, table).filter((r) => r.offset % entry === 0);
      expect(owners.length, name).toBe(table.size / entry);
      const targets = new Set(owners.map((r) => elf.sections[symbols[r.symbol]!.shndx]!.name));
      expect([...targets].sort(), name).toEqual([".text.meminfo_proc_show", ".text.version_proc_show"]);
    }
    // Both objects' klp_func entries, then the terminator.
    expect(section(elf, ".data.klp_funcs")!.size).toBe(3 * layout.klp_func.size);
    expect(new TextDecoder().decode(section(elf, ".rodata.klp_names")!.data)).toBe("meminfo_proc_show\0version_proc_show\0");
  });

  it("refuses two objects defining the same new global", async () => {
    const edit = (fn: string) => [{ before: `static int ${fn}(struct seq_file *m, void *v)\n{\n`, after: `int klp_twice;\n\nstatic int ${fn}(struct seq_file *m, void *v)\n{\n\tklp_twice++;\n` }];
    const a = await compilePair("fs/proc/meminfo.o", edit("meminfo_proc_show"));
    const b = await compilePair("fs/proc/version.o", edit("version_proc_show"));
    const diffs = [diffObjects(a.original, a.patched, { exported }), diffObjects(b.original, b.patched, { exported })];
    expect(() => assembleModule({ diffs, name: "klp_twice", layout, vmlinux, exported })).toThrow(/`klp_twice` is defined by both meminfo\.c and version\.c/);
    expect(() => assembleModule({ diffs, name: "klp_twice", layout, vmlinux, exported })).toThrow(expect.objectContaining({ code: "duplicate-symbol" }));
  });

  it("refuses a bad module name", async () => {
    await expect(build("fs/proc/cmdline.o", [{ before: "seq_putc(m, '\\n');", after: "seq_putc(m, '!');" }], "bad-name")).rejects.toThrow(/letters, digits and _/);
    await expect(build("fs/proc/cmdline.o", [{ before: "seq_putc(m, '\\n');", after: "seq_putc(m, '!');" }], "bad-name")).rejects.toMatchObject({ code: "bad-module-name" });
  });
});
