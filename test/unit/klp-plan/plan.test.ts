import { describe, expect, it } from "vitest";
import { KlpPlanError, normalizeTreePath, planBuild, type KlpPlanCode, type PlanFile } from "../../../src/common/klp/plan.ts";
import type { KbuildIndex, KbuildObject } from "../../../src/common/kbuild/index-format.ts";
import { kbuildIndex } from "../klp-diff/kernel-objects.ts";

const obj = (source: string, kind: KbuildObject["kind"], language: KbuildObject["language"], deps: number[]): KbuildObject => ({ source, command: kind === "boot" ? "gcc -c" : "gcc -D__KERNEL__ -pg -mfentry -c", kind, language, deps });

// A small tree shaped like ours: shared headers, asm, boot code, vdso, a host program, a sample module, and a .c that another .c includes.
const KBUILD: KbuildIndex = {
  version: 1,
  kernelRelease: "6.12.95",
  treePath: "/build/linux",
  headers: ["include/linux/kconfig.h", "include/linux/seq_file.h", "fs/proc/./internal.h", "kernel/sched/fair.c", "arch/x86/include/asm/asm.h", "include/linux/only-boot.h"],
  objects: {
    "fs/proc/cmdline.o": obj("fs/proc/cmdline.c", "vmlinux", "c", [0, 1, 2]),
    "fs/proc/meminfo.o": obj("fs/proc/meminfo.c", "vmlinux", "c", [0, 1, 2]),
    "kernel/sys.o": obj("kernel/sys.c", "vmlinux", "c", [0]),
    "kernel/sched/build_policy.o": obj("kernel/sched/build_policy.c", "vmlinux", "c", [0, 3]),
    "arch/x86/entry/entry_32.o": obj("arch/x86/entry/entry_32.S", "vmlinux", "asm", [0, 4]),
    "arch/x86/boot/main.o": obj("arch/x86/boot/main.c", "boot", "c", [0, 5]),
    "arch/x86/entry/vdso/vdso32/vclock_gettime.o": obj("arch/x86/entry/vdso/vdso32/vclock_gettime.c", "vmlinux", "c", [0]),
    "arch/x86/tools/relocs_32.o": { ...obj("arch/x86/tools/relocs_32.c", "vmlinux", "c", [1]), command: "gcc -Wall -O2 -c" },
    "samples/livepatch/livepatch-sample.o": obj("samples/livepatch/livepatch-sample.c", "module", "c", [0, 1]),
  },
};

const changed = (path: string, ...texts: [] | [string | undefined, string | undefined]): PlanFile =>
  texts.length === 0 ? { path, oldText: "a\n", newText: "b\n" } : { path, oldText: texts[0], newText: texts[1] };

function refusal(files: PlanFile[], kbuild = KBUILD, readFile?: (p: string) => string | undefined): KlpPlanError {
  try {
    planBuild(files, kbuild, { readFile });
  } catch (e) {
    expect(e).toBeInstanceOf(KlpPlanError);
    return e as KlpPlanError;
  }
  throw new Error("expected a refusal");
}

