export interface Command {
  name: string;
  usage: string;
  summary: string;
  help: string;
  /** Returns the process exit status. */
  run(args: string[]): Promise<number>;
}

export class CliUsageError extends Error {
  override name = "CliUsageError";
}

/** A small, strict option parser: unknown options are errors, not ignored. */
export function parseOptions(
  args: string[],
  spec: Record<string, "string" | "boolean">,
): { options: Record<string, string | boolean>; positional: string[] } {
  const options: Record<string, string | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const key = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const kind = spec[key];
    if (!kind) throw new CliUsageError(`unknown option --${key}`);
    if (kind === "boolean") {
      if (eq > 0) throw new CliUsageError(`--${key} takes no value`);
      options[key] = true;
    } else {
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new CliUsageError(`--${key} needs a value`);
      options[key] = value;
    }
  }
  return { options, positional };
}
