// Boots the target from the committed images, in v86 under Node, and checks
// the kernel the playground stands on: livepatch works on i386, the clock is
// right, and every kernel sample plus our klp-relocation test module apply
// and revert without `force`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootMachine, type BootedMachine } from "../../src/node/boot.ts";
import { TARGET } from "../../src/common/machine/profiles.ts";
import { sh, unloadPatch, waitForOutput, waitTransition } from "./guest.ts";

let booted: BootedMachine;
const MODDIR = "/lib/modules/$(uname -r)/extra";

beforeAll(async () => {
  booted = await bootMachine(TARGET);
});
afterAll(async () => {
  await booted?.machine.destroy();
});

describe("target kernel", () => {
  it("is Linux 6.12 with livepatch", async () => {
    expect(booted.kernelRelease).toMatch(/^6\.12\./);
    expect((await sh(booted.machine, "uname -r")).trim()).toMatch(/^6\.12\./);
    expect((await sh(booted.machine, "uname -m")).trim()).toBe("i686");
    await sh(booted.machine, "test -d /sys/kernel/livepatch");
  });

  it("booted without warnings, BUGs or oopses", async () => {
    const log = await sh(booted.machine, "dmesg");
    expect(log).toContain("Linux version 6.12");
    expect(log).not.toMatch(/WARNING:|BUG:|Oops|Call Trace|panic/);
  });

  it("keeps time: sleep 1 takes about one second of host time", async () => {
    const m = booted.machine;
    await sh(m, "true"); // warm the path
    let t = performance.now();
    await sh(m, "true");
    const overhead = performance.now() - t;
    t = performance.now();
    await sh(m, "sleep 1");
    const slept = (performance.now() - t - overhead) / 1000;
    expect(slept).toBeGreaterThan(0.8);
    expect(slept).toBeLessThan(1.5);
  });

  it("applies and reverts livepatch-sample", async () => {
    const m = booted.machine;
    const before = await sh(m, "cat /proc/cmdline");
    expect(before).toContain("klp.role=target");
    await sh(m, `insmod ${MODDIR}/livepatch-sample.ko`);
    await waitTransition(m, "livepatch_sample");
    expect((await sh(m, "cat /sys/kernel/livepatch/livepatch_sample/enabled")).trim()).toBe("1");
    expect(await sh(m, "cat /proc/cmdline")).toBe("this has been live patched\n");
    await unloadPatch(m, "livepatch_sample", "livepatch_sample");
    expect(await sh(m, "cat /proc/cmdline")).toBe(before);
  });

  it("runs the callbacks sample's callbacks around patch and unpatch", async () => {
    const m = booted.machine;
    await sh(m, "dmesg -c >/dev/null");
    await sh(m, `insmod ${MODDIR}/livepatch-callbacks-demo.ko`);
    await waitTransition(m, "livepatch_callbacks_demo");
    await unloadPatch(m, "livepatch_callbacks_demo");
    const log = await sh(m, "dmesg");
    const order = ["pre_patch_callback: vmlinux", "post_patch_callback: vmlinux", "pre_unpatch_callback: vmlinux", "post_unpatch_callback: vmlinux"];
    const at = order.map((s) => log.indexOf(s));
    expect(at.every((i) => i >= 0), log).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it("runs the shadow-variable samples (fix1 then fix2) on a live module", async () => {
    const m = booted.machine;
    await sh(m, "dmesg -c >/dev/null");
    await sh(m, `insmod ${MODDIR}/livepatch-shadow-mod.ko`);
    await sh(m, `insmod ${MODDIR}/livepatch-shadow-fix1.ko`);
    await waitTransition(m, "livepatch_shadow_fix1");
    // The patched allocator attaches a shadow variable to each new dummy.
    await waitForOutput(m, "dmesg", (o) => o.includes("livepatch_fix1_dummy_alloc: dummy @"), 30_000);
    await sh(m, `insmod ${MODDIR}/livepatch-shadow-fix2.ko`);
    await waitTransition(m, "livepatch_shadow_fix2");
    await waitForOutput(m, "dmesg", (o) => /check counter = \d+/.test(o), 30_000);
    await unloadPatch(m, "livepatch_shadow_fix2");
    await unloadPatch(m, "livepatch_shadow_fix1");
    await sh(m, "rmmod livepatch_shadow_mod");
    expect(await sh(m, "dmesg")).not.toMatch(/WARNING:|BUG:|Oops/);
  });

  it("applies .klp.rela relocations against a non-exported static function", async () => {
    const m = booted.machine;
    const before = await sh(m, "cat /proc/cmdline");
    await sh(m, `insmod ${MODDIR}/klp_rela_test.ko`);
    await waitTransition(m, "klp_rela_test");
    // The new cmdline_proc_show calls version_proc_show, static in fs/proc/version.c.
    expect(await sh(m, "cat /proc/cmdline")).toBe(`klp-rela-test: ${await sh(m, "cat /proc/version")}`);
    await unloadPatch(m, "klp_rela_test");
    expect(await sh(m, "cat /proc/cmdline")).toBe(before);
  });
});
