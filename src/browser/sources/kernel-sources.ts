// The kernel sources of our build, read on demand from the toolchain image:
// the list from kbuild.json (every compiled .c and every header it read),
// the text from the image's content-addressed, zstd-compressed files.
import { basefsFilesBase, decodeStoredFile, findBasefsFile, type BasefsIndex } from "../../common/images/basefs.ts";
import type { KbuildIndex } from "../../common/kbuild/index-format.ts";
import type { ImagesManifest } from "../../common/images/manifest.ts";
import { fetchArtifact } from "../images.ts";

export interface SourceEntry {
  path: string;
  kind: "c" | "header";
  /** Only vmlinux code can be live patched here: shown in the list. */
  patchable: boolean;
}

export class KernelSources {
  private index: Promise<BasefsIndex> | undefined;
  private readonly cache = new Map<string, string | undefined>();
  private readonly inflight = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly imagesBase: string,
    private readonly manifest: ImagesManifest,
    /** Where the tree sits in the toolchain image. */
    private readonly treeDir = "build/linux",
  ) {}

  /** Every source file of the build, most useful first. */
  async list(): Promise<SourceEntry[]> {
    const raw = await fetchArtifact(this.imagesBase, this.manifest, "kbuild");
    const kbuild = JSON.parse(new TextDecoder().decode(raw)) as KbuildIndex;
    const out = new Map<string, SourceEntry>();
    for (const o of Object.values(kbuild.objects)) {
      if (o.language !== "c" || out.has(o.source)) continue;
      out.set(o.source, { path: o.source, kind: "c", patchable: o.kind === "vmlinux" });
    }
    for (const h of kbuild.headers) {
      if (!out.has(h) && !h.startsWith("/")) out.set(h, { path: h, kind: "header", patchable: true });
    }
    // Live-patchable .c files first, then headers, then boot and module code.
    const rank = (e: SourceEntry) => (!e.patchable ? 2 : e.kind === "c" ? 0 : 1);
    return [...out.values()].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
  }

  /** The pristine text if it was loaded already (the diff sync needs it synchronously). */
  cached(path: string): string | undefined {
    return this.cache.get(path);
  }

  has(path: string): boolean {
    return this.cache.has(path);
  }

  /** Loads a pristine file (undefined when the tree has no such file). */
  load(path: string): Promise<string | undefined> {
    if (this.cache.has(path)) return Promise.resolve(this.cache.get(path));
    let p = this.inflight.get(path);
    if (!p) {
      p = this.fetchText(path).then(
        (text) => {
          this.cache.set(path, text);
          this.inflight.delete(path);
          return text;
        },
        (e: unknown) => {
          // A failed download is not a missing file, and the next load tries again (the index too).
          this.inflight.delete(path);
          this.index = undefined;
          throw e;
        },
      );
      this.inflight.set(path, p);
    }
    return p;
  }

  private async fetchText(path: string): Promise<string | undefined> {
    if (path.split("/").includes("..")) return undefined;
    this.index ??= fetch(this.imagesBase + this.manifest.toolchain.basefs).then(async (r) => {
      if (!r.ok) throw new Error(`toolchain index: HTTP ${r.status}`);
      return (await r.json()) as BasefsIndex;
    });
    const entry = findBasefsFile(await this.index, `${this.treeDir}/${path}`);
    if (!entry) return undefined;
    const name = entry[6] as string;
    const r = await fetch(basefsFilesBase(this.imagesBase + this.manifest.toolchain.basefs) + name);
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
    const stored = new Uint8Array(await r.arrayBuffer());
    return new TextDecoder().decode(decodeStoredFile(name, stored));
  }
}
