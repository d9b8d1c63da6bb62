import { bootCommand } from "./commands/boot.ts";
import { benchCommand } from "./commands/bench.ts";
import { buildCommand } from "./commands/build.ts";
import { applyCommand } from "./commands/apply.ts";
import { inspectCommand } from "./commands/inspect.ts";
import { testCommand } from "./commands/test.ts";
import { modelsCommand } from "./commands/models.ts";
import { CliUsageError, type Command } from "./command.ts";

const COMMANDS: Command[] = [bootCommand, buildCommand, applyCommand, modelsCommand, testCommand, inspectCommand, benchCommand];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  return [
    "klp: build and apply Linux kernel live patches on an emulated i386 Linux 6.12 (v86)",
    "",
    "usage: klp <command> [options]",
    "",
    ...COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    "",
    "klp <command> --help shows a command's options.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`klp: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof CliUsageError) {
      console.error(`klp ${name}: ${e.message}\n\n${command.help}`);
      return 2;
    }
    console.error(`klp ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
