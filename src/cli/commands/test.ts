import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { formatResult, formatTally, junitXml } from "../../common/klp-test/suite.ts";
import { runSuite } from "../../node/klp/test-runner.ts";
import { CliUsageError, parseOptions, type Command } from "../command.ts";
import { builderOption } from "../builder-option.ts";

const HELP = `usage: klp test DIR [-j N] [--junit FILE] [--builder vm|native] [--timeout SECONDS]

Runs a directory laid out like kpatch's test/integration/<kernel>/:
  NAME.patch         must build, load and unload
  NAME-FAIL.patch    must fail to build
  NAME-LOADED.test   a shell script run in the target (busybox sh, from /host):
                     must fail before NAME's module loads, pass while it is
                     loaded, and fail again after it is unloaded
  other *.test       run after the builds in a target with no patch loaded;
                     every built module is at /host/test_NAME.ko
Every non-FAIL patch is also built into one combined module (test_combined),
whose LOADED tests must pass too; no test may leave a Call Trace in dmesg.

Prints one line per test (PASS/FAIL and the reason), then 'N passed, N
failed'; exits 1 when any test failed.

Options:
  -j N                 run N targets at once (default 1; each is a 128 MB guest)
  --junit FILE         also write the results as JUnit XML, for CI
  --builder vm|native  compile in the build-host VM or natively (default)
  --timeout SECONDS    per load or unload transition (default 60)`;

export const testCommand: Command = {
  name: "test",
  usage: "test DIR [-j N] [--junit FILE]",
  summary: "run kpatch-style integration tests (build, load, LOADED tests)",
  help: HELP,
  async run(rawArgs) {
    const args = rawArgs.flatMap((a) => (a === "-j" ? ["--jobs"] : /^-j\d+$/.test(a) ? ["--jobs", a.slice(2)] : [a]));
    const { options, positional } = parseOptions(args, { jobs: "string", junit: "string", builder: "string", timeout: "string" });
    if (positional.length !== 1) throw new CliUsageError("give one test DIR");
    const jobs = options.jobs === undefined ? 1 : Number(options.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new CliUsageError("-j needs a whole number of targets, 1 or more");
    const timeoutMs = options.timeout === undefined ? 60_000 : Number(options.timeout) * 1000;
    if (!(timeoutMs > 0)) throw new CliUsageError("--timeout needs a positive number of seconds");
    const builder = builderOption(options.builder);
    const dir = positional[0]!;
    const results = await runSuite({
      dir,
      jobs,
      builder,
      timeoutMs,
      log: (line) => void process.stderr.write(`${line}\n`),
      onResult: (r) => {
        console.log(formatResult(r));
        if (!r.passed && r.detail) console.log(r.detail.split("\n").map((l) => `      ${l}`).join("\n"));
      },
    });
    console.log(formatTally(results));
    if (typeof options.junit === "string") writeFileSync(options.junit, junitXml(`klp test ${resolve(dir).replace(/^.*\//, "")}`, results));
    return results.every((r) => r.passed) ? 0 : 1;
  },
};
