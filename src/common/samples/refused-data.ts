import type { Sample } from "./types.ts";

export const refusedData: Sample = {
  id: "refused",
  title: "Refused: changing existing data",
  shows: "overflowuid is a variable the running kernel already holds in memory. A live patch replaces functions, not data: a new initial value would never reach the running kernel, so the build refuses the patch.",
  tryIt: [],
  expect: "Build fails with: existing data can't be changed by a live patch — use a shadow variable, or set the new value from a patched function instead.",
  refused: "Live patches redirect functions; they never rewrite variables the kernel already holds, because nothing can tell what their current value means. Keep the initial value and change the code that reads it, or keep new state in a shadow variable (see the shadow sample).",
  diff: String.raw`--- a/kernel/sys.c
+++ b/kernel/sys.c
@@ -161,7 +161,7 @@
  * architectures that now have 32-bit UID/GID but didn't in the past
  */
 
-int overflowuid = DEFAULT_OVERFLOWUID;
+int overflowuid = 12345;
 int overflowgid = DEFAULT_OVERFLOWGID;
 
 EXPORT_SYMBOL(overflowuid);
`,
};
