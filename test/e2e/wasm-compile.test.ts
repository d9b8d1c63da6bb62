// The WebAssembly compiler (Debian's gcc 12.2 cc1 and binutils 2.40 as built
// for wasm32 by the image script) must produce the kernel's own objects, byte
// for byte: objects spread over the whole tree, compiled with the commands the
// kernel's gcc driver ran, compared with the objects the kernel was linked
// from. Then a patch goes all the way through `klp apply --builder wasm`.
import { execFile } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadKbuildIndex, ToolchainFiles } from "../../src/node/images/toolchain-files.ts";
import { openWasmCompiler } from "../../src/node/toolchain/wasm-compiler.ts";
import { REPO_DIR } from "../../src/node/images/store.ts";
import { cmdline } from "../../src/common/samples/cmdline.ts";

const kbuild = loadKbuildIndex();
const files = new ToolchainFiles();

/**
 * Every n-th C object of vmlinux in path order: spread over every directory of
 * the tree. Kernel code only (built -nostdinc): arch/x86/tools' host programs
 * include the C library, which the toolchain image does not carry.
 */
function spread(count: number): string[] {
  const all = Object.keys(kbuild.objects)
    .filter((o) => kbuild.objects[o]!.kind === "vmlinux" && kbuild.objects[o]!.language === "c" && kbuild.objects[o]!.command.includes("-nostdinc"))
    .sort();
  const step = all.length / count;
  return Array.from({ length: count }, (_, i) => all[Math.floor(i * step)]!);
}

describe("the WebAssembly compiler", () => {
  it("compiles 60 objects spread over the tree byte-identical to the kernel's own", async () => {
    const wasm = openWasmCompiler(kbuild);
    const objects = spread(60);
    expect(new Set(objects.map((o) => o.split("/")[0])).size).toBeGreaterThanOrEqual(8);
    const differing: string[] = [];
    for (const object of objects) {
      const r = await wasm.compile({ object });
      if (r.exitCode !== 0) throw new Error(`${object}: the wasm compiler failed:\n${r.log}`);
      const own = files.read(`build/linux/${object}`)!;
      if (Buffer.compare(Buffer.from(r.object!), Buffer.from(own)) !== 0) differing.push(object);
    }
    expect(differing).toEqual([]);
  }, 900_000);

  it("reports a compile error with the file and line, as GCC says it", async () => {
    const wasm = openWasmCompiler(kbuild);
    const source = new TextDecoder().decode(files.read("build/linux/fs/proc/cmdline.c"));
    const r = await wasm.compile({ object: "fs/proc/cmdline.o", overrides: { "fs/proc/cmdline.c": source.replace("seq_puts(m, saved_command_line);", "seq_puts(m, no_such_variable);") } });
    expect(r.exitCode).not.toBe(0);
    expect(r.diagnostics.some((d) => d.file === "fs/proc/cmdline.c" && d.severity === "error" && /no_such_variable/.test(d.message))).toBe(true);
  }, 300_000);

  it("klp apply --builder wasm: the cmdline sample, built in WebAssembly, live in the target", async () => {
    const dir = mkdtempSync(join(tmpdir(), "klp-wasm-"));
    const patch = join(dir, "cmdline.patch");
    writeFileSync(patch, cmdline.diff);
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [join(REPO_DIR, "bin/klp.js"), "apply", patch, "--builder", "wasm", "--exec", "cat /proc/cmdline"], { cwd: REPO_DIR, timeout: 600_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
      ),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wasm builder/);
    expect(r.stdout).toMatch(/\[live patched!\]$/m);
  }, 600_000);
});
