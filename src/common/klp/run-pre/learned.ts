// Targets learned from the running code (Ksplice's run-pre matching): the
// first reference to a target tells its address, every later one must agree.
import type { LearnedTarget } from "./types.ts";

export class LearnedTargets {
  private readonly byKey = new Map<string, LearnedTarget>();

  get(key: string): LearnedTarget | undefined {
    return this.byKey.get(key);
  }

  learn(key: string, entry: Omit<LearnedTarget, "uses">): LearnedTarget {
    const t: LearnedTarget = { ...entry, uses: 1 };
    this.byKey.set(key, t);
    return t;
  }

  /** In the order they were learned. */
  list(): LearnedTarget[] {
    return [...this.byKey.values()];
  }
}
