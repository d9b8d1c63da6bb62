// The three roads to rebootless patching and their merge upstream, as the
// "Three roads" lab and `klp models` tell them: who built each, when, how it
// keeps patched code consistent, what it costs, and where that is written.
// Each consistency model of our kernel (images/kernel/patches/0005-…) stands
// for one of them.
import type { ConsistencyModel } from "./record.ts";

export interface Road {
  model: ConsistencyModel;
  /** The name people know it by. */
  title: string;
  who: string;
  /** How it keeps old and new code apart, in a few sentences a tutorial can quote. */
  how: string;
  cost: string;
  /** Where the facts come from (primary sources). */
  sources: string[];
}

export const ROADS: readonly Road[] = [
  {
    model: "stop-machine",
    title: "Ksplice / kpatch (stop_machine)",
    who: "Ksplice: Jeff Arnold and M. Frans Kaashoek (MIT), 2008; kpatch: Red Hat, 2014.",
    how:
      "The whole machine is stopped (stop_machine); while nothing runs, every thread's stack is checked for the functions " +
      "being replaced. If none is in use, all of them switch at once and the machine resumes; if one is, the machine resumes " +
      "unpatched and the check is tried again later, and after a few tries the update is abandoned. Ksplice also checks, before " +
      "patching, that the code it replaces is byte for byte what it was built against (run-pre matching).",
    cost:
      "Every CPU stops for the check (a latency spike on a busy machine), and a function that is always on some stack " +
      "(a sleeping task's, a kthread loop) can never be patched this way.",
    sources: [
      "J. Arnold, M. F. Kaashoek, “Ksplice: Automatic Rebootless Kernel Updates”, EuroSys 2009 (stop_machine, the stack check with retries, run-pre matching; 56 of 64 x86-32 security patches applied with no new code).",
      "LWN, “kpatch: dynamic kernel patching” (Red Hat's announcement, 2014): stop_machine and a backtrace check of every task.",
    ],
  },
  {
    model: "lazy",
    title: "kGraft (lazy universes)",
    who: "SUSE (Jiří Kosina, Vojtěch Pavlík), 2014.",
    how:
      "Nothing stops. Each task lives in the old or the new \"universe\" and moves to the new one on its own at a safe moment: " +
      "when it crosses the kernel/user boundary, the idle task in its idle loop, kernel threads at annotated points of their main " +
      "loops. Until every task has moved, old and new code run side by side, each task consistently on one side.",
    cost:
      "No stop, but a task that never leaves the kernel (a sleeper, an unannotated kernel thread) holds the transition open; " +
      "kernel threads need annotations.",
    sources: [
      "LWN, “The initial kGraft submission” (2014): per-task universes, switching at kernel exit, no stop_machine.",
      "SUSE, Developer Notes, “kGraft and Kernel Threads”: user threads migrate when they exit a system call; freezable kthreads at try_to_freeze(), kthread_worker threads automatically, others at annotated points.",
    ],
  },
  {
    model: "hybrid",
    title: "Upstream livepatch (hybrid, since 4.12)",
    who: "Merged into Linux: the core in 4.0 (2015), the consistency model by Josh Poimboeuf in 4.12 (2017).",
    how:
      "kGraft's per-task switching combined with kpatch's stack checks: a sleeping task switches as soon as a reliable stack " +
      "trace shows none of the patched functions; others switch when they return to user space or go idle. Tasks that stay " +
      "blocked get a fake signal, and an administrator can force the transition.",
    cost: "No stop of the machine; a task sleeping inside a patched function waits for the fake signal (or force).",
    sources: [
      "Linux, Documentation/livepatch/livepatch.rst, “Consistency model”: stack checking, kernel exit, idle loop, fake signal, force.",
    ],
  },
  {
    model: "immediate",
    title: "Upstream 4.0–4.11 (no consistency model)",
    who: "Linux 4.0 (2015): the livepatch core without a consistency model.",
    how: "Every task switches at once, with no check: a task already inside an old function continues there and then calls new code.",
    cost:
      "Nothing waits, and nothing guarantees consistency: a patch whose changes only make sense together can be seen half " +
      "applied (an old caller with a new callee).",
    sources: [
      "Linux v4.0, kernel/livepatch/core.c: the ftrace handler always runs the newest replacement of a function; there is no per-task patch state.",
      "Linux, Documentation/livepatch/livepatch.rst, “Consistency model” (added with 4.12).",
    ],
  },
];

export function roadOf(model: ConsistencyModel): Road {
  return ROADS.find((r) => r.model === model)!;
}
