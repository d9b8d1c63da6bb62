// `klp test DIR`: kpatch's integration tests (see src/common/klp-test/suite.ts
// for the layout) run against the emulated target: every patch built with
// the pipeline, loaded and unloaded with the same services as `klp apply`,
// its LOADED test run in the target's shell around each step.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { TARGET } from "../../common/machine/profiles.ts";
import type { BuildOutput } from "../../common/klp/pipeline.ts";
import { callTraceAfter, dmesgMarker, readSuite, type SuitePatch, type TestResult } from "../../common/klp-test/suite.ts";
import { bootMachine, type BootedMachine } from "../boot.ts";
import { buildPatch, moduleNameFor } from "./build.ts";
import { openCompiler, type BuilderKind } from "./compilers.ts";
import { loadKlpInputs } from "./inputs.ts";
import { TargetCrashError, unlessCrashed } from "./crash.ts";
import { loadLivepatch, unloadLivepatch } from "../../common/livepatch/load.ts";
import { formatFailure } from "./report.ts";

export interface TestRunOptions {
  dir: string;
  /** Targets booted at once (-j). */
  jobs: number;
  builder: BuilderKind;
  /** Per transition (load or unload), before the test gives up on it. */
  timeoutMs?: number;
  /** Progress lines (stderr). */
  log: (line: string) => void;
  /** Each result as soon as it is known. */
  onResult: (r: TestResult) => void;
}

interface Built {
  patch: SuitePatch | "combined";
  name: string;
  out: BuildOutput;
}

const SCRIPT_TIMEOUT_MS = 60_000;

