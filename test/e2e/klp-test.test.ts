// `klp test` on a kpatch-style directory, and `klp apply` of patches written
// with kpatch's and klp-build's macros: built, loaded into the target resumed
// from its snapshot, checked in its shell, unloaded.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_DIR } from "../../src/node/images/store.ts";
import { makeDiff } from "../../src/common/patch/index.ts";
import { loadKlpInputs } from "../../src/node/klp/index.ts";
import { klp } from "./klp-cli.ts";

const EXAMPLES = join(REPO_DIR, "examples/kpatch-tests");

describe("klp apply with their macros", () => {
  it("KPATCH_SYSCALL_DEFINE1 (kpatch's own syscall test, on i386): uname -s ends in .kpatch", async () => {
    const r = await klp(["apply", join(EXAMPLES, "uname-syscall.patch"), "--exec", "uname -s"]);
    expect(r.stderr).toContain("__ia32_sys_newuname");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("Linux.kpatch");
  }, 300_000);

  it("KLP_POST_PATCH_CALLBACK (livepatch_helpers.h): the callback ran before the check", async () => {
    const r = await klp(["apply", join(EXAMPLES, "version-callbacks.patch"), "--exec", "cat /proc/version; dmesg | grep -c 'version-callbacks: post-patch callback ran'"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("(klp callbacks ran)");
    expect(r.stdout.trim().split("\n").pop()).toBe("1");
  }, 300_000);
});

/** A patch whose only change to fs/proc/cmdline.c is a kpatch pre-patch callback. */
function callbacksOnlyPatch(): string {
  const path = "fs/proc/cmdline.c";
  const old = loadKlpInputs().readPristine(path)!;
  const text = old.replace(
    "static int __init proc_cmdline_init(void)",
    '#include "kpatch-macros.h"\n\nstatic int klp_pre(patch_object *obj)\n{\n\tpr_info("callbacks-only: pre-patch\\n");\n\treturn 0;\n}\nKPATCH_PRE_PATCH_CALLBACK(klp_pre);\n\nstatic int __init proc_cmdline_init(void)',
  );
  return makeDiff(path, old, text);
}

describe("callbacks are a change", () => {
  it("a patch that only adds callbacks builds and runs them; in a patch of two files they are not dropped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "klp-callbacks-"));
    writeFileSync(join(dir, "only.patch"), callbacksOnlyPatch());
    const only = await klp(["apply", join(dir, "only.patch"), "--exec", "dmesg | grep -c 'callbacks-only: pre-patch'"]);
    expect(only.code, only.stderr).toBe(0);
    expect(only.stdout.trim()).toBe("1");
    writeFileSync(join(dir, "two.patch"), `${callbacksOnlyPatch()}${readFileSync(join(EXAMPLES, "uname-syscall.patch"), "utf8")}`);
    const two = await klp(["apply", join(dir, "two.patch"), "--exec", "uname -s; dmesg | grep -c 'callbacks-only: pre-patch'"]);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout.trim().split("\n")).toEqual(["Linux.kpatch", "1"]);
  }, 300_000);
});

describe("KPATCH_PRINTK_DEFERRED", () => {
  it("prints through printk_deferred, which vmlinux does not export (a .klp.rela entry)", async () => {
    const path = "fs/proc/cmdline.c";
    const old = loadKlpInputs().readPristine(path)!;
    const text = old
      .replace("#include \"internal.h\"\n", '#include "internal.h"\n#include "kpatch-macros.h"\n')
      .replace("\tseq_putc(m, '\\n');\n", "\tseq_putc(m, '\\n');\n\tKPATCH_PRINTK_DEFERRED(KERN_INFO \"deferred-test: cmdline read\\n\");\n");
    const dir = mkdtempSync(join(tmpdir(), "klp-deferred-"));
    writeFileSync(join(dir, "deferred.patch"), makeDiff(path, old, text));
    const r = await klp(["apply", join(dir, "deferred.patch"), "--exec", "cat /proc/cmdline >/dev/null; sleep 1; dmesg | grep -c 'deferred-test: cmdline read'"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("1");
  }, 300_000);
});

describe("klp test", () => {
  it("passes the example suite: builds, the -FAIL refusal, LOADED tests around load and unload, the combined module, a custom test", async () => {
    const junit = join(mkdtempSync(join(tmpdir(), "klp-test-")), "results.xml");
    const r = await klp(["test", EXAMPLES, "--junit", junit]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const lines = r.stdout.trim().split("\n");
    for (const name of ["build cmdline-banner", "build overflowuid-data-FAIL", "build uname-syscall", "build version-callbacks", "build combined", "load cmdline-banner", "load uname-syscall", "load version-callbacks", "load combined", "custom by-hand.test"]) {
      expect(lines.some((l) => l.startsWith(`PASS  ${name}:`)), name).toBe(true);
    }
    expect(lines.at(-1)).toBe("10 passed, 0 failed");
    const xml = readFileSync(junit, "utf8");
    expect(xml).toMatch(/<testsuite name="klp test kpatch-tests" tests="10" failures="0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(10);
  }, 600_000);

  it("fails what must fail, with the reason, on two targets at once (-j 2)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "klp-test-bad-"));
    copyFileSync(join(EXAMPLES, "cmdline-banner.patch"), join(dir, "cmdline-banner.patch"));
    // Passes whether or not the patch is loaded: not a LOADED test.
    writeFileSync(join(dir, "cmdline-banner-LOADED.test"), "#!/bin/sh\ntrue\n");
    // Builds fine, so a -FAIL patch of it fails.
    copyFileSync(join(EXAMPLES, "uname-syscall.patch"), join(dir, "uname-syscall-FAIL.patch"));
    writeFileSync(join(dir, "broken.test"), "#!/bin/sh\necho 'no such thing' >&2\nexit 3\n");
    writeFileSync(join(dir, "lonely-LOADED.test"), "#!/bin/sh\ntrue\n");
    const junit = join(dir, "results.xml");
    const r = await klp(["test", dir, "-j", "2", "--junit", junit]);
    expect(r.code).toBe(1);
    const lines = r.stdout.split("\n");
    const line = (name: string): string => lines.find((l) => l.includes(`  ${name}:`)) ?? "";
    expect(line("build cmdline-banner")).toMatch(/^PASS/);
    expect(line("build uname-syscall-FAIL")).toMatch(/^FAIL .*a -FAIL patch must be refused/);
    expect(line("load cmdline-banner")).toMatch(/^FAIL .*cmdline-banner-LOADED\.test passed before the module was loaded/);
    expect(line("custom broken.test")).toMatch(/^FAIL .*broken\.test failed/);
    expect(r.stdout).toContain("no such thing");
    expect(line("test lonely-LOADED.test")).toMatch(/^FAIL .*no lonely\.patch beside it/);
    expect(lines.filter(Boolean).at(-1)).toBe("1 passed, 4 failed");
    expect(readFileSync(junit, "utf8")).toMatch(/tests="5" failures="4"/);
  }, 600_000);
});
