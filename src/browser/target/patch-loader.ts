// Apply and Revert for the page: the shared lifecycle (src/common/livepatch)
// on the target worker's machine, with the page's words for what to do next.
import type { TargetClient } from "./target-client.ts";
import { forceTransition, insertModule, KlpLoadError, unloadReplaced as unloadReplacedOn, type ModuleGuest } from "../../common/livepatch/load.ts";
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

/** The target as the shared lifecycle sees it. */
function guestOf(target: TargetClient): ModuleGuest {
  return { exec: (command, options) => target.exec(command, options?.timeoutMs), putFile: (name, bytes) => target.putFile(name, bytes) };
}

export async function applyModule(target: TargetClient, name: string, module: Uint8Array): Promise<void> {
  try {
    await insertModule(guestOf(target), name, module);
  } catch (e) {
    if (!(e instanceof KlpLoadError)) throw e;
    throw new PatchLoadError(`${e.message}${e.why === "exists" ? ": Revert it first" : ""}`, e.detail);
  }
}

/** Disables the patch, waits (up to `timeoutMs`) for tasks to switch back, then unloads it. */
export async function revertPatch(target: TargetClient, name: string, timeoutMs = 60_000): Promise<void> {
  try {
    await revertLivepatch((command) => target.exec(command), name, timeoutMs);
  } catch (e) {
    if (!(e instanceof RevertError)) throw e;
    // The kernel signals the blocking tasks by itself (every 15 s); what is left to the person is Force.
    const advice = e.why === "transition-timeout" ? "; the Live patch panel shows the tasks that block it (Force… switches them without checking)" : e.why === "rmmod-failed" && /pinned/.test(e.message) ? ": use Reset target" : "";
    throw new PatchLoadError(`${e.message}${advice}`);
  }
}

/** The module an atomic replace superseded, unloaded once its patch is gone (best effort). */
export function unloadReplaced(target: TargetClient, name: string, timeoutMs = 60_000): Promise<void> {
  return unloadReplacedOn(guestOf(target), name, timeoutMs);
}

/** Force…: every task switches without a stack check; the kernel pins the module until reboot. */
export function forcePatch(target: TargetClient, name: string): Promise<void> {
  return forceTransition(guestOf(target), name);
}
