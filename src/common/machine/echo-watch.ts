// Notices a guest that stopped running. A guest's tty echoes typed input
// within milliseconds, whatever its programs do, unless the kernel itself is
// stuck: on our PREEMPT_NONE kernel a patched function that loops forever
// holds the only CPU, and nothing, not even the echo, runs again. Input
// that stays unanswered is then double-checked by asking the guest's agent;
// only when that fails too is the guest declared hung.

export class EchoWatch {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private probing = false;
  private stopped = false;

  constructor(
    /** Asks the guest something cheap; resolves false when it does not answer in time. */
    private readonly probe: () => Promise<boolean>,
    private readonly onHung: () => void,
    /** How long typed input may go without any output before the guest is asked. */
    private readonly quietMs = 5_000,
  ) {}

  /** The person typed something: expect output soon. */
  input(): void {
    if (this.stopped || this.timer !== undefined || this.probing) return;
    this.timer = setTimeout(() => void this.check(), this.quietMs);
  }

  /** The guest printed something: it runs. */
  output(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** No more reports (the machine is being reset or destroyed). */
  stop(): void {
    this.stopped = true;
    this.output();
  }

  private async check(): Promise<void> {
    this.timer = undefined;
    this.probing = true;
    try {
      const alive = await this.probe();
      if (!alive && !this.stopped) this.onHung();
    } finally {
      this.probing = false;
    }
  }
}
