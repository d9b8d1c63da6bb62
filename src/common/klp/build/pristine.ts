// The stages read pristine files synchronously: the applier asks for the
// files a diff names (and, to explain a miss, the same path one directory
// shorter), the planner for a Makefile to name a CONFIG option. The tree
// itself is behind an async reader (9p in the page's worker, the image on
// disk in Node). Rather than guess what a stage will ask for, a stage runs
// against what has been read so far; when it asks for a file not read yet,
// that file is read and the stage runs again. The stages are pure, so a
// rerun asks the same questions, and the page and the CLI read exactly the
// same files.

/** A pristine file of the kernel tree by tree-relative path; undefined when the tree has none. */
export type ReadPristine = (path: string) => Promise<string | undefined>;

/** A stage asked for a file not read yet. Not an Error: only PristineTree.run catches it. */
class NotReadYet {
  constructor(readonly path: string) {}
}

export class PristineTree {
  private readonly files = new Map<string, string | undefined>();

  constructor(private readonly read: ReadPristine) {}

  /**
   * Runs a pure, synchronous stage over the tree, reading the files it asks
   * for. It must not catch what the reader throws (ours do not catch at all).
   */
  async run<T>(stage: (read: (path: string) => string | undefined) => T): Promise<T> {
    for (;;) {
      try {
        return stage((path) => {
          if (this.files.has(path)) return this.files.get(path);
          throw new NotReadYet(path);
        });
      } catch (e) {
        if (!(e instanceof NotReadYet)) throw e;
        this.files.set(e.path, await this.read(e.path));
      }
    }
  }

  /** A file the stages read (undefined for one they did not, or that the tree lacks). */
  get(path: string): string | undefined {
    return this.files.get(path);
  }
}
