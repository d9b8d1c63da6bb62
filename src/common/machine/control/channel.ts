import { encodeExec, LineSplitter, parseGuestLine, FrameError } from "./frames.ts";

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Uint8Array;
}

export interface ExecOptions {
  /** Give up waiting after this long; the command may still run in the guest. */
  timeoutMs?: number;
}

export class ControlError extends Error {
  override name = "ControlError";
}

interface Pending {
  resolve(result: ExecResult): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Host end of the control channel: requests carry ids, so several can be in
 * flight and answers may come back in any order.
 */
export class ControlChannel {
  private readonly splitter = new LineSplitter();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private deadReason: string | undefined;
  private readyWaiters: Array<(release: string) => void> = [];
  private release: string | undefined;
  private readonly decoder = new TextDecoder();

  constructor(private readonly send: (bytes: Uint8Array) => void) {}

  /** Feed one byte received from the guest's control port. */
  receive(byte: number): void {
    this.splitter.push(byte, (line) => this.onLine(line));
  }

  /** Resolves with the guest's kernel release once its agent is up. */
  ready(timeoutMs = 60_000): Promise<string> {
    if (this.release !== undefined) return Promise.resolve(this.release);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new ControlError(`guest agent not ready after ${timeoutMs} ms`)), timeoutMs);
      this.readyWaiters.push((release) => {
        clearTimeout(timer);
        resolve(release);
      });
    });
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (this.deadReason !== undefined) return Promise.reject(new ControlError(this.deadReason));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 60_000;
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.pending.delete(id);
              reject(new ControlError(`no answer from the guest after ${timeoutMs} ms: ${command.slice(0, 120)}`));
            }, timeoutMs)
          : undefined;
      this.pending.set(id, { resolve, reject, timer });
      this.send(encodeExec(id, command));
    });
  }

  /** The guest is gone (crashed, reset, destroyed): fail everything waiting on it. */
  fail(reason: string): void {
    this.deadReason = reason;
    for (const [id, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new ControlError(reason));
      this.pending.delete(id);
    }
  }

  private onLine(line: string): void {
    let frame;
    try {
      frame = parseGuestLine(line);
    } catch (e) {
      if (e instanceof FrameError) return; // a garbled line cannot be routed to anyone
      throw e;
    }
    if (!frame) return;
    if (frame.kind === "ready") {
      this.release = frame.release;
      this.deadReason = undefined;
      for (const w of this.readyWaiters.splice(0)) w(frame.release);
      return;
    }
    const p = this.pending.get(frame.id);
    if (!p) return;
    this.pending.delete(frame.id);
    if (p.timer) clearTimeout(p.timer);
    p.resolve({
      exitCode: frame.exitCode,
      stdout: this.decoder.decode(frame.stdout),
      stderr: this.decoder.decode(frame.stderr),
      stdoutBytes: frame.stdout,
    });
  }
}
