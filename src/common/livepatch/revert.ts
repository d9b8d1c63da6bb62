// Reverting a live patch as a person would in the guest's shell: disable it,
// wait for every task to switch back, rmmod. One implementation for the
// page (TargetClient) and Node (Machine), over the command they both run.

export interface GuestExec {
  (command: string): Promise<{ exitCode: number; stdout: string; stderr: string }>;
}

export class RevertError extends Error {
  override readonly name = "RevertError";
  constructor(
    message: string,
    /** Why it cannot go on: for the page to phrase its own advice. */
    readonly why: "not-loaded" | "disable-failed" | "transition-timeout" | "rmmod-failed",
  ) {
    super(message);
  }
}

/** Disables the patch, waits (up to `timeoutMs`) for tasks to switch back, then unloads its module. */
export async function revertLivepatch(exec: GuestExec, name: string, timeoutMs = 60_000, pollMs = 250): Promise<void> {
  const dir = `/sys/kernel/livepatch/${name}`;
  const off = await exec(`[ -d ${dir} ] || exit 3; [ "$(cat ${dir}/enabled)" = 0 ] || echo 0 > ${dir}/enabled`);
  if (off.exitCode === 3) throw new RevertError(`${name} is not loaded`, "not-loaded");
  if (off.exitCode !== 0) throw new RevertError(`could not disable ${name}: ${(off.stderr || off.stdout).trim()}`, "disable-failed");
  const t0 = performance.now();
  for (;;) {
    const t = (await exec(`cat ${dir}/transition 2>/dev/null || echo gone`)).stdout.trim();
    if (t !== "1") break;
    if (performance.now() - t0 > timeoutMs) {
      throw new RevertError(`${name}: tasks are still running the patched code after ${timeoutMs / 1000} s`, "transition-timeout");
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const rm = await exec(`grep -q '^${name} ' /proc/modules || exit 0; rmmod ${name}`);
  if (rm.exitCode !== 0) {
    const forced = /in use|busy/i.test(rm.stderr) ? " (a forced patch stays pinned in memory until reboot)" : "";
    throw new RevertError(`rmmod ${name}: ${rm.stderr.trim() || "failed"}${forced}`, "rmmod-failed");
  }
}
