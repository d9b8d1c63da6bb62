import type { Sample } from "./types.ts";

export const meminfo: Sample = {
  id: "meminfo",
  title: "Add a field to /proc/meminfo",
  shows: "A patched function can print more than before: meminfo_proc_show gains a new line at the end, without a reboot.",
  tryIt: ["tail -n 3 /proc/meminfo"],
  expect: "A last line “LivePatched: yes”.",
  check: { command: 'grep -q "^LivePatched: *yes" /proc/meminfo', passes: "/proc/meminfo has the “LivePatched: yes” line" },
  diff: String.raw`--- a/fs/proc/meminfo.c
+++ b/fs/proc/meminfo.c
@@ -167,6 +167,9 @@ static int meminfo_proc_show(struct seq_file *m, void *v)
 
 	arch_report_meminfo(m);
 
+	/* A new line at the end: tools that parse /proc/meminfo by name keep working. */
+	seq_puts(m, "LivePatched:         yes\n");
+
 	return 0;
 }
 
`,
};