describe("plan: which objects a patch rebuilds", () => {
  it("a changed .c rebuilds its object", () => {
    const plan = planBuild([changed("fs/proc/cmdline.c")], KBUILD);
    expect(plan.objects).toEqual([{ object: "fs/proc/cmdline.o", source: "fs/proc/cmdline.c", because: ["fs/proc/cmdline.c"] }]);
  });

  it("a changed header rebuilds every C object of vmlinux that includes it, and says how many", () => {
    const plan = planBuild([changed("include/linux/seq_file.h")], KBUILD);
    expect(plan.objects.map((o) => o.object)).toEqual(["fs/proc/cmdline.o", "fs/proc/meminfo.o"]);
    expect(plan.notes).toEqual(["include/linux/seq_file.h: 2 objects of vmlinux include it (2 more in assembly, boot code, the vDSO, host programs, code without ftrace hooks or modules left alone)"]);
  });

  it("matches headers the compiler recorded with ./ and ../ in their paths", () => {
    expect(normalizeTreePath("drivers/base/firmware_loader/builtin/../firmware.h")).toBe("drivers/base/firmware_loader/firmware.h");
    const plan = planBuild([changed("fs/proc/internal.h")], KBUILD);
    expect(plan.objects.map((o) => o.object)).toEqual(["fs/proc/cmdline.o", "fs/proc/meminfo.o"]);
  });

  it("a .c file that another .c includes rebuilds the including object", () => {
    const plan = planBuild([changed("kernel/sched/fair.c")], KBUILD);
    expect(plan.objects.map((o) => o.object)).toEqual(["kernel/sched/build_policy.o"]);
  });

  it("a .c and a header it includes: one object, both reasons", () => {
    const plan = planBuild([changed("fs/proc/cmdline.c"), changed("fs/proc/internal.h")], KBUILD);
    expect(plan.objects.find((o) => o.object === "fs/proc/cmdline.o")?.because).toEqual(["fs/proc/cmdline.c", "fs/proc/internal.h"]);
  });

  it("a new header alone rebuilds nothing by itself; with the .c that includes it, that .c", () => {
    const plan = planBuild([changed("fs/proc/cmdline.c"), changed("fs/proc/klp-new.h", undefined, "int x;\n")], KBUILD);
    expect(plan.objects.map((o) => o.object)).toEqual(["fs/proc/cmdline.o"]);
    expect(plan.notes[0]).toMatch(/^fs\/proc\/klp-new\.h: new header/);
  });

  it("unchanged files are skipped, and nothing changed at all is no functional change", () => {
    expect(refusal([changed("fs/proc/cmdline.c", "x\n", "x\n")]).message).toMatch(/^no functional change/);
    expect(refusal([changed("fs/proc/cmdline.c", "x\n", "x\n")]).code).toBe("no-change");
  });
});

