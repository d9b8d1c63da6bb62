// klp-build end to end: unified diffs against our kernel go through the
// whole pipeline (parse, apply, plan, compile, diff, assemble) and, through
// `klp apply`, into the target resumed from its snapshot, where a check
// command shows the new behaviour. The refusals run the pipeline alone and
// assert the message a person would read.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeDiff } from "../../src/common/patch/index.ts";
import { KlpBuildError, type BuildOutput } from "../../src/common/klp/pipeline.ts";
import { buildPatch, loadKlpInputs } from "../../src/node/klp/index.ts";
import { NativeBuildHost } from "../../src/node/toolchain/native-build-host.ts";
import { klp } from "./klp-cli.ts";

/** One text edit of a pristine kernel file: `before` must occur exactly once. */
interface Edit {
  before: string;
  after: string;
}

function pristine(path: string): string {
  const text = loadKlpInputs().readPristine(path);
  if (text === undefined) throw new Error(`${path} is not in the toolchain image`);
  return text;
}

/** A unified diff (as `diff -u` writes it) of `edits` applied to a pristine kernel file. */
function patchOf(path: string, ...edits: Edit[]): string {
  const old = pristine(path);
  let text = old;
  for (const e of edits) {
    const at = text.indexOf(e.before);
    if (at < 0 || text.indexOf(e.before, at + 1) >= 0) throw new Error(`${path}: context must occur exactly once: ${e.before}`);
    text = text.slice(0, at) + e.after + text.slice(at + e.before.length);
  }
  return makeDiff(path, old, text);
}

// Written by hand, as a person would: `git diff` shape, tabs in the context.
const CMDLINE_PATCH = [
  "diff --git a/fs/proc/cmdline.c b/fs/proc/cmdline.c",
  "--- a/fs/proc/cmdline.c",
  "+++ b/fs/proc/cmdline.c",
  "@@ -7,7 +7,7 @@",
  " ",
  " static int cmdline_proc_show(struct seq_file *m, void *v)",
  " {",
  "-\tseq_puts(m, saved_command_line);",
  '+\tseq_printf(m, "%s klp=on", saved_command_line);',
  " \tseq_putc(m, '\\n');",
  " \treturn 0;",
  " }",
  "",
].join("\n");

const cmdlineSuffix = (suffix: string): string => patchOf("fs/proc/cmdline.c", { before: "\tseq_puts(m, saved_command_line);", after: `\tseq_printf(m, "%s ${suffix}", saved_command_line);` });

const dir = mkdtempSync(join(tmpdir(), "klp-apply-"));

// The loaded patches: the directories of /sys/kernel/livepatch (it also holds
// the kernel's `model` and `record` files).
const LIST_PATCHES = "cd /sys/kernel/livepatch && for p in */; do echo ${p%/}; done";
function patchFile(name: string, text: string): string {
  const path = join(dir, `${name}.patch`);
  writeFileSync(path, text);
  return path;
}

interface ApplyJson {
  stages: { patch: string; name: string; ms: number }[];
  changedFunctions: { name: string; reason: string }[];
  newFunctions: string[];
  transitionMs: number;
  exec: { stdout: string; stderr: string; exitCode: number } | null;
  error?: { stage: string; message: string };
}

