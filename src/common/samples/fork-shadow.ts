import type { Sample } from "./types.ts";

export const forkShadow: Sample = {
  id: "fork-shadow",
  title: "One patch, three files: a shadow variable from fork to exit",
  shows:
    "A patch may change functions in several files; they go into one module and switch together. kernel_clone() (kernel/fork.c) attaches a fork number to every new task as a shadow variable, do_exit() (kernel/exit.c) frees it, and /proc/<pid>/status (fs/proc/array.c) shows it. The counters are new globals of the patch, shared across the files.",
  tryIt: ["grep Klp /proc/self/status", "grep Klp /proc/self/status", "grep Klp /proc/1/status || echo 'init: forked before the patch, no shadow variable'"],
  expect:
    "Each process started after the patch gets the next number (the playground's own helper processes take numbers too), and the count of live ones stays small: do_exit() frees the shadow variable of every process that ends. init predates the patch and has none.",
  check: { command: "grep -q KlpFork /proc/self/status", passes: "a task forked now has its KlpFork line" },
  diff: String.raw`--- a/kernel/fork.c
+++ b/kernel/fork.c
@@ -15,6 +15,7 @@
 #include <linux/anon_inodes.h>
 #include <linux/slab.h>
 #include <linux/sched/autogroup.h>
+#include <linux/livepatch.h>
 #include <linux/sched/mm.h>
 #include <linux/sched/coredump.h>
 #include <linux/sched/user.h>
@@ -115,7 +116,14 @@
 #include <asm/tlbflush.h>
 
 #include <trace/events/sched.h>
+
+/* Shared by fork.c, exit.c and proc/array.c: the shadow variable's id. */
+#define KLP_SHADOW_FORK_SEQ 0x6b6c7002
 
+/* Processes forked since the patch was applied, and how many of them are alive. */
+static atomic_t klp_fork_seq = ATOMIC_INIT(0);
+atomic_t klp_fork_live = ATOMIC_INIT(0);
+
 #define CREATE_TRACE_POINTS
 #include <trace/events/task.h>
 
@@ -2857,6 +2865,20 @@ pid_t kernel_clone(struct kernel_clone_args *args)
 		task_lock(p);
 		lru_gen_add_mm(p->mm);
 		task_unlock(p);
+	}
+
+	/*
+	 * struct task_struct has no room for a fork number, and a live patch
+	 * cannot change its layout: hang one off the new task instead.
+	 */
+	{
+		int *seq = klp_shadow_alloc(p, KLP_SHADOW_FORK_SEQ, sizeof(*seq),
+					    GFP_KERNEL, NULL, NULL);
+
+		if (seq) {
+			*seq = atomic_inc_return(&klp_fork_seq);
+			atomic_inc(&klp_fork_live);
+		}
 	}
 
 	wake_up_new_task(p);
--- a/kernel/exit.c
+++ b/kernel/exit.c
@@ -7,6 +7,7 @@
 
 #include <linux/mm.h>
 #include <linux/slab.h>
+#include <linux/livepatch.h>
 #include <linux/sched/autogroup.h>
 #include <linux/sched/mm.h>
 #include <linux/sched/stat.h>
@@ -73,6 +74,10 @@
 #include <uapi/linux/wait.h>
 
 #include <asm/unistd.h>
+
+/* Shared by fork.c, exit.c and proc/array.c: the shadow variable's id. */
+#define KLP_SHADOW_FORK_SEQ 0x6b6c7002
+extern atomic_t klp_fork_live;
 #include <asm/mmu_context.h>
 
 #include "exit.h"
@@ -880,6 +885,12 @@ void __noreturn do_exit(long code)
 	int group_dead;
 
 	WARN_ON(irqs_disabled());
+
+	/* Tasks forked before the patch have none: nothing to free. */
+	if (klp_shadow_get(tsk, KLP_SHADOW_FORK_SEQ)) {
+		klp_shadow_free(tsk, KLP_SHADOW_FORK_SEQ, NULL);
+		atomic_dec(&klp_fork_live);
+	}
 
 	synchronize_group_exit(tsk, code);
 
--- a/fs/proc/array.c
+++ b/fs/proc/array.c
@@ -92,9 +92,14 @@
 #include <linux/fs_struct.h>
 #include <linux/kthread.h>
 #include <linux/mmu_context.h>
+#include <linux/livepatch.h>
 
 #include <asm/processor.h>
 #include "internal.h"
+
+/* Shared by fork.c, exit.c and proc/array.c: the shadow variable's id. */
+#define KLP_SHADOW_FORK_SEQ 0x6b6c7002
+extern atomic_t klp_fork_live;
 
 void proc_task_name(struct seq_file *m, struct task_struct *p, bool escape)
 {
@@ -461,6 +466,13 @@ int proc_pid_status(struct seq_file *m, struct pid_namespace *ns,
 	cpuset_task_status_allowed(m, task);
 	task_context_switch_counts(m, task);
 	arch_proc_pid_thread_features(m, task);
+	{
+		int *seq = klp_shadow_get(task, KLP_SHADOW_FORK_SEQ);
+
+		if (seq)
+			seq_printf(m, "KlpFork:\tnumber %d since the patch, %d alive\n",
+				   *seq, atomic_read(&klp_fork_live));
+	}
 	return 0;
 }
 
`,
};