describe("plan: refusals name the file and say why", () => {
  // The stable codes (src/common/errors/codes.ts) of the rows below; a header only boot code reads is refused as boot code.
  const CODES: Record<string, KlpPlanCode> = {
    "arch/x86/entry/entry_32.S": "assembly",
    "arch/x86/boot/main.c": "boot-code",
    "arch/x86/entry/vdso/vdso32/vclock_gettime.c": "vdso",
    "arch/x86/tools/relocs_32.c": "host-tool",
    "samples/livepatch/livepatch-sample.c": "module-code",
    "drivers/gpu/drm/drm_drv.c": "not-built",
    "include/linux/only-boot.h": "boot-code",
    "fs/proc/Makefile": "not-source",
  };
  it.each([
    ["assembly", "arch/x86/entry/entry_32.S", /^arch\/x86\/entry\/entry_32\.S: assembly cannot be live patched/],
    ["boot-code", "arch/x86/boot/main.c", /^arch\/x86\/boot\/main\.c: boot code \(arch\/x86\/boot\/main\.o\) runs once before the kernel starts/],
    ["vdso", "arch/x86/entry/vdso/vdso32/vclock_gettime.c", /vDSO code runs in user space/],
    ["host-tool", "arch/x86/tools/relocs_32.c", /^arch\/x86\/tools\/relocs_32\.c: arch\/x86\/tools\/relocs_32\.o is a program the kernel build runs on the build machine/],
    ["module", "samples/livepatch/livepatch-sample.c", /part of a loadable module, not vmlinux; live patching modules is not supported yet/],
    ["not-built", "drivers/gpu/drm/drm_drv.c", /^drivers\/gpu\/drm\/drm_drv\.c: not part of this kernel's build \(CONFIG_…\?\)/],
    ["boot-code", "include/linux/only-boot.h", /boot code/],
    ["not-source", "fs/proc/Makefile", /only C sources and headers can be live patched/],
  ] as const)("%s: %s", (reason, path, message) => {
    const e = refusal([changed(path)]);
    expect(e.file).toBe(path);
    expect(e.message).toMatch(message);
    expect(e.reason).toBe(reason);
    expect(e.code).toBe(CODES[path]);
  });

  it("a header read only by assembly is refused as assembly", () => {
    expect(refusal([changed("arch/x86/include/asm/asm.h")]).reason).toBe("assembly");
    expect(refusal([changed("arch/x86/include/asm/asm.h")]).code).toBe("assembly");
  });

  it("a deleted file is refused", () => {
    expect(refusal([changed("fs/proc/cmdline.c", "x\n", undefined)]).reason).toBe("deleted-file");
    expect(refusal([changed("fs/proc/cmdline.c", "x\n", undefined)]).code).toBe("deleted-file");
  });

  it("a file not built names the CONFIG option from its directory's Makefile", () => {
    const makefile = "obj-y += foo.o\nobj-$(CONFIG_DRM_KLP)\t+= drm_klp.o \\\n\tdrm_drv.o\n";
    const e = refusal([changed("drivers/gpu/drm/drm_drv.c")], KBUILD, (p) => (p === "drivers/gpu/drm/Makefile" ? makefile : undefined));
    expect(e.message).toMatch(/not part of this kernel's build \(CONFIG_DRM_KLP=y\?\)/);
    expect(e.code).toBe("not-built");
  });
});

describe("plan against our kernel's kbuild data", () => {
  const kbuild = kbuildIndex();

  it("fs/proc/cmdline.c -> fs/proc/cmdline.o", () => {
    expect(planBuild([changed("fs/proc/cmdline.c")], kbuild).objects.map((o) => o.object)).toEqual(["fs/proc/cmdline.o"]);
  });

  it("fs/proc/internal.h -> the objects of fs/proc that include it", () => {
    const plan = planBuild([changed("fs/proc/internal.h")], kbuild);
    expect(plan.objects.length).toBeGreaterThan(5);
    expect(plan.objects.every((o) => o.object.startsWith("fs/proc"))).toBe(true);
    expect(plan.notes[0]).toMatch(new RegExp(`^fs/proc/internal\\.h: ${plan.objects.length} objects of vmlinux include it`));
  });

  it("refuses what our config does not build, the vdso, assembly and boot code", () => {
    expect(refusal([changed("fs/ext4/super.c")], kbuild).reason).toBe("not-built");
    expect(refusal([changed("arch/x86/entry/vdso/vdso32/vclock_gettime.c")], kbuild).reason).toBe("vdso");
    expect(refusal([changed("arch/x86/entry/entry_32.S")], kbuild).reason).toBe("assembly");
    expect(refusal([changed("arch/x86/boot/main.c")], kbuild).reason).toBe("boot-code");
    expect(refusal([changed("arch/x86/tools/relocs_32.c")], kbuild).reason).toBe("host-tool");
    expect(["fs/ext4/super.c", "arch/x86/entry/vdso/vdso32/vclock_gettime.c", "arch/x86/entry/entry_32.S", "arch/x86/boot/main.c", "arch/x86/tools/relocs_32.c"].map((f) => refusal([changed(f)], kbuild).code)).toEqual([
      "not-built",
      "vdso",
      "assembly",
      "boot-code",
      "host-tool",
    ]);
  });

  it("refuses objects built without ftrace hooks (all of lib/, ftrace itself), naming the reason", () => {
    const e = refusal([changed("lib/vsprintf.c")], kbuild);
    expect(e.reason).toBe("no-ftrace");
    expect(e.code).toBe("no-ftrace-hooks");
    expect(e.message).toBe("lib/vsprintf.c: lib/vsprintf.o is compiled without ftrace's __fentry__ hooks (its Makefile removes them, as for all of lib/), so none of its functions can be live patched; change their callers outside it instead");
    expect(refusal([changed("kernel/trace/ftrace.c")], kbuild).reason).toBe("no-ftrace");
    expect(refusal([changed("kernel/trace/ftrace.c")], kbuild).code).toBe("no-ftrace-hooks");
  });

  it("the kernel side of the vDSO (mapping it, its exception fixups) is kernel code", () => {
    for (const f of ["arch/x86/entry/vdso/vma.c", "arch/x86/entry/vdso/extable.c", "arch/x86/entry/vdso/vdso32-setup.c"]) {
      expect(planBuild([changed(f)], kbuild).objects.map((o) => o.object)).toEqual([f.replace(/\.c$/, ".o")]);
    }
  });
});
