// The toolchain image (a v86 basefs: fs.json + content-addressed files) as
// the file system the WebAssembly compiler sees: every path of the image,
// filled in lazily when the program first looks a name up. Files are
// normally fetched ahead of a run (prefetch, asynchronously, in parallel);
// one the run asks for unexpectedly (a header a patch newly includes) is
// read synchronously through the platform's fallback.
import { decodeStoredFile, entryType, type BasefsEntry, type BasefsIndex } from "../../images/basefs.ts";
import type { EmscriptenFS, EmscriptenNode } from "./emscripten.ts";

/** How stored files ("<sha256>.zst") are fetched on this platform. */
export interface StoredFileSource {
  fetch(name: string): Promise<Uint8Array>;
  /** The synchronous fallback (Node: readFileSync; a worker: a synchronous request). */
  fetchSync(name: string): Uint8Array;
}

type ImageEntry = { type: "dir" } | { type: "file"; stored: string; size: number } | { type: "symlink"; target: string };

export class ToolchainImage {
  private readonly entries = new Map<string, ImageEntry>();
  private readonly cache = new Map<string, Uint8Array>();
  /** Bytes fetched so far (stored size), for progress and the bench. */
  fetchedBytes = 0;

  constructor(
    index: BasefsIndex,
    private readonly source: StoredFileSource,
  ) {
    const walk = (list: BasefsEntry[], at: string): void => {
      for (const e of list) {
        const path = `${at}/${e[0]}`;
        const type = entryType(e);
        if (type === "dir") {
          this.entries.set(path, { type });
          walk(e[6] as BasefsEntry[], path);
        } else if (type === "file") this.entries.set(path, { type, stored: e[6] as string, size: e[1] });
        else if (type === "symlink") this.entries.set(path, { type, target: e[6] as string });
      }
    };
    walk(index.fsroot, "");
  }

  entry(path: string): ImageEntry | undefined {
    return this.entries.get(path);
  }

  /** Fetches files ahead of a run; paths not in the image are skipped (the run will say so). */
  async prefetch(paths: Iterable<string>, onBytes?: (bytes: number) => void): Promise<void> {
    const wanted = [...new Set(paths)].filter((p) => !this.cache.has(p) && this.entries.get(p)?.type === "file");
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < wanted.length) {
        const path = wanted[next++]!;
        const e = this.entries.get(path) as { stored: string };
        const stored = await this.source.fetch(e.stored);
        this.fetchedBytes += stored.length;
        onBytes?.(this.fetchedBytes);
        this.cache.set(path, decodeStoredFile(e.stored, stored));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  }

  /** A file's bytes: from the cache, else through the synchronous fallback. */
  readSync(path: string): Uint8Array | undefined {
    const hit = this.cache.get(path);
    if (hit) return hit;
    const e = this.entries.get(path);
    if (e?.type !== "file") return undefined;
    const stored = this.source.fetchSync(e.stored);
    this.fetchedBytes += stored.length;
    const data = decodeStoredFile(e.stored, stored);
    this.cache.set(path, data);
    return data;
  }

  /**
   * Makes `fs` show this image (plus `overrides`, absolute path -> bytes,
   * which win over the image and may add files): a directory, file or
   * symlink appears the first time a lookup reaches its name.
   */
  mount(fs: EmscriptenFS, overrides: ReadonlyMap<string, Uint8Array> = new Map()): void {
    const overrideDirs = new Set<string>();
    for (const path of overrides.keys()) {
      for (let d = parentOf(path); d; d = parentOf(d)) overrideDirs.add(d);
    }
    const ops = fs.root.node_ops;
    const original = ops.lookup.bind(ops);
    let filling = false;
    ops.lookup = (parent: EmscriptenNode, name: string): EmscriptenNode => {
      if (filling) return original(parent, name);
      const dir = fs.getPath(parent);
      const path = dir === "/" ? `/${name}` : `${dir}/${name}`;
      const override = overrides.get(path);
      const e = override ? undefined : this.entries.get(path);
      if (!override && !e && !overrideDirs.has(path)) return original(parent, name);
      filling = true;
      try {
        if (override) fs.writeFile(path, override);
        else if (!e || e.type === "dir") fs.mkdir(path);
        else if (e.type === "symlink") fs.symlink(e.target, path);
        else fs.writeFile(path, this.readSync(path) ?? new Uint8Array());
      } finally {
        filling = false;
      }
      return fs.lookupNode(parent, name);
    };
  }
}

function parentOf(path: string): string | undefined {
  const i = path.lastIndexOf("/");
  return i > 0 ? path.slice(0, i) : undefined;
}
