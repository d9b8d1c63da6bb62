import { timeColdBoot } from "../../node/bench/boot.ts";
import { timeCompile } from "../../node/bench/compile.ts";
import { parseOptions, type Command } from "../command.ts";

const HELP = `usage: klp bench

Measures the playground end to end and prints one JSON object (progress goes
to stderr). Numbers are wall-clock seconds on this machine:
  target_cold_boot_s        a fresh \`klp boot --exec true\`: process start to exit
  builder_boot_s            build-host VM boot (toolchain image over 9p)
  compile_cmdline_vm_s      fs/proc/cmdline.c, recorded kbuild command, in the VM (first compile)
  compile_cmdline_native_s  the same command with the same i386 binaries, natively
  compile_cmdline_vm_over_native  their ratio`;

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

export const benchCommand: Command = {
  name: "bench",
  usage: "bench",
  summary: "measure boot and compile times, print JSON",
  help: HELP,
  async run(args) {
    parseOptions(args, {});
    const result: Record<string, number> = {};
    process.stderr.write("bench: target cold boot\n");
    result.target_cold_boot_s = round(await timeColdBoot());
    process.stderr.write("bench: compile fs/proc/cmdline.c (VM, native)\n");
    const c = await timeCompile("fs/proc/cmdline.o");
    result.builder_boot_s = round(c.builderBootSeconds);
    result.compile_cmdline_vm_s = round(c.vmSeconds);
    result.compile_cmdline_native_s = round(c.nativeSeconds);
    result.compile_cmdline_vm_over_native = round(c.vmSeconds / c.nativeSeconds, 1);
    console.log(JSON.stringify(result, null, 2));
    return 0;
  },
};
