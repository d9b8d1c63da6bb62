import type { Sample } from "./types.ts";

export const callbacks: Sample = {
  id: "callbacks",
  title: "Callbacks: code that runs around patching",
  shows: "kpatch-style callbacks (KPATCH_PRE_PATCH_CALLBACK and friends) run before and after the switch, in both directions: the place to check that patching is safe or to set up state.",
  tryIt: ["dmesg | tail -n 4","cat /proc/cmdline"],
  expect: "dmesg shows the pre-patch and post-patch messages; after Revert, the pre-unpatch and post-unpatch ones.",
  // linux/kpatch-macros.h is not in the kernel tree: the build pipeline provides it (as kpatch does).
  check: { command: 'dmesg | grep -q "klp demo: post-patch"', passes: "the post-patch callback ran" },
  diff: String.raw`--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -3,10 +3,41 @@
 #include <linux/init.h>
 #include <linux/proc_fs.h>
 #include <linux/seq_file.h>
+#include <linux/kpatch-macros.h>
 #include "internal.h"
+
+/*
+ * Callbacks run around the switch to and from the new code: the place to
+ * check that patching is safe, or to fix up state the new code expects.
+ */
+static int klp_demo_pre_patch(patch_object *obj)
+{
+	pr_info("klp demo: pre-patch: all checks passed, patching\n");
+	return 0; /* an error here refuses the patch */
+}
+KPATCH_PRE_PATCH_CALLBACK(klp_demo_pre_patch);
 
+static void klp_demo_post_patch(patch_object *obj)
+{
+	pr_info("klp demo: post-patch: every task runs the new code\n");
+}
+KPATCH_POST_PATCH_CALLBACK(klp_demo_post_patch);
+
+static void klp_demo_pre_unpatch(patch_object *obj)
+{
+	pr_info("klp demo: pre-unpatch: going back to the old code\n");
+}
+KPATCH_PRE_UNPATCH_CALLBACK(klp_demo_pre_unpatch);
+
+static void klp_demo_post_unpatch(patch_object *obj)
+{
+	pr_info("klp demo: post-unpatch: the old code is back\n");
+}
+KPATCH_POST_UNPATCH_CALLBACK(klp_demo_post_unpatch);
+
 static int cmdline_proc_show(struct seq_file *m, void *v)
 {
+	seq_puts(m, "[with callbacks] ");
 	seq_puts(m, saved_command_line);
 	seq_putc(m, '\n');
 	return 0;
`,
};
