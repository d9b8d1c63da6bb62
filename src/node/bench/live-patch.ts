import { TARGET } from "../../common/machine/profiles.ts";
import { diffObjects } from "../../common/klp/diff/index.ts";
import { assembleModule, specialSizesOf } from "../../common/klp/module/index.ts";
import { makeDiff } from "../../common/patch/index.ts";
import { bootMachine } from "../boot.ts";
import { buildPatch, loadKlpInputs, loadLivepatch, openCompiler } from "../klp/index.ts";
import { NativeBuildHost } from "../toolchain/native-build-host.ts";
import { forkShadow } from "../../common/samples/fork-shadow.ts";

export interface LivePatchBench {
  /** Stages 5-6 (diff + assemble) for the cmdline change, median of 10. */
  diffAssembleMs: number;
  /** insmod to transition 0 on the resumed target. */
  applyTransitionMs: number;
  /** From both snapshots to the new behaviour, build host in the VM (first build of the file). */
  editToLiveVmSeconds: number;
  /** The same file edited again: PCH reused, atomic replace. */
  editToLiveVmRepeatSeconds: number;
  /** The fork-shadow sample (three files, one module), native build host, until the new /proc line shows. */
  threeFilesNativeSeconds: number;
}

const FILE = "fs/proc/cmdline.c";

/** cmdline_proc_show also prints `text`: the edit the benchmarks make. */
function patchedCmdline(pristine: string, text: string): string {
  return pristine.replace("seq_putc(m, '\\n');", `seq_puts(m, " ${text}");\n\tseq_putc(m, '\\n');`);
}

export async function benchLivePatch(log: (s: string) => void): Promise<LivePatchBench> {
  const inputs = loadKlpInputs();
  const pristine = inputs.readPristine(FILE)!;

  log("diff + assemble (cmdline change)");
  const native = new NativeBuildHost(inputs.kbuild);
  const compiled = await native.compile({ object: "fs/proc/cmdline.o", overrides: { [FILE]: patchedCmdline(pristine, "x") } });
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    const diff = diffObjects(compiled.baseline!, compiled.object!, { exported: inputs.exported, specialSizes: specialSizesOf(inputs.layout) });
    assembleModule({ diffs: [diff], name: "bench", layout: inputs.layout, vmlinux: inputs.vmlinux, exported: inputs.exported });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);

  log("edit to live, build host in the VM (first build, then an edit of the same file)");
  const t0 = performance.now();
  const [vm, target] = await Promise.all([openCompiler("vm", inputs.kbuild), bootMachine(TARGET, { snapshot: true })]);
  try {
    const live = async (name: string, text: string) => {
      const out = await buildPatch({ diffText: makeDiff(FILE, pristine, patchedCmdline(pristine, text)), name, compiler: vm.compiler });
      const { transitionMs } = await loadLivepatch(target.machine, name, out.module);
      const r = await target.machine.control.exec("cat /proc/cmdline");
      if (!r.stdout.includes(text)) throw new Error(`the patch did not take: ${r.stdout}`);
      return transitionMs;
    };
    const transitionMs = await live("bench_first", "first");
    const first = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    await live("bench_repeat", "repeat");
    const repeat = (performance.now() - t1) / 1000;

    log("three files in one patch (fork-shadow sample), native build host");
    const t2 = performance.now();
    const three = await buildPatch({ diffText: forkShadow.diff, name: "bench_three", compiler: new NativeBuildHost(inputs.kbuild) });
    await loadLivepatch(target.machine, "bench_three", three.module);
    const status = await target.machine.control.exec("grep KlpFork /proc/self/status");
    if (!status.stdout.includes("KlpFork:")) throw new Error(`the three-file patch did not take: ${status.stdout}`);
    const threeFiles = (performance.now() - t2) / 1000;

    return {
      diffAssembleMs: times[Math.floor(times.length / 2)]!,
      applyTransitionMs: transitionMs,
      editToLiveVmSeconds: first,
      editToLiveVmRepeatSeconds: repeat,
      threeFilesNativeSeconds: threeFiles,
    };
  } finally {
    await vm.close();
    await target.machine.destroy();
  }
}
