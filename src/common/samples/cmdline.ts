import type { Sample } from "./types.ts";

export const cmdline: Sample = {
  id: "cmdline",
  title: "Change a string: /proc/cmdline",
  shows: "The simplest live patch: one function, cmdline_proc_show, gets new code. The old function stays in memory; ftrace redirects every call to the new one.",
  tryIt: ["cat /proc/cmdline"],
  expect: "Your kernel command line, followed by “[live patched!]”. Revert and run it again: the original is back.",
  check: { command: 'grep -q "live patched" /proc/cmdline', passes: "/proc/cmdline ends with “[live patched!]”" },
  diff: String.raw`--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -8,6 +8,7 @@
 static int cmdline_proc_show(struct seq_file *m, void *v)
 {
 	seq_puts(m, saved_command_line);
+	seq_puts(m, " [live patched!]");
 	seq_putc(m, '\n');
 	return 0;
 }
`,
};
