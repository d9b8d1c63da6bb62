// Every sample in the page's gallery goes through the real pipeline (native
// fast path, same GCC and command lines as the build-host VM): a refused
// sample is refused for its stated reason; the others load into the target,
// finish their transition, and the commands the gallery suggests run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLES } from "../../src/common/samples/index.ts";
import { buildPatch, loadKlpInputs, loadLivepatch } from "../../src/node/klp/index.ts";
import { NativeBuildHost } from "../../src/node/toolchain/native-build-host.ts";
import { KlpBuildError } from "../../src/common/klp/pipeline.ts";
import { bootMachine, type BootedMachine } from "../../src/node/boot.ts";
import { TARGET } from "../../src/common/machine/profiles.ts";
import { unloadPatch } from "./guest.ts";

const compiler = new NativeBuildHost(loadKlpInputs().kbuild);

/** What a sample must leave in the kernel log, in order, once applied and reverted. */
const KERNEL_LOG: Record<string, string[]> = {
  callbacks: [
    "klp demo: pre-patch",
    "starting patching transition",
    "klp demo: post-patch",
    "klp demo: pre-unpatch",
    "starting unpatching transition",
    "klp demo: post-unpatch",
  ],
};
let target: BootedMachine;
beforeAll(async () => {
  target = await bootMachine(TARGET, { snapshot: true });
});
afterAll(async () => {
  await target?.machine.destroy();
});

describe("gallery samples", () => {
  for (const sample of SAMPLES) {
    const pending = sample.needs?.length ? `needs ${sample.needs.join(", ")}` : undefined;
    it.skipIf(pending !== undefined)(`${sample.id}: ${sample.title}${pending ? ` (${pending})` : ""}`, async () => {
      const name = `sample_${sample.id.replace(/\W/g, "_")}`;
      if (sample.refused) {
        const error = await buildPatch({ diffText: sample.diff, name, compiler }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(KlpBuildError);
        expect((error as KlpBuildError).message).toMatch(/data|initial value|shadow/i);
        expect((error as KlpBuildError).code).toBe("data-changed");
        return;
      }
      const out = await buildPatch({ diffText: sample.diff, name, compiler });
      expect(out.changedFunctions.length + out.newFunctions.length).toBeGreaterThan(0);
      const m = target.machine;
      await m.control.exec("dmesg -c > /dev/null");
      for (const cmd of sample.before ?? []) await m.control.exec(cmd);
      await loadLivepatch(m, name, out.module, { timeoutMs: 120_000 });
      for (const cmd of sample.tryIt) {
        const r = await m.control.exec(cmd, { timeoutMs: 30_000 });
        expect(r.exitCode, `${cmd}: ${r.stderr}`).toBe(0);
      }
      // The lab's Check, as the page runs it: passes while the patch is in.
      if (sample.check) {
        const r = await m.control.exec(sample.check.command, { timeoutMs: 30_000 });
        expect(r.exitCode, `check ${sample.check.command}: ${r.stdout}${r.stderr}`).toBe(0);
      }
      await unloadPatch(m, name);
      const expectedLog = KERNEL_LOG[sample.id];
      if (expectedLog) {
        const log = (await m.control.exec("dmesg")).stdout;
        const at = expectedLog.map((line) => log.indexOf(line));
        expect(at.every((i) => i >= 0), log).toBe(true);
        expect([...at].sort((a, b) => a - b), "in this order").toEqual(at);
      }
    });
  }
});
