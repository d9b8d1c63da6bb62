import type { Sample } from "./types.ts";

export const uname: Sample = {
  id: "uname",
  title: "Patch a system call: uname",
  shows: "System calls are ordinary kernel functions: patching sys_newuname changes what every program sees as the kernel release.",
  tryIt: ["uname -r","uname -a"],
  expect: "The release ends with “+livepatch”. /proc/version is printed by other code and does not change.",
  check: { command: 'uname -r | grep -q "+livepatch$"', passes: "the release ends with “+livepatch”" },
  diff: String.raw`--- a/kernel/sys.c
+++ b/kernel/sys.c
@@ -1319,6 +1319,7 @@ SYSCALL_DEFINE1(newuname, struct new_utsname __user *, name)
 	down_read(&uts_sem);
 	memcpy(&tmp, utsname(), sizeof(tmp));
 	up_read(&uts_sem);
+	strlcat(tmp.release, "+livepatch", sizeof(tmp.release));
 	if (copy_to_user(name, &tmp, sizeof(tmp)))
 		return -EFAULT;
 
`,
};
