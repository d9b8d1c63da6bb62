// The text tools' worst cases, timed: what the unit tests once asserted
// against a wall clock (a loaded machine made those flaky; the tests keep
// what they check, the times live here).
import { applyPatch, makeDiff, parseDiff } from "../../common/patch/index.ts";
import { changedStructs } from "../../common/klp/struct-changes.ts";
import { loadKlpInputs } from "../klp/inputs.ts";

/**
 * Inputs built to make a careless parser take quadratic time or backtrack:
 * huge hunk counts, long lines, endless headers. parse-fuzz.test.ts checks
 * that each parses or throws DiffError; the bench times them.
 */
export const PATHOLOGICAL_DIFFS: readonly string[] = [
  `--- a/x\n+++ b/x\n@@ -1,999999999 +1,999999999 @@\n${" a\n".repeat(100_000)}`,
  `--- a/x${" ".repeat(100_000)}y\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n`,
  `diff --git ${"a ".repeat(50_000)}\nnew file mode 100644\n`,
  `--- a/x\n+++ b/x\n@@ -1,50000 +1,50000 @@\n${" a\n\\ No newline at end of file\n".repeat(50_000)}`,
  `${"@".repeat(100_000)}\n`,
  `${"--- a/x\n".repeat(50_000)}`,
  `${"-".repeat(200_000)}`,
];

export interface ParsersBench {
  /** makeDiff + parseDiff + applyPatch of a 5000-line file with every third line changed and the order reversed. */
  largeRewriteRoundTripMs: number;
  /** The slowest of PATHOLOGICAL_DIFFS through parseDiff. */
  pathologicalParseMaxMs: number;
  /** changedStructs over include/linux/sched.h against itself with tabs turned to spaces (no identical-text shortcut). */
  structScanSchedHMs: number;
}

function timed(run: () => void): number {
  const t0 = performance.now();
  run();
  return performance.now() - t0;
}

export function benchParsers(): ParsersBench {
  const numbered = Array.from({ length: 5000 }, (_, i) => `line ${i + 1}`);
  const a = `${numbered.join("\n")}\n`;
  const b = `${numbered.map((l, i) => (i % 3 === 0 ? `${l}!` : l)).reverse().join("\n")}\n`;
  const largeRewriteRoundTripMs = timed(() => {
    applyPatch(parseDiff(makeDiff("big.c", a, b)), (p) => (p === "big.c" ? a : undefined));
  });
  const pathologicalParseMaxMs = Math.max(
    ...PATHOLOGICAL_DIFFS.map((text) =>
      timed(() => {
        try {
          parseDiff(text);
        } catch {
          /* refusing it is as good as parsing it: only the time counts here */
        }
      }),
    ),
  );
  const sched = loadKlpInputs().readPristine("include/linux/sched.h") ?? "";
  const structScanSchedHMs = timed(() => changedStructs(sched, sched.replace(/\t/g, "  ") + "\n"));
  return { largeRewriteRoundTripMs, pathologicalParseMaxMs, structScanSchedHMs };
}
