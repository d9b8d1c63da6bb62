// The livepatch state of a running kernel, read from sysfs and procfs by a
// short guest script and parsed into data for the page's state panel and the
// CLI. The script travels with each request, so it needs no image rebuild.

export interface LivepatchFunction {
  name: string;
  sympos: number;
}

export interface LivepatchObject {
  /** "vmlinux" or a module name. */
  name: string;
  functions: LivepatchFunction[];
}

export interface LivepatchPatch {
  name: string;
  enabled: boolean;
  /** A transition (patching or unpatching) is in progress. */
  transition: boolean;
  objects: LivepatchObject[];
}

export type TaskPatchState = "patched" | "unpatched" | "none";

export interface LivepatchTask {
  pid: number;
  comm: string;
  /** /proc/<pid>/patch_state: -1 none (no transition), 0 unpatched, 1 patched. */
  patchState: TaskPatchState;
  /** Still to switch in the current transition: what blocks it. */
  pending: boolean;
  /** Kernel stack of a pending task (why it cannot switch yet). */
  stack?: string[];
}

export interface LivepatchState {
  patches: LivepatchPatch[];
  /** The transition in progress, if any, and the state tasks are moving to. */
  transition: { patch: string; target: "patched" | "unpatched" } | null;
  tasks: LivepatchTask[];
}

/** POSIX sh (busybox ash), builtins only in the loops: a fork costs ~30 ms under emulation. */
export const LIVEPATCH_STATE_SCRIPT = `
cd /sys/kernel/livepatch 2>/dev/null || exit 0
target=
for p in *; do
  [ -d "$p" ] || continue
  read en < "$p/enabled"; read tr < "$p/transition"
  echo "P $p $en $tr"
  [ "$tr" = 1 ] && target=$en
  for o in "$p"/*/; do
    o=\${o%/}; o=\${o##*/}
    for f in "$p/$o"/*/; do [ -d "$f" ] && { f=\${f%/}; echo "F $p $o \${f##*/}"; }; done
  done
done
for d in /proc/[0-9]*; do
  pid=\${d#/proc/}
  read st < "$d/patch_state" 2>/dev/null || continue
  read comm < "$d/comm" 2>/dev/null
  echo "T $pid $st $comm"
  if [ -n "$target" ] && [ "$st" != -1 ] && [ "$st" != "$target" ]; then
    while read line; do echo "S $pid $line"; done < "$d/stack" 2>/dev/null
  fi
done
`;

export function parseLivepatchState(output: string): LivepatchState {
  const patches = new Map<string, LivepatchPatch>();
  const tasks = new Map<number, LivepatchTask>();
  let transition: LivepatchState["transition"] = null;
  for (const line of output.split("\n")) {
    const [kind, ...f] = line.split(" ");
    if (kind === "P" && f.length >= 3) {
      const patch: LivepatchPatch = { name: f[0]!, enabled: f[1] === "1", transition: f[2] === "1", objects: [] };
      patches.set(patch.name, patch);
      if (patch.transition) transition = { patch: patch.name, target: patch.enabled ? "patched" : "unpatched" };
    } else if (kind === "F" && f.length >= 3) {
      const patch = patches.get(f[0]!);
      if (!patch) continue;
      let object = patch.objects.find((o) => o.name === f[1]);
      if (!object) patch.objects.push((object = { name: f[1]!, functions: [] }));
      const [name, pos] = f[2]!.split(",");
      object.functions.push({ name: name!, sympos: Number(pos ?? 0) });
    } else if (kind === "T" && f.length >= 2) {
      const pid = Number(f[0]);
      const st = f[1];
      tasks.set(pid, {
        pid,
        comm: f.slice(2).join(" "),
        patchState: st === "1" ? "patched" : st === "0" ? "unpatched" : "none",
        pending: false,
      });
    } else if (kind === "S" && f.length >= 1) {
      const task = tasks.get(Number(f[0]));
      if (task) (task.stack ??= []).push(f.slice(1).join(" "));
    }
  }
  const all = [...tasks.values()].sort((a, b) => a.pid - b.pid);
  if (transition) {
    for (const t of all) t.pending = t.patchState !== "none" && t.patchState !== transition.target;
  }
  return { patches: [...patches.values()], transition, tasks: all };
}
