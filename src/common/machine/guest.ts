// What platform-free code may ask of a running machine: commands over the
// control channel and files over 9p. A Machine in this thread is one; the
// page reaches the target's Machine in its worker through the same calls.
import type { ExecOptions, ExecResult } from "./control/channel.ts";

export interface Guest {
  /** Runs a shell command in the guest (its own control agent, not the person's console). */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /**
   * Puts a file into the 9p share (the target sees it as /host/<name>, the
   * build host under /toolchain/<name>). Binary-safe, any size.
   */
  putFile(name: string, bytes: Uint8Array): Promise<void>;
  /** Reads a file from the 9p share; rejects when there is none. */
  getFile(name: string): Promise<Uint8Array>;
}
