import { bootMachine } from "../../node/boot.ts";
import { TargetCrashError, unlessCrashed } from "../../node/klp/index.ts";
import { formatFailure } from "../../node/klp/report.ts";
import { TARGET, BUILDER, type MachineProfile } from "../../common/machine/profiles.ts";
import { CliUsageError, parseOptions, type Command } from "../command.ts";

const HELP = `usage: klp boot [--exec CMD] [--machine target|builder] [--console] [--timeout SECONDS]

Boots the target machine (Linux 6.12 with livepatch, in v86) and either
  --exec CMD   runs CMD in the guest shell, prints its output and exits with
               its exit status (boot messages are not shown unless --console), or
  (no --exec)  attaches this terminal to the guest console; Ctrl-A x quits.

Options:
  --machine builder   boot the build host (toolchain image) instead
  --console           also show the guest console (boot messages) on stderr
  --timeout SECONDS   give up on boot or CMD after this long (default 120)`;

export const bootCommand: Command = {
  name: "boot",
  usage: "boot [--exec CMD]",
  summary: "boot the target in v86; run CMD in it, or attach to its console",
  help: HELP,
  async run(args) {
    const { options, positional } = parseOptions(args, {
      exec: "string",
      machine: "string",
      console: "boolean",
      timeout: "string",
    });
    if (positional.length) throw new CliUsageError(`unexpected argument '${positional[0]}'`);
    const profile: MachineProfile =
      options.machine === undefined || options.machine === "target"
        ? TARGET
        : options.machine === "builder"
          ? BUILDER
          : (() => {
              throw new CliUsageError(`--machine must be target or builder, not '${String(options.machine)}'`);
            })();
    const timeoutMs = options.timeout === undefined ? 120_000 : Number(options.timeout) * 1000;
    if (!(timeoutMs > 0)) throw new CliUsageError("--timeout needs a positive number of seconds");

    const exec = typeof options.exec === "string" ? options.exec : undefined;
    if (exec === undefined) return attachConsole(profile, timeoutMs);

    const showConsole = options.console === true;
    const { machine } = await bootMachine(profile, {
      timeoutMs,
      onConsole: showConsole ? (b) => process.stderr.write(Uint8Array.of(b)) : undefined,
    });
    try {
      const result = await unlessCrashed(machine, machine.control.exec(exec, { timeoutMs }));
      process.stdout.write(result.stdoutBytes);
      process.stderr.write(result.stderr);
      if (machine.health.report) throw new TargetCrashError(machine.health.report);
      return result.exitCode;
    } catch (e) {
      if (!(e instanceof TargetCrashError)) throw e;
      console.error(formatFailure("boot", e));
      return 1;
    } finally {
      await machine.destroy();
    }
  },
};

/** Terminal <-> guest ttyS0, raw, until Ctrl-A x. */
async function attachConsole(profile: MachineProfile, timeoutMs: number): Promise<number> {
  process.stderr.write(`klp: booting the ${profile.role} (Ctrl-A x quits)\n`);
  const { machine } = await bootMachine(profile, { timeoutMs, onConsole: (b) => process.stdout.write(Uint8Array.of(b)) });
  return new Promise<number>((resolve) => {
    const stdin = process.stdin;
    if (stdin.isTTY) stdin.setRawMode(true);
    let ctrlA = false;
    const finish = async (code: number) => {
      stdin.off("data", onData);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      await machine.destroy();
      process.stderr.write("\nklp: machine stopped\n");
      resolve(code);
    };
    const onData = (chunk: Buffer) => {
      for (const byte of chunk) {
        if (ctrlA && byte === 0x78) return void finish(0);
        ctrlA = byte === 0x01;
      }
      machine.writeConsole(new Uint8Array(chunk));
    };
    stdin.on("data", onData);
    stdin.on("end", () => void finish(0));
    stdin.resume();
  });
}
