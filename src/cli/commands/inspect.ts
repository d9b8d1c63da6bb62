import { readFileSync } from "node:fs";
import { formatInspection, inspectModule } from "../../common/klp/inspect/index.ts";
import { parseKlpLayout } from "../../common/klp/module/index.ts";
import { readArtifact } from "../../node/images/store.ts";
import { CliUsageError, parseOptions, type Command } from "../command.ts";

const HELP = `usage: klp inspect MODULE.ko [--json]

Shows what a livepatch module carries: each klp_func (the function it
replaces, its old_sympos, the module's function that replaces it), the
callbacks, every .klp.rela entry with the .klp.sym symbol it resolves, the
exported symbols the module loader resolves, the special sections (kernel
tables) it carries, and its size. Reads modules built by klp, by kpatch or
by the kernel's own build, for this kernel's struct layouts.

Options:
  --json   print the same as JSON on stdout`;

export const inspectCommand: Command = {
  name: "inspect",
  usage: "inspect MODULE.ko",
  summary: "show a livepatch module's functions, relocations and sections",
  help: HELP,
  async run(args) {
    const { options, positional } = parseOptions(args, { json: "boolean" });
    if (positional.length !== 1) throw new CliUsageError("give one MODULE.ko");
    const file = positional[0]!;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      throw new Error(`cannot read ${file}: ${(e as Error).message}`, { cause: e });
    }
    const layout = parseKlpLayout(new TextDecoder().decode(readArtifact("klpLayout")));
    let inspected;
    try {
      inspected = inspectModule(bytes, layout);
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`, { cause: e });
    }
    if (options.json === true) console.log(JSON.stringify(inspected, null, 2));
    else console.log(formatInspection(inspected).join("\n"));
    return 0;
  },
};
