import type { Sample } from "./types.ts";

export const sleepingTask: Sample = {
  id: "sleeper",
  title: "Consistency model: a task sleeping in the patched function",
  shows:
    "A task can only switch to the new code when none of the patched functions is on its stack. `sleep 30` waits in do_nanosleep(), which GCC inlined into hrtimer_nanosleep() and hrtimer_nanosleep_restart(): the build patches those two instead (its log says so), and the transition waits for the sleeping task.",
  before: ["sleep 30 &"],
  tryIt: ["sleep 1; dmesg | tail -n 3"],
  expect:
    "After Apply, the Live patch panel shows the transition in progress: `sleep` pending, hrtimer_nanosleep on its kernel stack. After 15 s the kernel sends it a fake signal: the sleep is interrupted, the task switches on its way back to user space, its nanosleep restarts in the new code, and the transition completes. Later sleeps log “sleeps in the patched do_nanosleep”.",
  check: { command: 'sleep 1; dmesg | grep -q "sleeps in the patched do_nanosleep"', passes: "the transition completed and a new sleep ran the patched code" },
  diff: String.raw`--- a/kernel/time/hrtimer.c
+++ b/kernel/time/hrtimer.c
@@ -2086,6 +2086,8 @@ static int __sched do_nanosleep(struct hrtimer_sleeper *t, enum hrtimer_mode mod
 {
 	struct restart_block *restart;
 
+	pr_info("klp: %s[%d] sleeps in the patched do_nanosleep\n", current->comm, current->pid);
+
 	do {
 		set_current_state(TASK_INTERRUPTIBLE|TASK_FREEZABLE);
 		hrtimer_sleeper_start_expires(t, mode);
`,
};
