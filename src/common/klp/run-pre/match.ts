// Ksplice's run-pre matching (Arnold & Kaashoek, EuroSys 2009):
// before patching, check that the code each replaced function was compiled
// to from the patch's source is the code the running kernel executes, so a
// patch built against the wrong tree, config or compiler is refused instead
// of replacing functions it does not know.
import { parseElf32, SHN_UNDEF, STB_WEAK, STT_FUNC } from "../../elf/index.ts";
import { KlpDiffError } from "../diff/errors.ts";
import { loadObject, type ObjectModel } from "../diff/model.ts";
import { KlpModuleError } from "../module/errors.ts";
import { compareFunction } from "./compare.ts";
import { differsAt, hex } from "./describe.ts";
import { RunPreError } from "./errors.ts";
import { LearnedTargets } from "./learned.ts";
import { TargetResolver } from "./targets.ts";
import type { CheckedFunction, RunPreInput, RunPreMismatch, RunPreResult } from "./types.ts";
import { rewrittenSites, type Wildcard } from "./wildcards.ts";

const DEFAULT_MAX_MISMATCHES = 16;

function load(baseline: Uint8Array, label: string): ObjectModel {
  try {
    return loadObject(parseElf32(baseline), label);
  } catch (e) {
    // The baseline is the kernel's own object: if it does not read, the playground handed over the wrong bytes.
    throw new RunPreError("internal", `${label} is not a readable ELF relocatable: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function sitesOf(model: ObjectModel, object: string, input: RunPreInput): Wildcard[] {
  try {
    return rewrittenSites(model, input.layout?.alt_instr);
  } catch (e) {
    // A table that does not split into whole entries: the object, or the measured layout, is not what this kernel builds.
    if (e instanceof KlpDiffError) throw new RunPreError("internal", `${object}: ${e.message}`);
    throw e;
  }
}

export async function runPreMatch(input: RunPreInput): Promise<RunPreResult> {
  const model = load(input.baseline, input.object ?? "the baseline object");
  const object = input.object ?? model.file;
  const resolver = new TargetResolver(model, input.vmlinux);
  const wildcards = sitesOf(model, object, input);
  const max = input.maxMismatchesPerFunction ?? DEFAULT_MAX_MISMATCHES;

  // Every name is looked up before the kernel is read: a wrong name fails fast, whatever the order.
  const wanted = input.functions.map((name) => {
    const symbol = model.symbols.find((s) => s.name === name && s.type === STT_FUNC && s.shndx !== SHN_UNDEF && s.section);
    if (!symbol?.section) {
      throw new RunPreError("run-pre-not-found", `\`${name}\` is not a function of ${object}, the object this patch was built against: nothing to compare with the running kernel`, name);
    }
    let where;
    try {
      where = resolver.locate(symbol);
    } catch (e) {
      if (!(e instanceof KlpModuleError)) throw e;
      if (e.code === "ambiguous-symbol") throw new RunPreError("run-pre-ambiguous", `\`${name}\` of ${object}: ${e.message}`, name);
      throw new RunPreError(
        "run-pre-not-found",
        `\`${name}\` of ${object} is not in vmlinux's symbol table: the running kernel has no such function to compare (GCC may have inlined it into every caller, or the object is not linked into vmlinux)`,
        name,
      );
    }
    const running = input.vmlinux.named(name).find((s) => s.value === where.address);
    return { symbol, section: symbol.section, where, runningSize: running?.size ?? symbol.size };
  });

  // One read at a time: the reader may be a serial console or a control channel.
  const found: Uint8Array[] = [];
  for (const w of wanted) found.push(await input.readKernel(w.where.address, w.symbol.size));
  const learned = new LearnedTargets();
  const checked: CheckedFunction[] = [];
  const mismatches: RunPreMismatch[] = [];
  wanted.forEach((w, i) => {
    const bytes = found[i]!;
    const name = w.symbol.name;
    if (bytes.length !== w.symbol.size) {
      throw new RunPreError("internal", `reading ${w.symbol.size} bytes of ${name} at ${hex(w.where.address)} gave ${bytes.length}`, name);
    }
    const c = compareFunction({ symbol: w.symbol, section: w.section, address: w.where.address, found: bytes }, wildcards, resolver, learned);
    const own = [...c.mismatches];
    if (w.runningSize !== w.symbol.size) {
      // The bytes both have are compared too: the size alone may be all that differs.
      own.push({
        function: name,
        offset: Math.min(w.runningSize, w.symbol.size),
        expected: new Uint8Array(),
        found: new Uint8Array(),
        kind: "size",
        detail:
          `${differsAt(name, Math.min(w.runningSize, w.symbol.size))}: vmlinux's ${name} is ${w.runningSize} bytes, the source this patch was built from makes ${w.symbol.size}` +
          // A __weak default that another object overrides: livepatch would replace the override, not this.
          (w.symbol.bind === STB_WEAK ? ` (${object}'s ${name} is __weak: vmlinux has another object's definition instead)` : ""),
      });
    }
    mismatches.push(...own.slice(0, max));
    checked.push({
      name,
      address: w.where.address,
      size: w.symbol.size,
      sympos: w.where.sympos,
      references: c.references,
      skipped: c.skipped,
      matches: own.length === 0,
      omitted: Math.max(0, own.length - max),
    });
  });
  return { checked, mismatches, learned: learned.list() };
}

/**
 * The refusal a mismatching result stands for ("the source this patch was
 * built from does not match the running kernel"), naming the first function
 * and offset; undefined when everything matched.
 */
export function refusalOf(result: RunPreResult): RunPreError | undefined {
  const first = result.mismatches[0];
  if (!first) return undefined;
  const functions = [...new Set(result.mismatches.map((m) => m.function))];
  const others = functions.length > 1 ? ` (and ${functions.length - 1} more function${functions.length > 2 ? "s" : ""}: ${functions.slice(1).join(", ")})` : "";
  return new RunPreError(
    "run-pre-mismatch",
    `the source this patch was built from does not match the running kernel: ${first.function} differs at +${hex(first.offset)}${others}`,
    first.function,
    result.mismatches.map((m) => m.detail).join("\n"),
  );
}
