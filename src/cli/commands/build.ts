import { readFileSync, writeFileSync } from "node:fs";
import { buildPatch, loadKlpInputs, moduleNameFor, openCompiler } from "../../node/klp/index.ts";
import { failureJson, formatFailure, formatStage, progressPrinter, formatSummary } from "../../node/klp/report.ts";
import type { BuildOutput } from "../../common/klp/pipeline.ts";
import { CliUsageError, parseOptions, type Command } from "../command.ts";
import { builderOption } from "../builder-option.ts";
import { formatFirstChanged, recordingCompiler, whatChanged } from "../../common/disasm/index.ts";
import { loadX86Decoder } from "../../node/disasm.ts";

const HELP = `usage: klp build PATCH... -o OUT.ko [--builder wasm|vm|native] [--name NAME] [--no-replace] [--show-first-changed] [--trace] [--json]

Builds a livepatch module from unified diffs against the kernel's source
(several PATCH files are concatenated into one patch): parse, apply, plan,
compile, diff objects, assemble. Prints each stage with its time and the
functions the module replaces or adds.

Options:
  -o, --output OUT.ko   where to write the module (required)
  --name NAME           module and patch name (default: from OUT.ko)
  --builder wasm|vm|native
                        compile with the WebAssembly gcc (as the page does), in
                        the build-host VM (the page's fallback), or with the
                        same toolchain natively on this host (default)
  --no-replace          do not set klp_patch.replace (by default the module
                        atomically replaces every live patch loaded before it)
  -f, --show-first-changed
                        for each changed function, the first instruction that
                        differs (disassembled, relocations by their targets)
                        and the source line the patch changed in it
  --trace               print each decision of the object differ on stderr, one
                        line each (as objtool's --debug-correlate): which
                        symbol it correlated with which, what changed and why,
                        what it included and why, what stays in vmlinux
  --json                print {stages, changedFunctions, newFunctions, notes,
                        output} (with -f, firstChanged: [{name, object, first,
                        source, sizes}]) as JSON on stdout, or {error: {stage, kind,
                        code, message, detail, location}}

Exits 1 with a one-line reason, details and the code (README: "Refusal
codes") when the patch cannot be built, including when it makes no
functional change.`;

export const buildCommand: Command = {
  name: "build",
  usage: "build PATCH... -o OUT.ko",
  summary: "build a livepatch module from C diffs",
  help: HELP,
  async run(rawArgs) {
    const args = rawArgs.map((a) => (a === "-o" ? "--output" : a === "-f" ? "--show-first-changed" : a));
    const { options, positional } = parseOptions(args, { output: "string", name: "string", builder: "string", "no-replace": "boolean", json: "boolean", "show-first-changed": "boolean", trace: "boolean" });
    if (positional.length === 0) throw new CliUsageError("give at least one PATCH file");
    const output = options.output;
    if (typeof output !== "string") throw new CliUsageError("-o OUT.ko is required");
    const builder = builderOption(options.builder);
    const json = options.json === true;
    const name = typeof options.name === "string" ? options.name : moduleNameFor(output);
    const diffText = positional.map((p) => readFileSync(p, "utf8")).join("\n");

    const { kbuild } = loadKlpInputs();
    const open = await openCompiler(builder, kbuild);
    const showFirst = options["show-first-changed"] === true;
    const recorded = recordingCompiler(open.compiler);
    let out: BuildOutput;
    try {
      if (!json) console.log(`building ${name} (${builder} builder)`);
      out = await buildPatch({ diffText, name, replace: options["no-replace"] !== true, compiler: recorded.compiler, onStage: json ? undefined : (s) => console.log(formatStage(s)), onProgress: json ? undefined : progressPrinter((line) => console.log(line)), trace: options.trace === true ? (line) => console.error(`trace: ${line}`) : undefined });
    } catch (e) {
      if (json) console.log(JSON.stringify({ error: failureJson(e) }, null, 2));
      console.error(formatFailure("build", e));
      return 1;
    } finally {
      await open.close();
    }
    writeFileSync(output, out.module);
    const firstChanged = showFirst
      ? whatChanged({ functions: out.changedFunctions, compiled: recorded.compiled, diffText, readPristine: loadKlpInputs().readPristine, decoder: await loadX86Decoder() })
      : undefined;
    if (json) {
      const { module: _bytes, ...rest } = out;
      const first = firstChanged?.map(({ rows: _rows, ...f }) => f);
      console.log(JSON.stringify({ ...rest, output, bytes: out.module.length, ...(first ? { firstChanged: first } : {}) }, null, 2));
    } else {
      console.log(formatSummary(out));
      if (firstChanged) console.log(["first changed instructions:", ...formatFirstChanged(firstChanged)].join("\n"));
      console.log(`wrote ${output} (${out.module.length} bytes): patch ${out.name}, ${out.changedFunctions.length} function${out.changedFunctions.length === 1 ? "" : "s"} replaced`);
    }
    return 0;
  },
};
