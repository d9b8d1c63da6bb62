// KPATCH_FORCE_UNSAFE on the livepatch core. kpatch's own core skipped the
// stack check for a marked function; livepatch has no such per-function
// switch, only /sys/kernel/livepatch/<patch>/force, which switches every
// task at once. Forcing is what the patch's author asked for only when each
// task still blocking the transition is blocked by marked functions alone.
import type { LivepatchTask } from "./state.ts";

/** The function name in a /proc/<pid>/stack line ("[<0>] do_nanosleep+0x5c/0x150"). */
function stackFunction(line: string): string | undefined {
  return /(?:^|\s)([A-Za-z_][\w.]*)\+0x/.exec(line)?.[1];
}

/**
 * Whether forcing honours the marks. When every patched function is marked,
 * nothing the patch replaces may hold a task back, so any stall is forced
 * (/proc/<pid>/stack does not show a sleeping task's innermost `__sched`
 * frames, e.g. do_nanosleep, so a stack check could not see them). Otherwise
 * every blocking task must show a patched function on its stack, all of
 * them marked; a task blocked for another reason keeps the transition waiting.
 */
export function blockedOnlyByForced(tasks: readonly LivepatchTask[], patched: readonly string[], marked: readonly string[]): boolean {
  if (tasks.length === 0 || marked.length === 0) return false;
  const patchedSet = new Set(patched);
  const markedSet = new Set(marked);
  if (patched.every((f) => markedSet.has(f))) return true;
  return tasks.every((t) => {
    const onStack = (t.stack ?? []).map(stackFunction).filter((f): f is string => f !== undefined && patchedSet.has(f.replace(/\.(isra|constprop|part)\.\d+$/, "")));
    return onStack.length > 0 && onStack.every((f) => markedSet.has(f.replace(/\.(isra|constprop|part)\.\d+$/, "")));
  });
}
