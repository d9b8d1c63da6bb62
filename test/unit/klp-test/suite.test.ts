// klp test's pure parts: kpatch's directory layout, the results' text and
// JUnit XML, the kernel log check; and when KPATCH_FORCE_UNSAFE may force.
import { describe, expect, it } from "vitest";
import { callTraceAfter, dmesgMarker, formatResult, formatTally, junitXml, readSuite } from "../../../src/common/klp-test/suite.ts";
import { blockedOnlyByForced } from "../../../src/common/livepatch/force-unsafe.ts";
import type { LivepatchTask } from "../../../src/common/livepatch/state.ts";

describe("readSuite", () => {
  it("reads kpatch's layout: patches, -FAIL patches, LOADED tests, custom tests, orphans", () => {
    const s = readSuite(["syscall.patch", "syscall-LOADED.test", "warn-detect-FAIL.patch", "multiple.test", "data-new.patch", "gone-LOADED.test", "README"]);
    expect(s.patches).toEqual([
      { name: "data-new", file: "data-new.patch", mustFail: false },
      { name: "syscall", file: "syscall.patch", mustFail: false, loadedTest: "syscall-LOADED.test" },
      { name: "warn-detect-FAIL", file: "warn-detect-FAIL.patch", mustFail: true },
    ]);
    expect(s.customTests).toEqual(["multiple.test"]);
    expect(s.orphanTests).toEqual(["gone-LOADED.test"]);
  });
});

describe("results", () => {
  const results = [
    { name: "build a", passed: true, reason: "1 function (f)", ms: 1200 },
    { name: "load a", passed: false, reason: "a-LOADED.test passed before the module was loaded", detail: "out <&>", ms: 3000 },
  ];

  it("print one line each and the tally", () => {
    expect(results.map(formatResult)).toEqual(["PASS  build a: 1 function (f)", "FAIL  load a: a-LOADED.test passed before the module was loaded"]);
    expect(formatTally(results)).toBe("1 passed, 1 failed");
  });

  it("write JUnit XML, escaped", () => {
    const xml = junitXml("klp test t", results);
    expect(xml).toContain('<testsuite name="klp test t" tests="2" failures="1" errors="0" time="4.200">');
    expect(xml).toContain('<testcase classname="klp test t" name="load a" time="3.000">');
    expect(xml).toContain('<failure message="a-LOADED.test passed before the module was loaded">out &lt;&amp;&gt;</failure>');
  });
});

describe("callTraceAfter", () => {
  it("finds a Call Trace after this test's marker, not an earlier test's", () => {
    const marker = dmesgMarker("load b");
    const log = ["[1.0] WARNING: old", "[1.1] Call Trace:", `[2.0] ${dmesgMarker("load a")}`, `[3.0] ${marker}`, "[3.1] livepatch: enabling patch 'b'"].join("\n");
    expect(callTraceAfter(log, marker)).toBeUndefined();
    const trace = callTraceAfter(`${log}\n[4.0] WARNING: CPU: 0 PID: 1 at foo\n[4.1] Call Trace:\n[4.2]  bar+0x1/0x2`, marker);
    expect(trace).toContain("WARNING: CPU: 0 PID: 1 at foo");
    expect(trace).toContain("bar+0x1/0x2");
  });
});

describe("blockedOnlyByForced", () => {
  const task = (stack: string[]): LivepatchTask => ({ pid: 7, comm: "t", patchState: "unpatched", pending: true, stack });
  it("forces only when every blocking task holds nothing but marked functions", () => {
    const patched = ["do_wait", "cmdline_proc_show"];
    expect(blockedOnlyByForced([task(["[<0>] do_wait+0x1c/0x80", "[<0>] syscall+0x3/0x9"])], patched, ["do_wait"])).toBe(true);
    expect(blockedOnlyByForced([task(["[<0>] do_wait+0x1c/0x80", "[<0>] cmdline_proc_show+0x3/0x9"])], patched, ["do_wait"])).toBe(false);
    // Blocked for another reason (no patched function on its stack): forcing would not be what was asked.
    expect(blockedOnlyByForced([task(["[<0>] schedule+0x1/0x2"])], patched, ["do_wait"])).toBe(false);
    expect(blockedOnlyByForced([], patched, ["do_wait"])).toBe(false);
    // Every patched function marked: no stack can show a reason to wait.
    expect(blockedOnlyByForced([task(["[<0>] hrtimer_nanosleep+0xb0/0xf4"])], patched, patched)).toBe(true);
  });
});
