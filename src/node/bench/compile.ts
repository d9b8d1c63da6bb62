import { BUILDER } from "../../common/machine/profiles.ts";
import { BuildHost } from "../../common/compile/build-host.ts";
import { bootMachine } from "../boot.ts";
import { loadKbuildIndex, ToolchainFiles } from "../images/toolchain-files.ts";
import { NativeBuildHost } from "../toolchain/native-build-host.ts";

export interface CompileBench {
  builderBootSeconds: number;
  builderRestoreSeconds: number;
  /** Plain compile (recorded command, no PCH) of the pristine fs/proc/cmdline.c in a resumed build host. */
  cmdlineVmSeconds: number;
  cmdlineNativeSeconds: number;
  /** First compile of an edited fs/proc/cmdline.c (builds the PCH and the baseline). */
  cmdlineVmFirstSeconds: number;
  /** The same file edited again: PCH reused. */
  cmdlineVmRepeatSeconds: number;
  /** First compile of an edited kernel/sys.c (6 MB preprocessed). */
  sysVmFirstSeconds: number;
  sysVmRepeatSeconds: number;
  sysNativeSeconds: number;
}

const seconds = (ms: number) => ms / 1000;

/** A body edit that keeps the preamble: a new function at the end of the file. */
function edited(source: string, tag: string): string {
  return `${source}\nint klp_bench_${tag}(void);\nint klp_bench_${tag}(void) { return ${tag.length}; }\n`;
}

export async function benchCompile(log: (s: string) => void): Promise<CompileBench> {
  const kbuild = loadKbuildIndex();
  const files = new ToolchainFiles();
  const source = (obj: string) => new TextDecoder().decode(files.read(`build/linux/${kbuild.objects[obj]!.source}`));
  const cmdline = source("fs/proc/cmdline.o");
  const sys = source("kernel/sys.o");

  log("build host: cold boot");
  const cold = await bootMachine(BUILDER);
  await cold.machine.destroy();

  log("build host: resume snapshot");
  const { machine, bootSeconds: restore } = await bootMachine(BUILDER, { snapshot: true });
  try {
    const plain = new BuildHost(machine, kbuild, { pch: false });
    const pch = new BuildHost(machine, kbuild);
    const timed = async (host: BuildHost, object: string, overrides?: Record<string, string>) => {
      const r = await host.compile({ object, overrides });
      if (r.exitCode !== 0) throw new Error(`compile of ${object} failed:\n${r.log}`);
      return seconds(r.ms);
    };
    log("compile fs/proc/cmdline.c in the VM (plain, first, repeat)");
    const cmdlineVm = await timed(plain, "fs/proc/cmdline.o");
    const cmdlineFirst = await timed(pch, "fs/proc/cmdline.o", { "fs/proc/cmdline.c": edited(cmdline, "a") });
    const cmdlineRepeat = await timed(pch, "fs/proc/cmdline.o", { "fs/proc/cmdline.c": edited(cmdline, "bb") });
    log("compile kernel/sys.c in the VM (first, repeat)");
    const sysFirst = await timed(pch, "kernel/sys.o", { "kernel/sys.c": edited(sys, "a") });
    const sysRepeat = await timed(pch, "kernel/sys.o", { "kernel/sys.c": edited(sys, "bb") });

    log("compile natively");
    const native = new NativeBuildHost(kbuild);
    await native.compile({ object: "fs/proc/cmdline.o", overrides: { "fs/proc/cmdline.c": edited(cmdline, "warm") } });
    const n1 = await native.compile({ object: "fs/proc/cmdline.o" });
    const n2 = await native.compile({ object: "kernel/sys.o" });
    return {
      builderBootSeconds: cold.bootSeconds,
      builderRestoreSeconds: restore,
      cmdlineVmSeconds: cmdlineVm,
      cmdlineNativeSeconds: seconds(n1.ms),
      cmdlineVmFirstSeconds: cmdlineFirst,
      cmdlineVmRepeatSeconds: cmdlineRepeat,
      sysVmFirstSeconds: sysFirst,
      sysVmRepeatSeconds: sysRepeat,
      sysNativeSeconds: seconds(n2.ms),
    };
  } finally {
    await machine.destroy();
  }
}
