import type { Sample } from "./types.ts";

export const sleepingTask: Sample = {
  id: "sleeper",
  title: "Consistency model: a task sleeping in the patched function",
  shows: "A task can only switch to the new code when none of the patched functions is on its stack. `sleep 30` waits inside do_nanosleep, so the transition stays pending until it wakes up — or until you send it a fake signal from the Live patch panel.",
  before: ["sleep 30 &"],
  tryIt: ["sleep 1; dmesg | tail -n 3"],
  expect: "After Apply, the Live patch panel shows the transition in progress with `sleep` pending and do_nanosleep on its kernel stack. Press “Send fake signal” (or wait 30 s): the transition completes, and later sleeps log “sleeps in the patched do_nanosleep”.",
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
