// KPATCH_FORCE_UNSAFE on the livepatch core: a task sleeping in a patched
// function holds the transition up (until the kernel's fake signal, 15 s
// later); when the functions holding it are all marked, the loader forces
// the transition as soon as it stalls.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TARGET } from "../../src/common/machine/profiles.ts";
import { makeDiff } from "../../src/common/patch/index.ts";
import { bootMachine, type BootedMachine } from "../../src/node/boot.ts";
import { buildPatch, loadKlpInputs, loadLivepatch, openCompiler } from "../../src/node/klp/index.ts";
import type { LivepatchTask } from "../../src/common/livepatch/state.ts";

const PATH = "kernel/time/hrtimer.c";
const AT = "\tstruct restart_block *restart;\n\n\tdo {\n";

/**
 * do_nanosleep, where `sleep` waits, and its callers, which GCC may inline it
 * into (the marks themselves change its choice): whichever are patched are marked.
 */
function patch(marked: boolean): string {
  const old = loadKlpInputs().readPristine(PATH)!;
  let text = old.replace(AT, '\tstruct restart_block *restart;\n\n\tpr_info("klp-force: patched do_nanosleep\\n");\n\tdo {\n');
  if (marked) text = `${text}\n#include <linux/kpatch-macros.h>\nKPATCH_FORCE_UNSAFE(do_nanosleep);\nKPATCH_FORCE_UNSAFE(hrtimer_nanosleep);\nKPATCH_FORCE_UNSAFE(hrtimer_nanosleep_restart);\n`;
  return makeDiff(PATH, old, text);
}

let target: BootedMachine;

beforeAll(async () => {
  target = await bootMachine(TARGET, { snapshot: true });
});

afterAll(async () => {
  await target?.machine.destroy();
});

describe("KPATCH_FORCE_UNSAFE", () => {
  it("forces the transition a sleeping task holds up, when every function the patch replaces is marked", async () => {
    const open = await openCompiler("native", loadKlpInputs().kbuild);
    const out = await buildPatch({ diffText: patch(true), name: "klp_force", compiler: open.compiler });
    await open.close();
    expect(out.changedFunctions.length).toBeGreaterThan(0);
    expect(out.changedFunctions.every((f) => f.forceUnsafe)).toBe(true);

    await target.machine.control.exec("sleep 120 >/dev/null 2>&1 &");
    let forced: LivepatchTask[] = [];
    const { transitionMs } = await loadLivepatch(target.machine, out.name, out.module, {
      stallMs: 2_000,
      forceUnsafe: { patched: out.changedFunctions.map((f) => f.name), marked: out.changedFunctions.filter((f) => f.forceUnsafe).map((f) => f.name), onForce: (t) => (forced = t) },
    });
    expect(forced.map((t) => t.comm)).toContain("sleep");
    // Well before the kernel's own fake signal at 15 s.
    expect(transitionMs).toBeLessThan(12_000);
    // The sleeper never left its sleep: it was switched by force, not by a signal.
    const state = await target.machine.control.exec(`cat /sys/kernel/livepatch/${out.name}/transition; pidof sleep`);
    const [transition, pid] = state.stdout.trim().split("\n");
    expect(transition).toBe("0");
    expect(pid).toMatch(/^\d+$/);
  }, 180_000);
});
