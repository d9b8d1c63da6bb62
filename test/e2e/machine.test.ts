// The machine runtime: control channel round trips (binary-safe, concurrent,
// exit statuses), files over 9p, snapshots, and crash detection + recovery.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { bootMachine, type BootedMachine } from "../../src/node/boot.ts";
import { TARGET } from "../../src/common/machine/profiles.ts";
import { Machine } from "../../src/machine/machine.ts";
import { machineConfig } from "../../src/node/images/store.ts";
import { LIVEPATCH_STATE_SCRIPT, parseLivepatchState } from "../../src/common/livepatch/state.ts";
import { sh, waitTransition, unloadPatch } from "./guest.ts";

let booted: BootedMachine;
beforeAll(async () => {
  booted = await bootMachine(TARGET, { snapshot: true });
});
afterAll(async () => {
  await booted?.machine.destroy();
});

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");

describe("control channel", () => {
  it("resumes the warm snapshot instead of booting", () => {
    expect(booted.restored).toBe(true);
    expect(booted.kernelRelease).toMatch(/^6\.12\./);
  });

  it("returns stdout, stderr and the exit status separately", async () => {
    const r = await booted.machine.control.exec("echo out; echo err >&2; exit 7");
    expect(r).toMatchObject({ exitCode: 7, stdout: "out\n", stderr: "err\n" });
  });

  it("carries arbitrary bytes both ways", async () => {
    const payload = randomBytes(64 * 1024);
    await booted.machine.putFile("payload.bin", payload);
    const r = await booted.machine.control.exec("cat /host/payload.bin");
    expect(md5(r.stdoutBytes)).toBe(md5(payload));
    const tricky = "printf 'a\\0b\\nc\\r\\n@@KLP 1 0 x y\\n\\377'";
    expect([...(await booted.machine.control.exec(tricky)).stdoutBytes]).toEqual([
      ...Buffer.from("a\0b\nc\r\n@@KLP 1 0 x y\n\xff", "latin1"),
    ]);
  });

  it("says clearly when a file is not in the share", async () => {
    await expect(booted.machine.getFile("no/such/file")).rejects.toThrow(/no file no\/such\/file/);
  });

  it("moves large binary files over 9p", async () => {
    const big = randomBytes(4 << 20);
    await booted.machine.putFile("big.bin", big);
    expect((await sh(booted.machine, "md5sum /host/big.bin")).split(" ")[0]).toBe(md5(big));
    await sh(booted.machine, "head -c 3000000 /dev/urandom > /host/back.bin && sync");
    const back = await booted.machine.getFile("back.bin");
    expect(back.length).toBe(3_000_000);
    expect((await sh(booted.machine, "md5sum /host/back.bin")).split(" ")[0]).toBe(md5(back));
  });

  it("answers concurrent requests, each with its own result", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => booted.machine.control.exec(`sleep 0.$((${i} % 3)); echo ${i}; exit ${i}`)),
    );
    results.forEach((r, i) => {
      expect(r.stdout).toBe(`${i}\n`);
      expect(r.exitCode).toBe(i);
    });
  });

  it("times out a request that does not finish, and keeps working", async () => {
    await expect(booted.machine.control.exec("sleep 5", { timeoutMs: 500 })).rejects.toThrow(/no answer/);
    expect(await sh(booted.machine, "echo still here")).toBe("still here\n");
  });
});

describe("livepatch state", () => {
  it("lists patches, their functions and every task", async () => {
    const m = booted.machine;
    await sh(m, "insmod /lib/modules/$(uname -r)/extra/livepatch-sample.ko");
    await waitTransition(m, "livepatch_sample");
    const state = parseLivepatchState((await m.control.exec(LIVEPATCH_STATE_SCRIPT)).stdout);
    expect(state.patches).toEqual([
      {
        name: "livepatch_sample",
        enabled: true,
        transition: false,
        objects: [{ name: "vmlinux", functions: [{ name: "cmdline_proc_show", sympos: 1 }] }],
      },
    ]);
    expect(state.transition).toBeNull();
    expect(state.tasks.find((t) => t.pid === 1)?.comm).toBe("init");
    expect(state.tasks.length).toBeGreaterThan(10);
    await unloadPatch(m, "livepatch_sample");
  });
});

describe("snapshots and crashes", () => {
  it("saves a state that restores into a working machine", async () => {
    await sh(booted.machine, "echo remembered > /tmp/mark");
    const state = await booted.machine.saveState();
    const config = await machineConfig(TARGET);
    config.initialState = state;
    const copy = Machine.start(config);
    try {
      await copy.waitReady(30_000);
      expect(await sh(copy, "cat /tmp/mark")).toBe("remembered\n");
    } finally {
      await copy.destroy();
    }
  });

  it("detects a kernel panic, reports the log, and recovers by restoring", async () => {
    const victim = await bootMachine(TARGET, { snapshot: true });
    const crashed = new Promise((resolve) => victim.machine.onCrash(resolve));
    const pending = victim.machine.control.exec("echo c > /proc/sysrq-trigger; sleep 10", { timeoutMs: 60_000 });
    await expect(pending).rejects.toThrow(/panic/);
    await crashed;
    const report = victim.machine.health.report!;
    expect(report.kind).toBe("panic");
    expect(report.log.join("\n")).toMatch(/sysrq triggered crash/);
    await victim.machine.destroy();
    const fresh = await bootMachine(TARGET, { snapshot: true });
    expect(await sh(fresh.machine, "echo alive")).toBe("alive\n");
    await fresh.machine.destroy();
  });
});
