// The compile service: a recorded kbuild command run in the build-host VM and
// natively gives identical objects, for the pristine file and for a patched
// one; the PCH path reuses its header while the body changes; GCC's errors
// come back parsed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootMachine, type BootedMachine } from "../../src/node/boot.ts";
import { BUILDER } from "../../src/common/machine/profiles.ts";
import { BuildHost } from "../../src/common/compile/build-host.ts";
import { NativeBuildHost } from "../../src/node/toolchain/native-build-host.ts";
import { loadKbuildIndex, ToolchainFiles } from "../../src/node/images/toolchain-files.ts";

const kbuild = loadKbuildIndex();
const files = new ToolchainFiles();
const OBJ = "fs/proc/cmdline.o";
const SRC = "fs/proc/cmdline.c";
const pristine = new TextDecoder().decode(files.read(`build/linux/${SRC}`));
const original = Buffer.from(files.read(`build/linux/${OBJ}`)!);
const patched = (s: string) => pristine.replace("seq_puts(m, saved_command_line);", `seq_printf(m, "%s ${s}", saved_command_line);`);

let booted: BootedMachine;
let vm: BuildHost;
let vmPch: BuildHost;
const native = new NativeBuildHost(kbuild);
beforeAll(async () => {
  booted = await bootMachine(BUILDER, { snapshot: true });
  vm = new BuildHost(booted.machine, kbuild, { pch: false });
  vmPch = new BuildHost(booted.machine, kbuild);
});
afterAll(async () => {
  await booted?.machine.destroy();
});

describe("compile service", () => {
  it("recompiles the pristine file into the kernel's own object, in the VM and natively", async () => {
    expect(patched("x")).not.toBe(pristine);
    const [a, b] = [await vm.compile({ object: OBJ }), await native.compile({ object: OBJ })];
    expect(a.log).toBe("");
    expect(Buffer.from(a.object!).equals(original)).toBe(true);
    expect(Buffer.from(b.object!).equals(original)).toBe(true);
  });

  it("compiles a patched file identically in the VM and natively", async () => {
    const request = { object: OBJ, overrides: { [SRC]: patched("vm-vs-native") } };
    const [a, b] = [await vm.compile(request), await native.compile(request)];
    expect(a.exitCode).toBe(0);
    expect(a.object!.length).toBeGreaterThan(0);
    expect(Buffer.from(a.object!).equals(Buffer.from(b.object!))).toBe(true);
    expect(Buffer.from(a.object!).equals(original)).toBe(false);
    // the pristine file is back in place afterwards
    const again = await vm.compile({ object: OBJ, overrides: { [SRC]: pristine } });
    expect(Buffer.from(again.object!).equals(original)).toBe(true);
  });

  it("builds a PCH on the first compile and reuses it while only the body changes", async () => {
    const first = await vmPch.compile({ object: OBJ, overrides: { [SRC]: patched("one") } });
    expect(first.mode).toBe("pch-first");
    expect(first.exitCode).toBe(0);
    const plain = await vm.compile({ object: OBJ, overrides: { [SRC]: patched("one") } });
    // For this file the PCH object is byte-identical to the plain one (GCC does
    // not promise that in general: hence the baseline compiled the same way).
    expect(Buffer.from(first.object!).equals(Buffer.from(plain.object!))).toBe(true);
    expect(Buffer.from(first.baseline!).equals(original)).toBe(true);
    const second = await vmPch.compile({ object: OBJ, overrides: { [SRC]: patched("two") } });
    expect(second.mode).toBe("pch");
    expect(second.ms).toBeLessThan(first.ms);
    const secondPlain = await native.compile({ object: OBJ, overrides: { [SRC]: patched("two") } });
    expect(Buffer.from(second.object!).equals(Buffer.from(secondPlain.object!))).toBe(true);
  });

  it("falls back to a plain compile when the preamble changes", async () => {
    const r = await vmPch.compile({ object: OBJ, overrides: { [SRC]: pristine.replace("#include <linux/fs.h>", "#include <linux/fs.h>\n#include <linux/kernel.h>") } });
    expect(r.mode).toBe("plain");
    expect(r.exitCode).toBe(0);
  });

  it("returns GCC's errors parsed, with file, line, column and function", async () => {
    const broken = pristine.replace("seq_putc(m, '\\n');", "seq_putc(m, '\\n');\n\tundeclared_thing++;");
    for (const host of [vmPch, native]) {
      const r = await host.compile({ object: OBJ, overrides: { [SRC]: broken } });
      expect(r.exitCode).not.toBe(0);
      expect(r.object).toBeUndefined();
      const error = r.diagnostics.find((d) => d.severity === "error");
      expect(error).toMatchObject({ file: SRC, line: 12, column: 9, function: "cmdline_proc_show" });
      expect(error!.message).toMatch(/undeclared_thing/);
    }
  });

  it("answers a repeated request from its cache", async () => {
    const request = { object: OBJ, overrides: { [SRC]: patched("cached") } };
    await vm.compile(request);
    const again = await vm.compile(request);
    expect(again.cached).toBe(true);
  });

  it("prepares a file's headers ahead of a build; a read of the tree meanwhile gets the pristine file, not the one swapped in", async () => {
    const host = new BuildHost(booted.machine, kbuild);
    const preparing = host.prepare(OBJ);
    // A few seconds in, the guest compiles with the preamble-blanked body in the file's place.
    await new Promise((r) => setTimeout(r, 3000));
    const read = host.readTreeFile(SRC);
    expect(await preparing).toBe(true);
    expect(new TextDecoder().decode((await read)!)).toBe(pristine);
    const built = await host.compile({ object: OBJ, overrides: { [SRC]: patched("prepared") } });
    expect(built.mode).toBe("pch");
    expect(built.exitCode).toBe(0);
  });
});