async function apply(patches: Record<string, string>, exec: string, extra: string[] = []): Promise<ApplyJson> {
  const files = Object.entries(patches).map(([name, text]) => patchFile(name, text));
  const r = await klp(["apply", ...files, "--json", "--exec", exec, ...extra]);
  let json: ApplyJson;
  try {
    json = JSON.parse(r.stdout) as ApplyJson;
  } catch {
    throw new Error(`klp apply printed no JSON (exit ${r.code})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  if (json.error) throw new Error(`klp apply failed: ${r.stderr}`);
  expect(r.code).toBe(json.exec?.exitCode);
  expect(json.stages.map((s) => s.name).slice(0, 6)).toEqual(["parse", "apply", "plan", "compile", "diff", "assemble"]);
  return json;
}

describe("klp apply: patches built and loaded into the target", () => {
  it("a changed string in /proc/cmdline (hand-written git diff)", async () => {
    const r = await apply({ cmdline: CMDLINE_PATCH }, "cat /proc/cmdline");
    expect(r.exec!.stdout).toMatch(/ klp=on\n$/);
    expect(r.exec!.stdout).toMatch(/^console=ttyS0/);
    expect(r.changedFunctions.map((f) => f.name)).toEqual(["cmdline_proc_show"]);
    expect(r.transitionMs).toBeGreaterThanOrEqual(0);
  });

  it("a new global printed in /proc/meminfo", async () => {
    const patch = patchOf("fs/proc/meminfo.c", {
      before: "\thugetlb_report_meminfo(m);\n",
      after: '\tseq_printf(m, "KlpReads:       %8d\\n", ++klp_meminfo_reads);\n\thugetlb_report_meminfo(m);\n',
    }, {
      before: "static int meminfo_proc_show(struct seq_file *m, void *v)\n",
      after: "int klp_meminfo_reads;\n\nstatic int meminfo_proc_show(struct seq_file *m, void *v)\n",
    });
    const r = await apply({ meminfo: patch }, "grep Klp /proc/meminfo; grep Klp /proc/meminfo; grep -c MemTotal /proc/meminfo");
    expect(r.exec!.stdout).toBe("KlpReads:              1\nKlpReads:              2\n1\n");
    expect(r.changedFunctions.map((f) => f.name)).toEqual(["meminfo_proc_show"]);
  });

  it("a changed syscall: uname's release (the notrace __do_sys_newuname is patched through its traceable caller)", async () => {
    const patch = patchOf("kernel/sys.c", {
      before: "\tmemcpy(&tmp, utsname(), sizeof(tmp));\n\tup_read(&uts_sem);\n\tif (copy_to_user(name, &tmp, sizeof(tmp)))\n\t\treturn -EFAULT;\n\n\tif (override_release(name->release, sizeof(name->release)))\n\t\treturn -EFAULT;\n\tif (override_architecture(name))\n\t\treturn -EFAULT;\n\treturn 0;\n}\n\n#ifdef __ARCH_WANT_SYS_OLD_UNAME",
      after: "\tmemcpy(&tmp, utsname(), sizeof(tmp));\n\tup_read(&uts_sem);\n\tstrlcat(tmp.release, \"-klp\", sizeof(tmp.release));\n\tif (copy_to_user(name, &tmp, sizeof(tmp)))\n\t\treturn -EFAULT;\n\n\tif (override_release(name->release, sizeof(name->release)))\n\t\treturn -EFAULT;\n\tif (override_architecture(name))\n\t\treturn -EFAULT;\n\treturn 0;\n}\n\n#ifdef __ARCH_WANT_SYS_OLD_UNAME",
    });
    const r = await apply({ uname: patch }, "uname -r");
    expect(r.exec!.stdout).toMatch(/^6\.12\.\d+-klp\n$/);
    expect(r.changedFunctions.length).toBeGreaterThan(0);
  });

  it("a new helper function", async () => {
    const patch = patchOf("fs/proc/version.c", {
      before: "static int version_proc_show(struct seq_file *m, void *v)\n{\n",
      after: 'static noinline void klp_banner(struct seq_file *m)\n{\n\tseq_puts(m, "[klp] ");\n}\n\nstatic int version_proc_show(struct seq_file *m, void *v)\n{\n\tklp_banner(m);\n',
    });
    const r = await apply({ helper: patch }, "cat /proc/version");
    expect(r.exec!.stdout).toMatch(/^\[klp\] Linux version 6\.12/);
    expect(r.newFunctions).toEqual(["klp_banner"]);
    expect(r.changedFunctions.map((f) => f.name)).toEqual(["version_proc_show"]);
  });

  it("a new global function in one file (nothing else in it changes), called from another file's changed function", async () => {
    const helper = patchOf("fs/proc/meminfo.c", {
      before: "static int meminfo_proc_show(struct seq_file *m, void *v)\n",
      after: "int klp_new_helper(void)\n{\n\tstatic int calls;\n\n\treturn 100 + ++calls;\n}\n\nstatic int meminfo_proc_show(struct seq_file *m, void *v)\n",
    });
    const caller = patchOf("fs/proc/version.c", {
      before: "static int version_proc_show(struct seq_file *m, void *v)\n{\n",
      after: 'extern int klp_new_helper(void);\n\nstatic int version_proc_show(struct seq_file *m, void *v)\n{\n\tseq_printf(m, "[%d] ", klp_new_helper());\n',
    });
    const r = await apply({ new_global: helper + caller }, "cut -d' ' -f1 /proc/version; cut -d' ' -f1 /proc/version; grep -c MemTotal /proc/meminfo");
    expect(r.exec!.stdout).toBe("[101]\n[102]\n1\n");
    expect(r.changedFunctions.map((f) => f.name)).toEqual(["version_proc_show"]);
    expect(r.newFunctions).toContain("klp_new_helper");
  });

  it("a static local counter", async () => {
    const patch = patchOf("fs/proc/uptime.c", {
      before: "\tint i;\n\n\tidle_nsec = 0;",
      after: "\tint i;\n\tstatic int klp_calls;\n\n\tseq_printf(m, \"#%d \", ++klp_calls);\n\tidle_nsec = 0;",
    });
    const r = await apply({ counter: patch }, "cat /proc/uptime; cat /proc/uptime; cat /proc/uptime");
    expect(r.exec!.stdout.split("\n").map((l) => l.split(" ")[0])).toEqual(["#1", "#2", "#3", ""]);
  });

  it("a shadow variable (klp_shadow_* API): a per-process count of /proc/version reads", async () => {
    const patch = patchOf(
      "fs/proc/version.c",
      { before: '#include "internal.h"\n', after: '#include <linux/livepatch.h>\n#include <linux/sched.h>\n#include "internal.h"\n\n#define KLP_READS_ID 0x6b6c7001\n' },
      {
        before: "static int version_proc_show(struct seq_file *m, void *v)\n{\n",
        after: "static int version_proc_show(struct seq_file *m, void *v)\n{\n\tint *reads = klp_shadow_get_or_alloc(current, KLP_READS_ID, sizeof(*reads), GFP_KERNEL, NULL, NULL);\n\n\tif (reads)\n\t\tseq_printf(m, \"(%d) \", ++*reads);\n",
      },
    );
    // The same shell reads twice (builtin read, no fork): its count goes up; a new process starts at 1.
    const r = await apply({ shadow: patch }, 'sh -c \'read a < /proc/version; read b < /proc/version; echo "${a%% *} ${b%% *}"\'; cut -d" " -f1 /proc/version');
    expect(r.exec!.stdout).toBe("(1) (2)\n(1)\n");
  });

  it("a shadow variable across several files: set in fork, freed in exit, shown in /proc/<pid>/status", async () => {
    const id = "#define KLP_FORK_ID 0x6b6c7002\n";
    const uses = (after: string) => `${after}#include <linux/livepatch.h>\n\n${id}extern atomic_t klp_fork_live;\n`;
    const fork = patchOf(
      "kernel/fork.c",
      {
        before: "#include <linux/sched/autogroup.h>\n",
        after: `#include <linux/sched/autogroup.h>\n#include <linux/livepatch.h>\n\n${id}\n/* Processes forked since the patch that are still alive. */\natomic_t klp_fork_live = ATOMIC_INIT(0);\nstatic atomic_t klp_fork_seq = ATOMIC_INIT(0);\n`,
      },
      {
        before: "\twake_up_new_task(p);\n\n\t/* forking complete",
        after:
          "\t{\n\t\tint *seq = klp_shadow_alloc(p, KLP_FORK_ID, sizeof(*seq), GFP_KERNEL, NULL, NULL);\n\n\t\tif (seq) {\n\t\t\t*seq = atomic_inc_return(&klp_fork_seq);\n\t\t\tatomic_inc(&klp_fork_live);\n\t\t}\n\t}\n\twake_up_new_task(p);\n\n\t/* forking complete",
      },
    );
    const exit = patchOf(
      "kernel/exit.c",
      { before: "#include <linux/slab.h>\n", after: uses("#include <linux/slab.h>\n") },
      {
        before: "\tWARN_ON(irqs_disabled());\n\n\tsynchronize_group_exit(tsk, code);",
        after: "\tWARN_ON(irqs_disabled());\n\n\tif (klp_shadow_get(tsk, KLP_FORK_ID)) {\n\t\tklp_shadow_free(tsk, KLP_FORK_ID, NULL);\n\t\tatomic_dec(&klp_fork_live);\n\t}\n\tsynchronize_group_exit(tsk, code);",
      },
    );
    const status = patchOf(
      "fs/proc/array.c",
      { before: '#include "internal.h"\n', after: uses('#include "internal.h"\n') },
      {
        before: "\tarch_proc_pid_thread_features(m, task);\n\treturn 0;",
        after: '\tarch_proc_pid_thread_features(m, task);\n\t{\n\t\tint *seq = klp_shadow_get(task, KLP_FORK_ID);\n\n\t\tif (seq)\n\t\t\tseq_printf(m, "KlpFork:\\t%d %d\\n", *seq, atomic_read(&klp_fork_live));\n\t}\n\treturn 0;',
      },
    );
    // Two processes forked one after the other: consecutive numbers, and the
    // same count of live ones (the first grep's shadow was freed when it
    // exited). init was forked before the patch: it has none.
    const r = await apply({ fork_shadow: fork + exit + status }, "grep Klp /proc/self/status; grep Klp /proc/self/status; grep -c Klp /proc/1/status");
    expect(r.changedFunctions.map((f) => f.name).sort()).toEqual(["do_exit", "kernel_clone", "proc_pid_status"]);
    const lines = r.exec!.stdout.split("\n");
    const [first, second] = lines.slice(0, 2).map((l) => /^KlpFork:\t(\d+) (\d+)$/.exec(l)?.slice(1).map(Number));
    expect(first, r.exec!.stdout).toBeDefined();
    expect(second![0]).toBe(first![0]! + 1);
    expect(second![1]).toBe(first![1]);
    expect(lines[2]).toBe("0");
  });

  it("atomic replace: patch B replaces patch A", async () => {
    const r = await apply({ replace_a: cmdlineSuffix("A"), replace_b: cmdlineSuffix("B") }, `${LIST_PATCHES}; cat /proc/cmdline`);
    const [patches, cmdline] = r.exec!.stdout.split("\n");
    expect(patches).toBe("replace_b");
    expect(cmdline).toMatch(/ B$/);
  });

  it("--no-replace keeps both patches (the later one wins for the same function)", async () => {
    const r = await apply({ keep_a: cmdlineSuffix("A"), keep_b: cmdlineSuffix("B") }, `echo $(${LIST_PATCHES}); cat /proc/cmdline`, ["--no-replace"]);
    const [patches, cmdline] = r.exec!.stdout.split("\n");
    expect(patches).toBe("keep_a keep_b");
    expect(cmdline).toMatch(/ B$/);
  });

  it("exit status and output are the command's", async () => {
    const file = patchFile("status", CMDLINE_PATCH);
    const r = await klp(["apply", file, "--exec", "cat /proc/cmdline; exit 3"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/ klp=on\n$/);
    expect(r.stderr).toMatch(/^ {2}compile +\d+ ms/m);
    expect(r.stderr).toMatch(/changed +cmdline_proc_show/);
  });

  it("a transition that cannot finish: the blocking task is reported with its stack", async () => {
    // kthreadd sleeps inside kthreadd() forever (until someone creates a kthread): it cannot switch.
    const patch = patchOf("kernel/kthread.c", { before: 'set_task_comm(tsk, "kthreadd");', after: 'set_task_comm(tsk, "kthreadd!");' });
    const r = await klp(["apply", patchFile("stall", patch), "--exec", "true", "--stall", "1", "--timeout", "4"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/transition of stall stalled; blocking tasks:\n {2}pid 2 \(kthreadd\)\n {6}.*kthreadd\+0x/);
    expect(r.stderr).toMatch(/klp apply: stall: the transition did not finish in 4 s; these tasks still run the old code:\n {4} {2}pid 2 \(kthreadd\)/);
  });

  it("a patch that oopses: klp apply stops at once with the kernel's report and the trace", async () => {
    const patch = patchOf("fs/proc/loadavg.c", {
      before: "\tget_avenrun(avnrun, FIXED_1/200, 0);\n",
      after: "\tget_avenrun(avnrun, FIXED_1/200, 0);\n\t*(volatile int *)m->private = 1; /* NULL for this file */\n",
    });
    const r = await klp(["apply", patchFile("oops", patch), "--exec", "cat /proc/loadavg; echo after=$?"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^klp apply: the target's kernel reported a BUG: .*BUG: kernel NULL pointer dereference/m);
    expect(r.stderr).toMatch(/^ {4}.*EIP: loadavg_proc_show\+0x[0-9a-f]+\/0x[0-9a-f]+ \[oops\]/m);
  });

  it("with the build host in v86 (the browser's path)", async () => {
    const r = await apply({ cmdline_vm: cmdlineSuffix("vm") }, "cat /proc/cmdline", ["--builder", "vm"]);
    expect(r.exec!.stdout).toMatch(/ vm\n$/);
  }, 600_000);
});

describe("klp build", () => {
  it("writes the module and reports the stages as JSON", async () => {
    const out = join(dir, "cmdline_cli.ko");
    const r = await klp(["build", patchFile("cli", CMDLINE_PATCH), "-o", out, "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { name: string; stages: { name: string }[]; changedFunctions: { name: string }[]; bytes: number };
    expect(json.name).toBe("cmdline_cli");
    expect(json.stages.map((s) => s.name)).toEqual(["parse", "apply", "plan", "compile", "diff", "assemble"]);
    expect(json.changedFunctions.map((f) => f.name)).toEqual(["cmdline_proc_show"]);
    expect(readFileSync(out).length).toBe(json.bytes);
    expect([...readFileSync(out).subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
  });

  it("--trace prints the differ's decisions on stderr, one line each", async () => {
    const r = await klp(["build", patchFile("trace_cli", CMDLINE_PATCH), "-o", join(dir, "trace.ko"), "--trace"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^trace: fs\/proc\/cmdline\.o: correlated `cmdline_proc_show` with `cmdline_proc_show`/m);
    expect(r.stderr).toMatch(/^trace: fs\/proc\/cmdline\.o: `cmdline_proc_show` patched \(redirected by ftrace\)/m);
  });

  it("exits non-zero with a one-line reason on no functional change", async () => {
    const comment = patchOf("fs/proc/cmdline.c", { before: "\tseq_putc(m, '\\n');", after: "\tseq_putc(m, '\\n'); /* the newline */" });
    const r = await klp(["build", patchFile("comment_cli", comment), "-o", join(dir, "comment.ko")]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toMatch(/^klp build: diff: no functional change/);
    expect(r.stderr).toMatch(/^ {4}code: no-change$/m);
    const json = await klp(["build", patchFile("comment_cli", comment), "-o", join(dir, "comment.ko"), "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error).toMatchObject({ stage: "diff", kind: "no-change", code: "no-change", location: { file: "fs/proc/cmdline.c" } });
  });
});

describe("refusals, each with its own message", () => {
  let compiler: NativeBuildHost;
  beforeAll(() => {
    compiler = new NativeBuildHost(loadKlpInputs().kbuild);
  });

  async function refusal(diffText: string): Promise<KlpBuildError> {
    let out: BuildOutput | undefined;
    try {
      out = await buildPatch({ diffText, name: "klp_refused", compiler });
    } catch (e) {
      expect(e).toBeInstanceOf(KlpBuildError);
      return e as KlpBuildError;
    }
    throw new Error(`expected a refusal, got a module patching ${out.changedFunctions.map((f) => f.name).join(", ")}`);
  }

  it("a changed static inline in a header: every includer recompiled, the one that changed is patched", async () => {
    const patch = patchOf("fs/proc/internal.h", {
      before: "static inline bool pde_has_proc_lseek(const struct proc_dir_entry *pde)\n{\n\treturn pde->flags & PROC_ENTRY_proc_lseek;",
      after: "static inline bool pde_has_proc_lseek(const struct proc_dir_entry *pde)\n{\n\treturn (pde->flags & PROC_ENTRY_proc_lseek) && pde->proc_ops;",
    });
    const out = await buildPatch({ diffText: patch, name: "klp_header", compiler });
    expect(out.objects).toEqual(["fs/proc/inode.o"]);
    expect(out.notes).toContainEqual(expect.stringMatching(/^fs\/proc\/internal\.h: \d+ objects of vmlinux include it/));
    expect(out.stages.find((s) => s.name === "plan")?.detail).toMatch(/fs\/proc\/cmdline\.o/);
  });

  it("GCC's warnings come back with the build, at the user's file, line and diff line", async () => {
    const progress: string[] = [];
    const out = await buildPatch({
      diffText: CMDLINE_PATCH.replace('+\tseq_printf(m, "%s klp=on", saved_command_line);', '+\tint klp_unused;\n+\tseq_printf(m, "%s klp=on", saved_command_line);').replace("@@ -7,7 +7,7 @@", "@@ -7,7 +7,8 @@"),
      name: "klp_warning",
      compiler,
      onProgress: (p) => p.line && progress.push(p.line),
    });
    expect(out.warnings).toEqual([expect.objectContaining({ file: "fs/proc/cmdline.c", line: 10, severity: "warning", message: expect.stringMatching(/unused variable 'klp_unused'/), diffLine: 9 })]);
    expect(progress).toContainEqual(expect.stringMatching(/^fs\/proc\/cmdline\.c:10:\d+: warning: unused variable 'klp_unused'.* \(diff line 9\)$/));
  });

  it("a header change that changes functions in two objects: one module patches both", async () => {
    const patch = patchOf("fs/proc/internal.h", { before: "\treturn S_ISDIR(pde->mode) && !pde->proc_iops;", after: "\treturn S_ISDIR(pde->mode) && !pde->proc_iops && !pde->proc_dops;" });
    const out = await buildPatch({ diffText: patch, name: "klp_header_two", compiler });
    expect(out.objects).toEqual(["fs/proc/generic.o", "fs/proc/inode.o"]);
    expect(new Set(out.changedFunctions.map((f) => f.object))).toEqual(new Set(out.objects));
  });

  it("a comment in a header: no functional change in any of its objects", async () => {
    const e = await refusal(patchOf("fs/proc/internal.h", { before: "extern void pde_put(struct proc_dir_entry *);\n", after: "extern void pde_put(struct proc_dir_entry *); /* drops a reference */\n" }));
    expect(e.message).toMatch(/^no functional change: the compiled objects \(\d+\) are the same as the running kernel's/);
    expect([e.code, e.kind]).toEqual(["no-change", "no-change"]);
  });

  it("existing data changed", async () => {
    const e = await refusal(patchOf("kernel/capability.c", { before: "int file_caps_enabled = 1;", after: "int file_caps_enabled = 0;" }));
    expect(e.stage).toBe("diff");
    expect(e.message).toMatch(/existing data can't be changed by a live patch: `file_caps_enabled`/);
    expect([e.code, e.kind]).toEqual(["data-changed", "refused"]);
    expect(e.location).toEqual({ file: "kernel/capability.c", variable: "file_caps_enabled" });
  });

  it("a changed struct layout in a header: refused before compiling, pointing at shadow variables", async () => {
    const e = await refusal(patchOf("fs/proc/internal.h", { before: "struct proc_inode {\n", after: "struct proc_inode {\n\tunsigned int klp_flags;\n" }));
    expect(e.stage).toBe("plan");
    expect(e.message).toMatch(/^fs\/proc\/internal\.h:\d+: the patch changes the definition of struct proc_inode \(line \d+ before the patch\)\..*shadow variable/);
    expect(e.code).toBe("struct-changed");
    expect(e.location).toMatchObject({ file: "fs/proc/internal.h", line: expect.any(Number) });
  });

  it("__init code changed", async () => {
    const e = await refusal(patchOf("fs/proc/cmdline.c", { before: "pde->size = saved_command_line_len + 1;", after: "pde->size = saved_command_line_len + 2;" }));
    expect(e.stage).toBe("diff");
    expect(e.message).toMatch(/proc_cmdline_init.*\.init\.text/);
    expect(e.code).toBe("init-code");
    expect(e.location).toEqual({ file: "fs/proc/cmdline.c", function: "proc_cmdline_init", line: expect.any(Number) });
  });

  it("comment-only change", async () => {
    const e = await refusal(patchOf("fs/proc/cmdline.c", { before: "\tseq_putc(m, '\\n');", after: "\t/* end the line */\n\tseq_putc(m, '\\n');" }));
    expect(e.stage).toBe("diff");
    expect(e.message).toMatch(/^no functional change/);
    expect([e.code, e.kind]).toEqual(["no-change", "no-change"]);
  });

  it("context that does not apply", async () => {
    const e = await refusal(CMDLINE_PATCH.replace(" \tseq_putc(m, '\\n');", " \tseq_putc(m, '\\r');"));
    expect(e.stage).toBe("apply");
    expect(e.message).toMatch(/^patch does not apply: fs\/proc\/cmdline\.c: hunk #1 \(diff line 4\)/);
    expect(e.detail).toMatch(/expected:\n.*\n.*\n.*\n {2}\tseq_puts\(m, saved_command_line\);\n {2}\tseq_putc\(m, '\\r'\);/);
    expect(e.detail).toMatch(/found at line \d+:/);
    expect([e.code, e.kind]).toEqual(["hunk-failed", "malformed"]);
    expect(e.location).toMatchObject({ file: "fs/proc/cmdline.c", hunk: 1, diffLine: 4, line: expect.any(Number) });
  });

  it("compile error: GCC's message at the user's file and line, and the diff line", async () => {
    const e = await refusal(CMDLINE_PATCH.replace("saved_command_line);\n \tseq_putc", "klp_no_such_variable);\n \tseq_putc"));
    expect(e.stage).toBe("compile");
    expect(e.message).toMatch(/^compile error: fs\/proc\/cmdline\.c:10:\d+ \(diff line 9\): 'klp_no_such_variable' undeclared/);
    expect(e.diagnostics[0]).toMatchObject({ file: "fs/proc/cmdline.c", line: 10, severity: "error" });
    expect([e.code, e.kind]).toEqual(["compile-failed", "malformed"]);
    expect(e.location).toMatchObject({ file: "fs/proc/cmdline.c", line: 10, diffLine: 9 });
  });

  it("malformed diff", async () => {
    const e = await refusal(CMDLINE_PATCH.replace("@@ -7,7 +7,7 @@", "@@ -7,7 +7 @@ oops").replace(" {\n", "{\n"));
    expect(e.stage).toBe("parse");
    expect(e.message).toMatch(/^malformed diff: line \d+: /);
    expect([e.code, e.kind]).toEqual(["malformed-diff", "malformed"]);
    expect(e.location?.diffLine).toEqual(expect.any(Number));
  });

  it("a file our config does not build", async () => {
    const e = await refusal("--- a/fs/ext4/super.c\n+++ b/fs/ext4/super.c\n@@ -1,1 +1,1 @@\n-// SPDX-License-Identifier: GPL-2.0\n+// SPDX-License-Identifier: GPL-2.0-only\n");
    expect(e.stage).toBe("apply");
    expect(e.message).toBe("fs/ext4/super.c: not part of this kernel's build (CONFIG_…?): the tree has only the files our configuration compiles");
    expect([e.code, e.kind]).toEqual(["not-built", "refused"]);
  });

  it("a new function nothing calls: the differ's own reason is the headline", async () => {
    const e = await refusal(patchOf("fs/proc/cmdline.c", { before: "static int cmdline_proc_show", after: "int klp_unused_helper(void)\n{\n\treturn 42;\n}\n\nstatic int cmdline_proc_show" }));
    expect(e.stage).toBe("diff");
    expect(e.message).toMatch(/^no functional change: the patch only adds `klp_unused_helper`, which no existing function calls/);
    expect([e.code, e.kind]).toEqual(["new-code-unreached", "no-change"]);
  });

  it("paths with an extra leading directory: the headline says so", async () => {
    const e = await refusal(CMDLINE_PATCH.replace(/ a\/fs\//g, " a/linux/fs/").replace(/ b\/fs\//g, " b/linux/fs/"));
    expect(e.stage).toBe("apply");
    expect(e.message).toMatch(/^patch does not apply: linux\/fs\/proc\/cmdline\.c: no such file in the source tree.*extra leading directory/);
    expect(e.code).toBe("extra-leading-directory");
  });

  it("lib/ (built without ftrace hooks): refused before compiling, with the reason", async () => {
    const e = await refusal(patchOf("lib/kstrtox.c", { before: "int kstrtobool(const char *s, bool *res)\n{\n", after: "int kstrtobool(const char *s, bool *res)\n{\n\tif (!s)\n\t\treturn -EINVAL;\n" }));
    expect(e.stage).toBe("plan");
    expect(e.message).toMatch(/^lib\/kstrtox\.c: lib\/kstrtox\.o is compiled without ftrace's __fentry__ hooks/);
    expect([e.code, e.kind]).toEqual(["no-ftrace-hooks", "refused"]);
  });

  it("assembly", async () => {
    const path = "arch/x86/entry/entry_32.S";
    const text = pristine(path);
    const e = await refusal(makeDiff(path, text, text.replace(/\n/, "\n/* klp */\n")));
    expect(e.stage).toBe("plan");
    expect(e.message).toBe(`${path}: assembly cannot be live patched (the patch tools compare compiled C functions, and assembly has no __fentry__ hook to redirect)`);
    expect(e.code).toBe("assembly");
  });
});
