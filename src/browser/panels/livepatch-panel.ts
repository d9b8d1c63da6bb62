// The live patch panel: loaded patches, their functions, and during a
// transition the tasks that still run the old code, with their kernel stacks.
import type { LivepatchState, LivepatchTask } from "../../common/livepatch/state.ts";
import { el } from "../dom.ts";

export interface LivepatchActions {
  force(patch: string): void;
  /** The patch a new one is replacing (klp_patch.replace), until it is gone. */
  replacing?: string | undefined;
}

export function renderLivepatchPanel(host: HTMLElement, state: LivepatchState, actions: LivepatchActions): void {
  if (state.patches.length === 0) {
    host.replaceChildren(el("p", { class: "empty" }, "No live patch loaded. Build a patch (or pick a sample), then Apply."));
    return;
  }
  const parts: Node[] = [];
  const transitionFirst = [...state.patches].sort((a, b) => Number(b.transition) - Number(a.transition));
  if (state.transition) parts.push(transitionBlock(state));
  for (const p of transitionFirst) {
    const replaced = p.name === actions.replacing && !p.transition;
    const badge = p.transition
      ? el("span", { class: "badge warn" }, p.enabled ? "patching…" : "unpatching…")
      : replaced
        ? el("span", { class: "badge off", title: "The new patch replaces this one once every task has switched; then it is unloaded" }, "being replaced")
        : el("span", { class: `badge ${p.enabled ? "ok" : "off"}` }, p.enabled ? "enabled" : "disabled");
    const fns = p.objects.flatMap((o) => o.functions.map((f) => el("code", { title: `in ${o.name}${f.sympos ? `, sympos ${f.sympos}` : ""}` }, `${f.name}()`)));
    const row = el("div", { class: "lp-patch" }, el("div", { class: "lp-title" }, el("strong", {}, p.name), badge), el("div", { class: "lp-funcs" }, ...fns));
    if (p.transition) {
      const force = el("button", { class: "danger", title: "Mark every task as switched, without checking its stack" }, "Force…");
      force.addEventListener("click", () => actions.force(p.name));
      row.append(el("div", { class: "lp-actions" }, force));
    }
    parts.push(row);
  }
  host.replaceChildren(...parts);
}

/** The running transition: counts, what the kernel does about it, each pending task with its stack, the switched ones. */
function transitionBlock(state: LivepatchState): Node {
  const transition = state.transition!;
  const pending = state.tasks.filter((t) => t.pending);
  const done = state.tasks.filter((t) => t.patchState !== "none" && !t.pending).length;
  const others = state.tasks.filter((t) => !t.pending && t.patchState !== "none");
  // What blocks it first (the tasks and their stacks), then what the kernel does about it.
  return el(
    "div",
    { class: "lp-transition-block" },
    el("div", { class: "lp-transition" }, el("strong", {}, `${transition.patch}: transition to ${transition.target}`), ` · ${done} task${done === 1 ? "" : "s"} switched, ${pending.length} pending`),
    ...pending.map(taskRow),
    // kernel/livepatch/transition.c
    el(
      "p",
      { class: "muted lp-explain" },
      "The kernel checks the pending tasks' stacks again every second. After 15 s it sends them a fake signal (kernel threads get a wake-up): " +
        "a task sleeping interruptibly wakes, switches on its way back to user space, and its system call restarts in the new code. " +
        "A task that never leaves a patched function keeps the transition pending until you Revert, or Force it.",
    ),
    others.length
      ? el("details", { class: "lp-others" }, el("summary", {}, `${others.length} switched tasks`), el("div", { class: "lp-task-list" }, ...others.map((t) => el("span", { class: `task ${t.patchState}` }, `${t.comm} (${t.pid})`))))
      : null,
  );
}

function taskRow(t: LivepatchTask): HTMLElement {
  return el(
    "div",
    { class: "lp-pending" },
    el("div", {}, el("span", { class: "badge warn" }, "pending"), " ", el("strong", {}, t.comm), el("span", { class: "muted" }, ` pid ${t.pid} · still ${t.patchState}`)),
    t.stack?.length ? el("pre", { class: "lp-stack" }, t.stack.join("\n")) : null,
  );
}

export const FORCE_WARNING =
  "Force marks every task as switched without checking its stack.\n\n" +
  "This gives up the consistency guarantee: a task may still be running the old code while others run the new one, which can crash the kernel if the two are incompatible.\n\n" +
  "The kernel also pins the module: it can never be unloaded (rmmod refuses) until reboot.\n\nForce the transition?";
