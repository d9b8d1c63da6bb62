// Apply and Revert as a person would do them in the guest: insmod the
// module copied in over 9p; disable it, wait for the transition, rmmod.
import type { TargetClient } from "./target-client.ts";
import { revertLivepatch, RevertError } from "../../common/livepatch/revert.ts";

export class PatchLoadError extends Error {
  override readonly name = "PatchLoadError";
  constructor(
    message: string,
    readonly detail = "",
  ) {
    super(message);
  }
}

/** Common insmod refusals, in words a newcomer understands. */
function explainInsmod(out: string, log: string): string {
  if (/File exists/.test(out)) return "a module with this name is already loaded: Revert it first";
  if (/Invalid module format|disagrees about version/.test(out + log)) return "the kernel refused the module's format (it was built for another kernel)";
  if (/Unknown symbol/.test(log)) return "the module uses a symbol the kernel does not export";
  if (/not enabled|livepatch: .*failed/.test(log)) return "the livepatch core refused the patch: see the kernel log below";
  return out.trim() || "insmod failed";
}

export async function applyModule(target: TargetClient, name: string, module: Uint8Array): Promise<void> {
  const r = await target.loadModule(name, module);
  if (r.exitCode !== 0) {
    const log = (await target.exec("dmesg | tail -n 8")).stdout.trim();
    throw new PatchLoadError(`insmod ${name}.ko: ${explainInsmod(r.stderr || r.stdout, log)}`, log);
  }
}

/** Disables the patch, waits (up to `timeoutMs`) for tasks to switch back, then unloads it. */
export async function revertPatch(target: TargetClient, name: string, timeoutMs = 60_000): Promise<void> {
  try {
    await revertLivepatch((command) => target.exec(command), name, timeoutMs);
  } catch (e) {
    if (!(e instanceof RevertError)) throw e;
    const advice = e.why === "transition-timeout" ? "; see the Live patch panel (send a fake signal, or force)" : e.why === "rmmod-failed" && /pinned/.test(e.message) ? ": use Reset target" : "";
    throw new PatchLoadError(`${e.message}${advice}`);
  }
}

/**
 * After an atomic replace the old patch disables itself; its module stays
 * loaded until removed. Waits for the old patch to leave sysfs, then unloads
 * it (best effort: a module that cannot go yet stays, and says nothing).
 */
export async function unloadReplaced(target: TargetClient, name: string, timeoutMs = 60_000): Promise<void> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    const r = await target.exec(`[ -d /sys/kernel/livepatch/${name} ] && echo present || echo gone`);
    if (r.stdout.trim() === "gone") {
      await target.exec(`grep -q '^${name} ' /proc/modules && rmmod ${name}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
