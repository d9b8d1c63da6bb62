import type { Sample } from "./types.ts";

export const shadow: Sample = {
  id: "shadow",
  title: "Shadow variable: a new field for an existing object",
  shows: "A live patch cannot change the layout of a struct that is already in use. klp_shadow_get_or_alloc() attaches extra data to an existing object (here the inode of /proc/version) and finds it again later.",
  tryIt: ["cat /proc/version","cat /proc/version"],
  expect: "Each read prints a counter that goes up: the state lives in the shadow variable.",
  check: { command: 'a=$(cat /proc/version); b=$(cat /proc/version); [ "$a" != "$b" ] && echo "$b" | grep -q "reads since the patch"', passes: "two reads of /proc/version show different counters" },
  diff: String.raw`--- a/fs/proc/version.c
+++ b/fs/proc/version.c
@@ -2,17 +2,30 @@
 #include <linux/fs.h>
 #include <linux/init.h>
 #include <linux/kernel.h>
+#include <linux/livepatch.h>
 #include <linux/proc_fs.h>
 #include <linux/seq_file.h>
 #include <linux/utsname.h>
 #include "internal.h"
+
+/*
+ * struct inode has no field for a read counter, and a live patch cannot
+ * change its layout: a shadow variable attaches one to the existing object.
+ */
+#define KLP_SHADOW_VERSION_READS 0x6b6c7001
 
 static int version_proc_show(struct seq_file *m, void *v)
 {
+	unsigned int *reads;
+
+	reads = klp_shadow_get_or_alloc(file_inode(m->file), KLP_SHADOW_VERSION_READS,
+					sizeof(*reads), GFP_KERNEL, NULL, NULL);
 	seq_printf(m, linux_proc_banner,
 		utsname()->sysname,
 		utsname()->release,
 		utsname()->version);
+	if (reads)
+		seq_printf(m, "(reads since the patch was applied: %u)\n", ++*reads);
 	return 0;
 }
 
`,
};
