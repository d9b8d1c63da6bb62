// Stages 5 and 6 against the real kernel: kernel sources edited by small
// diffs, compiled natively with their kbuild command lines, diffed and
// assembled into livepatch modules in TypeScript, then loaded into the
// booted target with insmod. Each patch must change behaviour, finish its
// transition without `force`, and come back out cleanly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootMachine, type BootedMachine } from "../../src/node/boot.ts";
import { TARGET } from "../../src/common/machine/profiles.ts";
import { diffObjects } from "../../src/common/klp/diff/index.ts";
import { assembleModule, parseKlpLayout, parseVmlinuxSymbols, specialSizesOf, type AssembledModule, type VmlinuxSymbols, type KlpLayout } from "../../src/common/klp/module/index.ts";
import { compilePair, exportedSymbols, klpLayoutJson, vmlinuxSymbolsJson, type Edit } from "../unit/klp-diff/kernel-objects.ts";
import { sh, unloadPatch, waitTransition } from "./guest.ts";

let booted: BootedMachine;
let vmlinux: VmlinuxSymbols;
let layout: KlpLayout;
let exported: Set<string>;

beforeAll(async () => {
  vmlinux = parseVmlinuxSymbols(vmlinuxSymbolsJson());
  layout = parseKlpLayout(klpLayoutJson());
  exported = exportedSymbols();
  booted = await bootMachine(TARGET);
});
afterAll(async () => {
  await booted?.machine.destroy();
});

async function buildModule(name: string, object: string, edits: Edit[]): Promise<AssembledModule> {
  const pair = await compilePair(object, edits);
  const diff = diffObjects(pair.original, pair.patched, { exported, specialSizes: specialSizesOf(layout) });
  return assembleModule({ diffs: [diff], name, layout, vmlinux, exported });
}

/** Copies the module in over 9p, loads it and waits for the transition to finish without force. */
async function load(name: string, module: AssembledModule): Promise<void> {
  const m = booted.machine;
  await m.putFile(`${name}.ko`, module.bytes);
  await sh(m, `insmod /host/${name}.ko`);
  await waitTransition(m, name);
  expect((await sh(m, `cat /sys/kernel/livepatch/${name}/enabled`)).trim()).toBe("1");
  expect((await sh(m, `cat /sys/kernel/livepatch/${name}/transition`)).trim()).toBe("0");
}

