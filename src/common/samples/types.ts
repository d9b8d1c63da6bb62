// A lab: a patch, its steps (what to run before Apply, what to try, what
// to expect) and a check that says whether the result is there. Every
// sample of the gallery is one; a share link can carry one (title, steps,
// check) and an embed shows its steps and a Check button.

/** A lab's check: a busybox sh command run in the target once the patch is applied; exit status 0 is ✓. */
export interface LabCheck {
  command: string;
  /** What ✓ means, in a sentence. */
  passes: string;
}

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
  /** Runs in the target on the person's Check; none for a patch the build refuses on purpose. */
  check?: LabCheck;
  /** A unified diff against the kernel tree of our image (paths a/… b/…). */
  diff: string;
}

/** The lab format: a sample is a lab (the names say what each is for). */
export type Lab = Sample;
