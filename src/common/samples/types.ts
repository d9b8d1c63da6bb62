// A sample patch for the gallery: the diff and what to do with it.

export interface Sample {
  /** Stable id, used by `?sample=<id>` in embed mode and by tests. */
  id: string;
  title: string;
  /** What the sample demonstrates, in a sentence or two. */
  shows: string;
  /** Commands to type in the terminal before Apply (to set the scene). */
  before?: string[];
  /** Commands to type in the terminal once the patch is applied. */
  tryIt: string[];
  /** What the person should see. */
  expect: string;
  /** Set for a patch the build refuses on purpose: why, in words a newcomer understands. */
  refused?: string;
  /** Features the build pipeline must provide for this sample beyond the kernel tree. */
  needs?: string[];
  /** A unified diff against the kernel tree of our image (paths a/… b/…). */
  diff: string;
}
