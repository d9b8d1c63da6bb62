// Reads the target's livepatch state: on demand, every second while a
// transition runs, and a few times after apply/revert so the panel follows.
import { LIVEPATCH_STATE_SCRIPT, parseLivepatchState, type LivepatchState } from "../../common/livepatch/state.ts";
import type { TargetClient } from "./target-client.ts";

export class LivepatchMonitor {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private again = false;
  /** Polls left regardless of a transition (after an action, the state may lag a moment). */
  private extra = 0;
  last: LivepatchState = { patches: [], transition: null, tasks: [] };

  constructor(
    private readonly target: TargetClient,
    private readonly render: (state: LivepatchState) => void,
  ) {}

  /** Refresh now and keep following for a few seconds (after apply/revert). */
  follow(): void {
    this.extra = 3;
    void this.refresh();
  }

  async refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    if (this.target.current === "crashed" || this.target.current === "restoring" || this.target.current === "booting") return;
    this.running = true;
    try {
      const r = await this.target.exec(LIVEPATCH_STATE_SCRIPT);
      this.last = parseLivepatchState(r.stdout);
      this.render(this.last);
    } catch {
      // The machine is being reset or crashed: the status pill says so.
    } finally {
      this.running = false;
    }
    if (this.again) {
      this.again = false;
      return this.refresh();
    }
    if (this.last.transition || this.extra > 0) {
      this.extra = Math.max(0, this.extra - 1);
      this.timer = setTimeout(() => void this.refresh(), 1000);
    }
  }

  clear(): void {
    clearTimeout(this.timer);
    this.last = { patches: [], transition: null, tasks: [] };
    this.render(this.last);
  }
}
