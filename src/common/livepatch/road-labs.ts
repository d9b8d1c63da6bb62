// Labs for the "Three roads" comparison: a patch, the workload that makes
// the roads differ, and what each road should show. The page's lab and
// `klp models` run them; the e2e test checks each road's distinct outcome.
import type { ConsistencyModel } from "./record.ts";
import { sleepingTask } from "../samples/sleeping-task.ts";

export interface RoadLab {
  id: string;
  title: string;
  /** What to watch for, in a sentence a speaker can say. */
  shows: string;
  diff: string;
  /** Started in the background before the patch is loaded. */
  workload: string;
  /** Run once the transition has ended; its output is the visible result (optional). */
  after?: string;
  /** What each road shows with this lab. */
  expect: Record<ConsistencyModel, string>;
}

export const ROAD_LABS: readonly RoadLab[] = [
  {
    id: "roads-sleeper",
    title: "A task sleeping in the patched function",
    shows:
      "`sleep 40` waits inside hrtimer_nanosleep(), which the patch replaces. Each road deals differently with a task that sits in the old code.",
    workload: "sleep 40",
    // The gallery's sleeper sample: the same patch, run down each road.
    diff: sleepingTask.diff,
    expect: {
      immediate: "Done at once, no check: every task is declared switched, although the sleeper is still inside the old function.",
      "stop-machine": "Five stops of the whole machine, one second apart; each finds `sleep` in the old code and gives up; then the transition is aborted and the patch removed.",
      lazy: "No stack checks: tasks switch as they return to user space, kernel threads at their safe points; the sleeper only after the fake signal (15 s).",
      hybrid: "Stack checks switch almost every task at once; the sleeper, with the patched function on its stack, waits for the fake signal (15 s).",
    },
  },
  {
    id: "roads-contract",
    title: "Old caller, new callee: why consistency exists",
    shows:
      "The patch changes a contract between two functions: wait_task_zombie() now hands the wait status of `sleep` children over encoded, and kernel_wait4() decodes it. A shell waits for `sleep 12` inside the OLD kernel_wait4() while the patch goes in.",
    workload: 'rm -f /tmp/road.out; sleep 12; echo "sleep exited with status $?" > /tmp/road.out',
    after: "i=0; while [ ! -s /tmp/road.out ] && [ $i -lt 30 ]; do sleep 1; i=$((i+1)); done; cat /tmp/road.out",
    diff: String.raw`--- a/kernel/exit.c
+++ b/kernel/exit.c
@@ -1234,6 +1234,13 @@
 		getrusage(p, RUSAGE_BOTH, wo->wo_rusage);
 	status = (p->signal->flags & SIGNAL_GROUP_EXIT)
 		? p->signal->group_exit_code : p->exit_code;
+	/*
+	 * Lab: a new contract between this function and kernel_wait4(). For
+	 * sleep children the status travels with its exit byte flipped and
+	 * bit 16 set; kernel_wait4() undoes both. Either half alone is wrong.
+	 */
+	if (!strcmp(p->comm, "sleep"))
+		status = (status ^ 0x100) | 0x10000;
 	wo->wo_stat = status;
 
 	if (state == EXIT_TRACE) {
@@ -1852,6 +1859,8 @@
 	wo.wo_rusage	= ru;
 	ret = do_wait(&wo);
 	put_pid(pid);
+	if (wo.wo_stat & 0x10000)
+		wo.wo_stat = (wo.wo_stat & 0xffff) ^ 0x100;
 	if (ret > 0 && stat_addr && put_user(wo.wo_stat, stat_addr))
 		ret = -EFAULT;
 
@@ -1868,6 +1877,8 @@
 	int ret;
 
 	ret = do_wait(&wo);
+	if (wo.wo_stat & 0x10000)
+		wo.wo_stat = (wo.wo_stat & 0xffff) ^ 0x100;
 	if (ret > 0 && wo.wo_stat)
 		*stat = wo.wo_stat;
 	put_pid(wo.wo_pid);
`,
    expect: {
      immediate: "The waiting shell runs the old kernel_wait4() with the new wait_task_zombie(): it reads the encoded status and reports “sleep exited with status 1”. Wrong, and nobody was told.",
      "stop-machine": "The waiting shell has kernel_wait4() on its stack: every stop finds it, the transition is aborted, and the status is right (0).",
      lazy: "The shell stays in the old universe until it returns to user space, so it runs old code on both sides: status 0.",
      hybrid: "The shell's stack holds kernel_wait4(), so it is not switched until it returns: old code on both sides, status 0.",
    },
  },
];

export function roadLab(id: string): RoadLab | undefined {
  return ROAD_LABS.find((l) => l.id === id);
}
