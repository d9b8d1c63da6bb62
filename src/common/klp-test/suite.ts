// kpatch's integration-test layout (test/integration/<kernel>/ read by its
// kpatch-test script), as data: which patches must build, which must fail,
// which scripts test a loaded patch, which run on their own; and the results
// as a person and a CI read them. Pure: the runner (src/node/klp/test-runner.ts)
// does the building and loading.

export interface SuitePatch {
  /** The file name without .patch ("data-new", "warn-detect-FAIL"). */
  name: string;
  file: string;
  /** NAME-FAIL.patch: the build must refuse it. */
  mustFail: boolean;
  /** NAME-LOADED.test: fails before the module loads, passes while it is loaded, fails after unload. */
  loadedTest?: string;
}

export interface Suite {
  patches: SuitePatch[];
  /** *.test files that are not NAME-LOADED.test: run on their own after the builds. */
  customTests: string[];
  /** LOADED tests with no NAME.patch beside them: reported, not silently skipped. */
  orphanTests: string[];
}

/** The suite in a directory's file names (no paths). */
export function readSuite(files: readonly string[]): Suite {
  const sorted = [...files].sort();
  const patches: SuitePatch[] = sorted
    .filter((f) => f.endsWith(".patch"))
    .map((file) => {
      const name = file.slice(0, -".patch".length);
      const loaded = `${name}-LOADED.test`;
      return { name, file, mustFail: name.endsWith("-FAIL"), ...(sorted.includes(loaded) ? { loadedTest: loaded } : {}) };
    });
  const tests = sorted.filter((f) => f.endsWith(".test"));
  const owned = new Set(patches.flatMap((p) => (p.loadedTest ? [p.loadedTest] : [])));
  return {
    patches,
    customTests: tests.filter((t) => !t.endsWith("-LOADED.test") && !t.endsWith("-FAIL.test")),
    orphanTests: tests.filter((t) => t.endsWith("-LOADED.test") && !owned.has(t)),
  };
}

export interface TestResult {
  /** "build data-new", "load data-new", "build combined", "custom multiple.test", … */
  name: string;
  passed: boolean;
  /** Why it passed or failed, one line. */
  reason: string;
  /** More: the build's detail, a test's output, the kernel's trace. */
  detail?: string;
  ms: number;
}

export function formatResult(r: TestResult): string {
  return `${r.passed ? "PASS" : "FAIL"}  ${r.name}: ${r.reason}`;
}

export function formatTally(results: readonly TestResult[]): string {
  const passed = results.filter((r) => r.passed).length;
  return `${passed} passed, ${results.length - passed} failed`;
}

const xml = (s: string): string =>
  // XML 1.0 has no escape for most control characters: drop them.
  s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** JUnit XML, as CI systems read it: one testsuite, a testcase per result. */
export function junitXml(suiteName: string, results: readonly TestResult[]): string {
  const failures = results.filter((r) => !r.passed).length;
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  const total = results.reduce((sum, r) => sum + r.ms, 0);
  const cases = results.map((r) => {
    const open = `  <testcase classname="${xml(suiteName)}" name="${xml(r.name)}" time="${seconds(r.ms)}"`;
    if (r.passed) return `${open}>\n    <system-out>${xml(r.reason)}</system-out>\n  </testcase>`;
    return `${open}>\n    <failure message="${xml(r.reason)}">${xml(r.detail ?? r.reason)}</failure>\n  </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite name="${xml(suiteName)}" tests="${results.length}" failures="${failures}" errors="0" time="${seconds(total)}">`,
    ...cases,
    "</testsuite>",
    "",
  ].join("\n");
}

/** A marker written to the kernel log before each test, so its own messages can be told apart. */
export function dmesgMarker(test: string): string {
  return `klp-test: start ${test.replace(/[^A-Za-z0-9_.-]+/g, "_")}`;
}

/** The first `Call Trace` in the kernel log after `marker`, with the lines before it that explain it. */
export function callTraceAfter(dmesg: string, marker: string): string | undefined {
  const lines = dmesg.split("\n");
  let start = -1;
  lines.forEach((l, i) => {
    if (l.includes(marker)) start = i;
  });
  const mine = start < 0 ? lines : lines.slice(start + 1);
  const at = mine.findIndex((l) => l.includes("Call Trace"));
  if (at < 0) return undefined;
  return mine.slice(Math.max(0, at - 6), at + 12).join("\n");
}
