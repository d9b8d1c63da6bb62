import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EchoWatch } from "../../../src/common/machine/echo-watch.ts";

describe("EchoWatch", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  function watch(alive: boolean) {
    const probe = vi.fn(() => Promise.resolve(alive));
    const hung = vi.fn();
    return { w: new EchoWatch(probe, hung, 5000), probe, hung };
  }

  it("does nothing while typing gets output", async () => {
    const { w, probe, hung } = watch(false);
    w.input();
    await vi.advanceTimersByTimeAsync(100);
    w.output();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(probe).not.toHaveBeenCalled();
    expect(hung).not.toHaveBeenCalled();
  });

  it("asks the guest when typing goes unanswered, and reports a hang only if the guest does not answer either", async () => {
    const quiet = watch(true);
    quiet.w.input();
    await vi.advanceTimersByTimeAsync(5000);
    expect(quiet.probe).toHaveBeenCalledTimes(1);
    expect(quiet.hung).not.toHaveBeenCalled();

    const stuck = watch(false);
    stuck.w.input();
    stuck.w.input(); // more typing does not restart the clock
    await vi.advanceTimersByTimeAsync(4999);
    expect(stuck.probe).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(stuck.hung).toHaveBeenCalledTimes(1);
  });

  it("stays quiet once stopped (the machine is being reset)", async () => {
    const { w, probe, hung } = watch(false);
    w.input();
    w.stop();
    w.input();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(probe).not.toHaveBeenCalled();
    expect(hung).not.toHaveBeenCalled();
  });
});
