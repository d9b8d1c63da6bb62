import { describe, expect, it } from "vitest";
import { parseTransitionRecord, RecordFormatError, transitionRunning } from "../../../src/common/livepatch/record.ts";

const STOP_MACHINE_ABORTED = `state aborted
patch livepatch_sleeper
model stop-machine
target unpatched
forced 0
start_ns 1000000000
end_ns 5012345678
now_ns 6000000000
attempts 6
reversed 1
signals 0
stops count=5 total_us=410 max_us=120
stop at_us=20 us=120
stop at_us=1000300 us=70
blocked attempt=1 pid=40 func=do_nanosleep comm=sleep
 frame hrtimer_nanosleep+0x5a/0xc0
 frame __ia32_sys_nanosleep_time32+0x44/0x60
blocked attempt=2 pid=40 func=do_nanosleep comm=sleep
 frame hrtimer_nanosleep+0x5a/0xc0
`;

const HYBRID_RUNNING = `state in-progress
patch fix_cmdline
model hybrid
target patched
forced 0
start_ns 2000000000
end_ns 0
now_ns 2500000000
attempts 3
reversed 0
signals 0
stops count=0 total_us=0 max_us=0
switch pid=1 at_us=12 via=stack-check comm=init
switch pid=33 at_us=40500 via=user-return comm=klp-agent
switch pid=0 at_us=41000 via=idle comm=swapper
switch pid=77 at_us=90000 via=signal comm=my worker
signal at_us=80000
pending pid=40 comm=sleep
 frame hrtimer_nanosleep+0x5a/0xc0
`;

describe("the kernel's transition record", () => {
  it("reads an aborted stop-machine transition: stops, attempts, the blocking task and its stack", () => {
    const r = parseTransitionRecord(STOP_MACHINE_ABORTED);
    expect(r.model).toBe("stop-machine");
    expect(r.outcome).toBe("aborted");
    expect(r.target).toBe("unpatched");
    expect(r.ms).toBeCloseTo(4012.35, 1);
    expect(r.stopped).toEqual({ count: 5, totalUs: 410, maxUs: 120 });
    expect(r.stops).toEqual([{ atMs: 0.02, us: 120 }, { atMs: 1000.3, us: 70 }]);
    expect(r.attempts).toBe(6);
    expect(r.reversed).toBe(1);
    expect(r.blocked).toHaveLength(2);
    expect(r.blocked[0]).toEqual({ pid: 40, comm: "sleep", attempt: 1, func: "do_nanosleep", stack: ["hrtimer_nanosleep+0x5a/0xc0", "__ia32_sys_nanosleep_time32+0x44/0x60"] });
    expect(r.switched).toEqual([]);
  });

  it("reads a running hybrid transition: who switched how and when, comm with spaces, the pending task", () => {
    const r = parseTransitionRecord(HYBRID_RUNNING);
    expect(r.outcome).toBe("running");
    expect(transitionRunning(HYBRID_RUNNING)).toBe(true);
    expect(r.ms).toBe(500);
    expect(r.switched.map((s) => s.via)).toEqual(["stack-check", "user-return", "idle", "signal"]);
    expect(r.switched[3]).toEqual({ pid: 77, comm: "my worker", via: "signal", atMs: 90 });
    expect(r.signalsAtMs).toEqual([80]);
    expect(r.pending).toEqual([{ pid: 40, comm: "sleep", stack: ["hrtimer_nanosleep+0x5a/0xc0"] }]);
  });

  it("calls a transition we stopped waiting for a timeout, and a forced one forced", () => {
    expect(parseTransitionRecord(HYBRID_RUNNING, true).outcome).toBe("timeout");
    const forced = HYBRID_RUNNING.replace("state in-progress", "state complete").replace("forced 0", "forced 1");
    expect(parseTransitionRecord(forced).outcome).toBe("forced");
  });

  it("says so when the kernel has no record (a kernel without the consistency-models patch)", () => {
    expect(() => parseTransitionRecord("")).toThrow(RecordFormatError);
    expect(() => parseTransitionRecord("state complete\nmodel sideways\n")).toThrow(/unknown model 'sideways'/);
    expect(parseTransitionRecord("state none\n").outcome).toBe("none");
  });

  it("refuses a frame line that belongs to nothing, and a non-number where a number goes", () => {
    expect(() => parseTransitionRecord("state complete\nmodel hybrid\n frame x+0x1/0x2\n")).toThrow(/frame line outside/);
    expect(() => parseTransitionRecord("state complete\nmodel hybrid\nswitch pid=x at_us=1 via=idle comm=a\n")).toThrow(/'pid' is not a number/);
  });
});
