// The three roads, end to end: `klp models` runs a lab's patch under each
// consistency model of our kernel (images/kernel/patches/0005-…) on a fresh
// target and the kernel's own record of each transition must show that
// road's distinct behaviour, not only that it ran.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_DIR } from "../../src/node/images/store.ts";
import type { TransitionReport } from "../../src/common/livepatch/record.ts";

type Road = TransitionReport & { after?: string };

function klp(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_DIR, "bin/klp.js"), ...args], { cwd: REPO_DIR, maxBuffer: 64 << 20, timeout: 900_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function roads(lab: string): Promise<Record<string, Road>> {
  const r = await klp(["models", "--lab", lab, "--json"]);
  if (r.code !== 0) throw new Error(`klp models --lab ${lab} exited ${r.code}:\n${r.stderr.slice(-3000)}`);
  const out = JSON.parse(r.stdout) as { models: Road[] };
  return Object.fromEntries(out.models.map((m) => [m.model, m]));
}

describe("klp models: one patch down each road", () => {
  it("a task sleeping in the patched function: each road gets to 'patched' its own way", async () => {
    const r = await roads("roads-sleeper");

    // immediate (upstream 4.0): everyone at once, no check, no stop.
    expect(r.immediate!.outcome).toBe("complete");
    expect(r.immediate!.attempts).toBe(1);
    expect(r.immediate!.stopped.count).toBe(0);
    expect(new Set(r.immediate!.switched.map((s) => s.via))).toEqual(new Set(["immediate"]));
    expect(r.immediate!.switched.some((s) => s.comm === "sleep")).toBe(true);

    // stop-machine (kpatch/Ksplice): stops, finds the sleeper every time, gives up.
    const sm = r["stop-machine"]!;
    expect(sm.outcome).toBe("aborted");
    expect(sm.stopped.count).toBe(5);
    expect(sm.stops).toHaveLength(5);
    expect(sm.switched).toEqual([]);
    expect(sm.blocked.length).toBeGreaterThanOrEqual(5);
    expect(sm.blocked.every((b) => b.comm === "sleep")).toBe(true);
    expect(sm.blocked[0]!.stack.some((f) => f.startsWith("hrtimer_nanosleep"))).toBe(true);

    // lazy (kGraft): never a stack check; the sleeper only after the fake signal.
    const lazy = r.lazy!;
    expect(lazy.outcome).toBe("complete");
    expect(lazy.switched.some((s) => s.via === "stack-check")).toBe(false);
    expect(lazy.switched.some((s) => s.via === "user-return" || s.via === "safe-point")).toBe(true);
    expect(lazy.switched.find((s) => s.comm === "sleep")?.via).toBe("signal");
    expect(lazy.signalsAtMs.length).toBeGreaterThan(0);

    // hybrid (upstream): stack checks switch the sleeping tasks; the sleeper waits for its signal.
    const hybrid = r.hybrid!;
    expect(hybrid.outcome).toBe("complete");
    expect(hybrid.switched.filter((s) => s.via === "stack-check").length).toBeGreaterThan(5);
    expect(hybrid.switched.find((s) => s.comm === "sleep")?.via).toBe("signal");
    expect(hybrid.stopped.count).toBe(0);
  });

  it("an old caller with a new callee: only the road without a consistency model shows the wrong result", async () => {
    const r = await roads("roads-contract");
    expect(r.immediate!.after).toBe("sleep exited with status 1");
    expect(r["stop-machine"]!.outcome).toBe("aborted");
    for (const model of ["stop-machine", "lazy", "hybrid"]) expect(r[model]!.after).toBe("sleep exited with status 0");
  });
});