describe("assembled livepatch modules in the target kernel", () => {
  it("the symbol table matches the running kernel", async () => {
    const line = (await sh(booted.machine, "grep -m1 ' cmdline_proc_show$' /proc/kallsyms")).trim();
    const [address] = vmlinux.named("cmdline_proc_show");
    expect(parseInt(line.split(" ")[0]!, 16)).toBe(address!.value);
  });

  it("patches a string in cmdline_proc_show", async () => {
    const m = booted.machine;
    const before = await sh(m, "cat /proc/cmdline");
    const ko = await buildModule("klp_e2e_cmdline", "fs/proc/cmdline.o", [
      { before: "seq_puts(m, saved_command_line);", after: 'seq_printf(m, "%s [patched]", saved_command_line);' },
    ]);
    await load("klp_e2e_cmdline", ko);
    expect(await sh(m, "cat /proc/cmdline")).toBe(`${before.trimEnd()} [patched]\n`);
    await unloadPatch(m, "klp_e2e_cmdline");
    expect(await sh(m, "cat /proc/cmdline")).toBe(before);
  });

  it("calls a static function of vmlinux that no module may call (klp relocation with sympos)", async () => {
    const m = booted.machine;
    const before = await sh(m, "cat /proc/cmdline");
    const version = await sh(m, "cat /proc/version");
    // version_proc_show is static in fs/proc/version.c: the patched cmdline
    // calls it through a .klp.rela relocation.
    const ko = await buildModule("klp_e2e_static", "fs/proc/cmdline.o", [
      {
        before: "static int cmdline_proc_show(struct seq_file *m, void *v)\n{\n\tseq_puts(m, saved_command_line);",
        after:
          "int version_proc_show(struct seq_file *m, void *v);\n" +
          "static int cmdline_proc_show(struct seq_file *m, void *v)\n{\n\tseq_puts(m, \"static: \");\n\treturn version_proc_show(m, v);\n\tseq_puts(m, saved_command_line);",
      },
    ]);
    await load("klp_e2e_static", ko);
    expect(await sh(m, "cat /proc/cmdline")).toBe(`static: ${version}`);
    await unloadPatch(m, "klp_e2e_static");
    expect(await sh(m, "cat /proc/cmdline")).toBe(before);
  });

  it("adds a new global variable and a new static helper, and prints them", async () => {
    const m = booted.machine;
    const before = await sh(m, "cat /proc/cmdline");
    const ko = await buildModule("klp_e2e_newdata", "fs/proc/cmdline.o", [
      {
        before: "static int cmdline_proc_show(struct seq_file *m, void *v)\n{\n\tseq_puts(m, saved_command_line);",
        after:
          "int klp_e2e_answer = 42;\n" +
          "static noinline void klp_e2e_show(struct seq_file *m)\n{\n\tseq_printf(m, \"answer=%d \", klp_e2e_answer++);\n}\n\n" +
          "static int cmdline_proc_show(struct seq_file *m, void *v)\n{\n\tklp_e2e_show(m);\n\tseq_puts(m, saved_command_line);",
      },
    ]);
    await load("klp_e2e_newdata", ko);
    expect(await sh(m, "cat /proc/cmdline")).toBe(`answer=42 ${before}`);
    expect(await sh(m, "cat /proc/cmdline")).toBe(`answer=43 ${before}`);
    await unloadPatch(m, "klp_e2e_newdata");
    expect(await sh(m, "cat /proc/cmdline")).toBe(before);
    expect(await sh(m, "dmesg")).not.toMatch(/WARNING:|BUG:|Oops/);
  });

  it("patches a static whose name vmlinux has twice (old_sympos)", async () => {
    const m = booted.machine;
    const before = await sh(m, "cat /proc/consoles");
    expect(before).not.toBe("");
    // c_start is static in fs/proc/consoles.c and in another file: the
    // patch names the right one by its kallsyms position. Starting one
    // console further empties /proc/consoles on this one-console machine.
    const ko = await buildModule("klp_e2e_sympos", "fs/proc/consoles.o", [{ before: "if (off++ == *pos)", after: "if (off++ == *pos + 16)" }]);
    expect(ko.functions).toEqual([expect.objectContaining({ name: "c_start", sympos: vmlinux.localsIn("c_start", "consoles.c")[0]!.position })]);
    expect(ko.functions[0]!.sympos).toBeGreaterThan(0);
    await load("klp_e2e_sympos", ko);
    expect(await sh(m, "cat /proc/consoles")).toBe("");
    await unloadPatch(m, "klp_e2e_sympos");
    expect(await sh(m, "cat /proc/consoles")).toBe(before);
  });

  it("carries the __bug_table entry of a WARN in a patched function", async () => {
    const m = booted.machine;
    await sh(m, "dmesg -c >/dev/null");
    const before = await sh(m, "cat /proc/cmdline");
    const module = await buildModule("klp_e2e_warn", "fs/proc/cmdline.o", [
      { before: "seq_putc(m, '\\n');", after: "WARN_ON_ONCE(m->count > 0);\n\tseq_putc(m, '\\n');" },
    ]);
    await load("klp_e2e_warn", module);
    // Without its bug entry the ud2 would be an invalid-opcode oops.
    expect(await sh(m, "cat /proc/cmdline")).toBe(before);
    const log = await sh(m, "dmesg");
    expect(log).toMatch(/WARNING: CPU: \d+ PID: \d+ at fs\/proc\/cmdline\.c:\d+ cmdline_proc_show\+0x[0-9a-f]+\/0x[0-9a-f]+ \[klp_e2e_warn\]/);
    expect(log).not.toMatch(/invalid opcode|Oops/);
    await unloadPatch(m, "klp_e2e_warn");
    expect(await sh(m, "cat /proc/cmdline")).toBe(before);
  });

  it("keeps using vmlinux's copy of a static local that GCC renumbered (klp relocations with addends)", async () => {
    const m = booted.machine;
    const before = await sh(m, "cat /proc/consoles");
    // klp_shows.0 is new (the module's); con_flags becomes con_flags.1 in the
    // patched object but the module must read vmlinux's con_flags.0.
    const module = await buildModule("klp_e2e_statics", "fs/proc/consoles.o", [
      { before: "\tchar flags[ARRAY_SIZE(con_flags) + 1];", after: "\tstatic int klp_shows;\n\tchar flags[ARRAY_SIZE(con_flags) + 1];" },
      { before: "\tseq_setwidth(m, 21 - 1);", after: "\tseq_printf(m, \"#%d \", ++klp_shows);\n\tseq_setwidth(m, 21 - 1);" },
    ]);
    expect(module.references).toContainEqual(expect.objectContaining({ name: "con_flags.0", how: "livepatch" }));
    await load("klp_e2e_statics", module);
    // Same flags column as before: con_flags read correctly through the klp relocations.
    expect(await sh(m, "cat /proc/consoles")).toBe(`#1 ${before}`);
    expect(await sh(m, "cat /proc/consoles")).toBe(`#2 ${before}`);
    await unloadPatch(m, "klp_e2e_statics");
    expect(await sh(m, "cat /proc/consoles")).toBe(before);
  });

  it("patches filldir64, with its __ex_table entries, to hide a file from ls", async () => {
    const m = booted.machine;
    await sh(m, "mkdir -p /tmp/klpdir && touch /tmp/klpdir/klp_hidden /tmp/klpdir/visible");
    expect((await sh(m, "ls /tmp/klpdir")).split(/\s+/).filter(Boolean)).toEqual(["klp_hidden", "visible"]);
    const module = await buildModule("klp_e2e_readdir", "fs/readdir.o", [
      {
        before: "\t\tcontainer_of(ctx, struct getdents_callback64, ctx);\n\tint reclen = ALIGN(offsetof(struct linux_dirent64, d_name) + namlen + 1,\n\t\tsizeof(u64));\n\tint prev_reclen;\n\n",
        after: "\t\tcontainer_of(ctx, struct getdents_callback64, ctx);\n\tint reclen = ALIGN(offsetof(struct linux_dirent64, d_name) + namlen + 1,\n\t\tsizeof(u64));\n\tint prev_reclen;\n\n\tif (namlen == 10 && !memcmp(name, \"klp_hidden\", 10))\n\t\treturn true;\n",
      },
    ]);
    await load("klp_e2e_readdir", module);
    expect((await sh(m, "ls /tmp/klpdir")).split(/\s+/).filter(Boolean)).toEqual(["visible"]);
    // Only the listing is patched: the file is still there.
    expect(await sh(m, "ls /tmp/klpdir/klp_hidden")).toBe("/tmp/klpdir/klp_hidden\n");
    await unloadPatch(m, "klp_e2e_readdir");
    expect((await sh(m, "ls /tmp/klpdir")).split(/\s+/).filter(Boolean)).toEqual(["klp_hidden", "visible"]);
    expect(await sh(m, "dmesg")).not.toMatch(/BUG:|Oops/);
  });
});
