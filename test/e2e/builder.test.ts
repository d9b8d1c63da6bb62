// The build host: boots from the toolchain image in v86 under Node and
// recompiles a kernel file with its recorded kbuild command line. The object
// must equal the one the kernel was built from, byte for byte — and so must
// the native fast path, which runs the same i386 binaries on the host.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootMachine, type BootedMachine } from "../../src/node/boot.ts";
import { BUILDER } from "../../src/common/machine/profiles.ts";
import { retargetCompile, shellQuote } from "../../src/common/kbuild/command.ts";
import { fromBase64 } from "../../src/common/machine/control/frames.ts";
import { loadKbuildIndex, ToolchainFiles } from "../../src/node/images/toolchain-files.ts";
import { nativeToolchainRoot } from "../../src/node/toolchain/native-root.ts";
import { runInToolchainRoot } from "../../src/node/toolchain/native-compile.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const OBJ = "fs/proc/cmdline.o";
const kbuild = loadKbuildIndex();
const original = new ToolchainFiles().read(`build/linux/${OBJ}`);

describe("build host toolchain", () => {
  let booted: BootedMachine;
  beforeAll(async () => {
    booted = await bootMachine(BUILDER);
  });
  afterAll(async () => {
    await booted?.machine.destroy();
  });

  it("ships the original object and its kbuild command", () => {
    expect(original, "original object in the toolchain image").toBeDefined();
    expect(kbuild.objects[OBJ]?.command).toMatch(/^gcc .* -ffunction-sections -fdata-sections .*-c -o fs\/proc\/cmdline\.o fs\/proc\/cmdline\.c/);
  });

  it("recompiles fs/proc/cmdline.c in the VM into the identical object", async () => {
    const argv = retargetCompile(kbuild.objects[OBJ]!.command, "/tmp/klp/cmdline.o");
    const r = await booted.machine.control.exec(
      `mkdir -p /tmp/klp && cd /build/linux && ${shellQuote(argv)} && base64 -w0 /tmp/klp/cmdline.o`,
      { timeoutMs: 300_000 },
    );
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const object = fromBase64(r.stdout.trim());
    expect(object.length).toBe(original!.length);
    expect(Buffer.from(object).equals(Buffer.from(original!))).toBe(true);
  });

  it("recompiles it natively (same binaries, same command) into the identical object", async () => {
    const root = nativeToolchainRoot();
    const argv = retargetCompile(kbuild.objects[OBJ]!.command, "/tmp/native-cmdline.o");
    const r = await runInToolchainRoot(root, shellQuote(argv));
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const object = readFileSync(join(root, "tmp/native-cmdline.o"));
    expect(object.equals(Buffer.from(original!))).toBe(true);
  });
});
