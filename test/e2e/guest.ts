// Helpers for end-to-end tests that drive a booted guest.
import type { Machine } from "../../src/machine/machine.ts";

export async function sh(machine: Machine, command: string, timeoutMs = 60_000): Promise<string> {
  const r = await machine.control.exec(command, { timeoutMs });
  if (r.exitCode !== 0) {
    throw new Error(`guest command failed (${r.exitCode}): ${command}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return r.stdout;
}

/** Polls a guest command until its output satisfies `done`; returns that output. */
export async function waitForOutput(
  machine: Machine,
  command: string,
  done: (out: string) => boolean,
  timeoutMs = 60_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const r = await machine.control.exec(command, { timeoutMs });
    last = r.stdout;
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting on: ${command}\nlast output: ${last}`);
}

/** Waits until a livepatch's transition is over (without forcing it). */
export async function waitTransition(machine: Machine, patch: string, timeoutMs = 60_000): Promise<void> {
  await waitForOutput(
    machine,
    `cat /sys/kernel/livepatch/${patch}/transition 2>/dev/null || echo gone`,
    (out) => out.trim() === "0" || out.trim() === "gone",
    timeoutMs,
  );
}

/** Disables a livepatch, waits for the unpatch transition and unloads the module. */
export async function unloadPatch(machine: Machine, patch: string, module = patch): Promise<void> {
  await sh(machine, `echo 0 > /sys/kernel/livepatch/${patch}/enabled`);
  await waitForOutput(machine, `test -d /sys/kernel/livepatch/${patch} && echo present || echo gone`, (o) => o.trim() === "gone");
  await sh(machine, `rmmod ${module}`);
}
