import { BUILDER } from "../../common/machines/profiles.ts";
import { retargetCompile, shellQuote } from "../../common/kbuild/command.ts";
import { bootMachine } from "../boot.ts";
import { loadKbuildIndex } from "../images/toolchain-files.ts";
import { nativeToolchainRoot } from "../toolchain/native-root.ts";
import { runInToolchainRoot } from "../toolchain/native-compile.ts";

export interface CompileTimes {
  builderBootSeconds: number;
  vmSeconds: number;
  nativeSeconds: number;
}

/** One object compiled with its recorded command in the build-host VM and natively. */
export async function timeCompile(object: string): Promise<CompileTimes> {
  const entry = loadKbuildIndex().objects[object];
  if (!entry) throw new Error(`${object} is not an object of this kernel build`);
  const command = (out: string) => shellQuote(retargetCompile(entry.command, out));

  const { machine, bootSeconds } = await bootMachine(BUILDER);
  let vmSeconds: number;
  try {
    const t0 = performance.now();
    const r = await machine.control.exec(`mkdir -p /tmp/klp && cd /build/linux && ${command("/tmp/klp/bench.o")}`, {
      timeoutMs: 600_000,
    });
    vmSeconds = (performance.now() - t0) / 1000;
    if (r.exitCode !== 0) throw new Error(`compile in the VM failed: ${r.stderr}`);
  } finally {
    await machine.destroy();
  }

  const root = nativeToolchainRoot();
  await runInToolchainRoot(root, command("/tmp/bench-warm.o")); // page cache, like the VM's 9p cache
  const t1 = performance.now();
  const r = await runInToolchainRoot(root, command("/tmp/bench.o"));
  const nativeSeconds = (performance.now() - t1) / 1000;
  if (r.exitCode !== 0) throw new Error(`native compile failed: ${r.stderr}`);
  return { builderBootSeconds: bootSeconds, vmSeconds, nativeSeconds };
}
