// Garbled input, at scale (src/node/bench/garble.ts): 10,000 mutated patches
// through parse -> apply -> plan over the committed pristine sources, and
// corrupted compiler output through diff -> assemble over committed
// objects. No crash, no hang; every failure a KlpBuildError with a known
// code other than `internal`, located. `klp bench` runs more, timed.
import { describe, expect, it } from "vitest";
import type { Compiled } from "../../../src/common/klp/build/diff-objects.ts";
import { parseKlpLayout, parseVmlinuxSymbols } from "../../../src/common/klp/module/index.ts";
import { corpusPatches, GARBLE_FILES, GARBLE_STAND_INS, withStandIns, garbleObjects, garblePatches, type GarbleStats } from "../../../src/node/bench/garble.ts";
import { compilePair, exportedSymbols, kbuildIndex, klpLayoutJson, readTreeText, vmlinuxSymbolsJson, type Edit } from "../klp-diff/kernel-objects.ts";

// The corpus' files from the fixtures; stand-ins for those the plan refuses by path alone (a Makefile, lib/, boot code).
const texts = new Map(GARBLE_FILES.filter((f) => !GARBLE_STAND_INS.has(f)).map((f) => [f, readTreeText(f)]));
const readPristine = withStandIns((path) => texts.get(path));
const PATCHES = corpusPatches(readPristine);

const report = (s: GarbleStats) => `${s.inputs} inputs, ${s.passed} passed, ${Object.entries(s.refusals).sort(([, a], [, b]) => b - a).map(([k, n]) => `${k} ${n}`).join(", ")}`;

describe("garbled input, at scale", () => {
  it("10,000 mutated patches through parse, apply and plan: each passes or is refused with a located, coded error", () => {
    const stats = garblePatches({ patches: PATCHES, readPristine, kbuild: kbuildIndex() }, 20261201, 10_000);
    console.log(`patches: ${report(stats)}`);
    expect(stats.inputs).toBe(10_000);
    // Every stage is reached, and refuses: the mutations are not all caught at the first.
    for (const stage of ["parse", "apply", "plan"]) expect(Object.keys(stats.refusals).some((k) => k.startsWith(`${stage}:`)), stage).toBe(true);
    expect(stats.passed).toBeGreaterThan(200);
  });

  it("corrupted objects through diff and assemble: each assembles or is refused with a coded error", async () => {
    const cases: [string, Edit[]][] = [
      ["fs/proc/cmdline.o", [{ before: "seq_putc(m, '\\n');", after: "seq_putc(m, '!');" }]],
      ["fs/proc/consoles.o", [{ before: "if (off++ == *pos)", after: "if (off++ == *pos + 1)" }]],
    ];
    const objects: Compiled[] = [];
    for (const [object, edits] of cases) {
      const source = object.replace(/\.o$/, ".c");
      objects.push({ object, source, because: [source], ...(await compilePair(object, edits)) });
    }
    const stats = garbleObjects({ objects, vmlinux: parseVmlinuxSymbols(vmlinuxSymbolsJson()), layout: parseKlpLayout(klpLayoutJson()), exported: exportedSymbols() }, 20261201, 2_000);
    console.log(`objects: ${report(stats)}`);
    expect(stats.inputs).toBe(2_000);
    expect(Object.keys(stats.refusals).some((k) => k.startsWith("diff:malformed-object"))).toBe(true);
    expect(stats.passed).toBeGreaterThan(20);
  });
});