export async function runSuite(options: TestRunOptions): Promise<TestResult[]> {
  const { dir, log } = options;
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch (e) {
    throw new Error(`cannot read the test directory ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const suite = readSuite(files);
  if (suite.patches.length === 0) throw new Error(`${dir}: no *.patch files (kpatch's layout: NAME.patch, NAME-FAIL.patch, NAME-LOADED.test, other *.test)`);
  const results: TestResult[] = [];
  const record = (r: TestResult): void => {
    results.push(r);
    options.onResult(r);
  };
  for (const t of suite.orphanTests) record({ name: `test ${t}`, passed: false, reason: `no ${t.replace(/-LOADED\.test$/, ".patch")} beside it: a LOADED test belongs to a patch`, ms: 0 });

  // Targets boot while the patches build.
  const pool = new TargetPool(Math.max(1, options.jobs), log);
  pool.warm();
  const built: Built[] = [];
  try {
    const open = await openCompiler(options.builder, loadKlpInputs().kbuild);
    try {
      for (const p of suite.patches) {
        const name = moduleNameFor(`test-${p.name}`);
        log(`build: ${p.name}`);
        const t0 = performance.now();
        const ms = (): number => Math.round(performance.now() - t0);
        try {
          const out = await buildPatch({ diffText: readFileSync(join(dir, p.file), "utf8"), name, compiler: open.compiler });
          if (p.mustFail) record({ name: `build ${p.name}`, passed: false, reason: `built ${out.changedFunctions.map((f) => f.name).join(", ")}, but a -FAIL patch must be refused`, ms: ms() });
          else {
            record({ name: `build ${p.name}`, passed: true, reason: `${out.changedFunctions.length} function${out.changedFunctions.length === 1 ? "" : "s"} (${out.changedFunctions.map((f) => f.name).join(", ")})`, ms: ms() });
            built.push({ patch: p, name, out });
          }
        } catch (e) {
          const why = formatFailure("build", e).replace(/^klp build: /, "");
          const [first, ...rest] = why.split("\n");
          record({ name: `build ${p.name}`, passed: p.mustFail, reason: p.mustFail ? `refused as it must be: ${first}` : first!, detail: rest.join("\n"), ms: ms() });
        }
      }
      const good = suite.patches.filter((p) => !p.mustFail);
      if (good.length > 1) {
        log(`build: combined (${good.map((p) => p.name).join(", ")})`);
        const t0 = performance.now();
        try {
          const diffText = good.map((p) => readFileSync(join(dir, p.file), "utf8")).join("\n");
          const out = await buildPatch({ diffText, name: "test_combined", compiler: open.compiler });
          record({ name: "build combined", passed: true, reason: `${good.length} patches, ${out.changedFunctions.length} functions`, ms: Math.round(performance.now() - t0) });
          built.push({ patch: "combined", name: "test_combined", out });
        } catch (e) {
          const [first, ...rest] = formatFailure("build", e).replace(/^klp build: /, "").split("\n");
          record({ name: "build combined", passed: false, reason: first!, detail: rest.join("\n"), ms: Math.round(performance.now() - t0) });
        }
      }
    } finally {
      await open.close();
    }

    const loadedTests = suite.patches.flatMap((p) => (p.loadedTest ? [p.loadedTest] : []));
    const jobs: { name: string; run: (t: BootedMachine) => Promise<string> }[] = [];
    for (const b of built) {
      const tests = b.patch === "combined" ? loadedTests : b.patch.loadedTest ? [b.patch.loadedTest] : [];
      jobs.push({ name: `load ${b.patch === "combined" ? "combined" : b.patch.name}`, run: (t) => loadTest(t, b, tests, dir, options.timeoutMs) });
    }
    for (const test of suite.customTests) {
      jobs.push({ name: `custom ${test}`, run: (t) => customTest(t, test, built, dir) });
    }
    await pool.run(jobs, record);
  } finally {
    await pool.close();
  }
  return results;
}

/** Runs a test script in the target's shell: copied in over 9p, run by busybox sh from /host. */
async function runScript(t: BootedMachine, dir: string, file: string): Promise<{ ok: boolean; output: string }> {
  await t.machine.putFile(file, readFileSync(join(dir, file)));
  const r = await t.machine.control.exec(`cd /host && sh ./${file}`, { timeoutMs: SCRIPT_TIMEOUT_MS });
  return { ok: r.exitCode === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

async function loadTest(t: BootedMachine, b: Built, tests: readonly string[], dir: string, timeoutMs?: number): Promise<string> {
  const expect = async (when: string, pass: boolean): Promise<void> => {
    for (const test of tests) {
      const r = await runScript(t, dir, test);
      if (r.ok !== pass) throw new StepFailure(`${test} ${r.ok ? "passed" : "failed"} ${when}${pass ? "" : " (it must fail without the patch)"}`, r.output);
    }
  };
  await expect("before the module was loaded", false);
  const marked = b.out.changedFunctions.filter((f) => f.forceUnsafe).map((f) => f.name);
  let loaded;
  try {
    loaded = await loadLivepatch(t.machine, b.name, b.out.module, { timeoutMs, ...(marked.length ? { forceUnsafe: { patched: b.out.changedFunctions.map((f) => f.name), marked } } : {}) });
  } catch (e) {
    const [first, ...rest] = formatFailure("test", e).replace(/^klp test: /, "").split("\n");
    throw new StepFailure(`load failed: ${first}`, rest.join("\n"));
  }
  await expect("while the module was loaded", true);
  try {
    await unloadLivepatch(t.machine, b.name, timeoutMs);
  } catch (e) {
    throw new StepFailure(`unload failed: ${(e as Error).message}`);
  }
  await expect("after the module was unloaded", false);
  const how = tests.length === 0 ? "loaded and unloaded (no LOADED test)" : `${tests.length === 1 ? tests[0] : `${tests.length} LOADED tests`} failed before loading, passed loaded, failed after unloading`;
  return `${how}; transition ${loaded.transitionMs} ms`;
}

async function customTest(t: BootedMachine, test: string, built: readonly Built[], dir: string): Promise<string> {
  // Its modules are at hand, as kpatch's custom tests find theirs: /host/<name>.ko.
  for (const b of built) await t.machine.putFile(`${b.name}.ko`, b.out.module);
  const r = await runScript(t, dir, test);
  if (!r.ok) throw new StepFailure(`${test} failed`, r.output);
  return `${test} passed`;
}

/** A test step that failed: the reason, and the output that shows why. */
class StepFailure extends Error {
  constructor(
    message: string,
    readonly detail = "",
  ) {
    super(message);
  }
}

/** N targets, each running one job at a time; a target whose kernel crashed is replaced. */
class TargetPool {
  private readonly idle: Promise<BootedMachine>[] = [];

  constructor(
    private readonly size: number,
    private readonly log: (line: string) => void,
  ) {}

  warm(): void {
    this.idle.push(this.boot());
  }

  private boot(): Promise<BootedMachine> {
    const p = bootMachine(TARGET, { snapshot: true });
    p.catch(() => undefined);
    return p;
  }

  async run(jobs: readonly { name: string; run: (t: BootedMachine) => Promise<string> }[], record: (r: TestResult) => void): Promise<void> {
    const queue = [...jobs];
    const lane = async (): Promise<void> => {
      while (queue.length > 0) {
        const job = queue.shift()!;
        const target = await (this.idle.shift() ?? this.boot());
        this.log(`${job.name}`);
        const { result, healthy } = await runJob(target, job);
        record(result);
        if (healthy) this.idle.push(Promise.resolve(target));
        else {
          this.log(`  the target crashed: booting a fresh one`);
          await target.machine.destroy().catch(() => undefined);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.size, jobs.length) }, lane));
  }

  async close(): Promise<void> {
    for (const t of this.idle.splice(0)) await (await t.catch(() => undefined))?.machine.destroy();
  }
}

async function runJob(t: BootedMachine, job: { name: string; run: (t: BootedMachine) => Promise<string> }): Promise<{ result: TestResult; healthy: boolean }> {
  const t0 = performance.now();
  const done = (passed: boolean, reason: string, detail?: string): TestResult => ({ name: job.name, passed, reason, ...(detail ? { detail } : {}), ms: Math.round(performance.now() - t0) });
  const marker = dmesgMarker(job.name);
  try {
    const reason = await unlessCrashed(t.machine, (async () => {
      await t.machine.control.exec(`echo '${marker}' > /dev/kmsg`);
      const reason = await job.run(t);
      await cleanUp(t);
      return reason;
    })());
    const log = await t.machine.control.exec("dmesg");
    const trace = callTraceAfter(log.stdout, marker);
    if (trace) return { result: done(false, `${reason}, but the kernel log shows a Call Trace`, trace), healthy: true };
    return { result: done(true, reason), healthy: true };
  } catch (e) {
    if (e instanceof TargetCrashError) return { result: done(false, e.message, e.trace().join("\n")), healthy: false };
    const detail = e instanceof StepFailure ? e.detail : undefined;
    // Leave the target as the next job expects it: no patch loaded.
    const healthy = await cleanUp(t).then(() => !t.machine.health.report, () => false);
    return { result: done(false, (e as Error).message, detail), healthy };
  }
}

/** Reverts every live patch still loaded (a failed step may leave one), newest first. */
async function cleanUp(t: BootedMachine): Promise<void> {
  // Patches are the directories there (the kernel also keeps `model` and `record` files).
  const r = await t.machine.control.exec("cd /sys/kernel/livepatch 2>/dev/null && for p in */; do [ -d \"$p\" ] && echo ${p%/}; done");
  for (const name of r.stdout.split(/\s+/).filter(Boolean).reverse()) await unloadLivepatch(t.machine, basename(name));
  // An atomic replace leaves the replaced patch's module loaded, disabled.
  await t.machine.control.exec("for m in $(grep -o '^test_[A-Za-z0-9_]*' /proc/modules); do rmmod $m; done; true");
}
