// Watches a guest's console for the kernel telling us it is dying, and keeps
// the last lines so a report can show what explains it.

export interface CrashReport {
  kind: "panic" | "oops" | "bug" | "hung";
  /** The console line that gave it away. */
  line: string;
  /** The console's last lines at that moment (kernel log included). */
  log: string[];
}

/**
 * The console around the line that gave the crash away: `before` lines of
 * context, the trigger and what follows (the trace), `after` lines in all
 * from the trigger on; the last `after` lines if the trigger scrolled away.
 */
export function crashExcerpt(report: CrashReport, before: number, after: number): string[] {
  const at = report.log.lastIndexOf(report.line);
  return at >= 0 ? report.log.slice(Math.max(0, at - before), at + after) : report.log.slice(-after);
}

const SIGNS: Array<[RegExp, CrashReport["kind"]]> = [
  [/Kernel panic - not syncing/, "panic"],
  [/\bOops\b|general protection fault|BUG: unable to handle/, "oops"],
  [/\bBUG: /, "bug"],
];

export class ConsoleHealth {
  private readonly lines: string[] = [];
  private current: number[] = [];
  private crashed: CrashReport | undefined;
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly onCrash: (report: CrashReport) => void,
    private readonly keep = 200,
  ) {}

  get report(): CrashReport | undefined {
    return this.crashed;
  }

  /** The console's last lines (for a report when the guest stops answering). */
  tail(): string[] {
    return [...this.lines];
  }

  push(byte: number): void {
    if (byte !== 0x0a) {
      if (this.current.length < 4096) this.current.push(byte);
      return;
    }
    const line = this.decoder.decode(Uint8Array.from(this.current)).replace(/\r$/, "");
    this.current = [];
    this.lines.push(line);
    if (this.lines.length > this.keep) this.lines.shift();
    if (this.crashed) {
      this.crashed.log = this.tail();
      return;
    }
    for (const [pattern, kind] of SIGNS) {
      if (pattern.test(line)) {
        this.crashed = { kind, line, log: this.tail() };
        this.onCrash(this.crashed);
        return;
      }
    }
  }

  /** The guest stopped answering without saying why. */
  hung(): CrashReport {
    this.crashed ??= { kind: "hung", line: "no answer from the guest", log: this.tail() };
    return this.crashed;
  }
}
