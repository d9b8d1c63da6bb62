import { readFileSync } from "node:fs";
import { join } from "node:path";
import { basefsFilesBase, decodeStoredFile, findBasefsFile, type BasefsIndex } from "../../common/images/basefs.ts";
import type { KbuildIndex } from "../../common/kbuild/index-format.ts";
import { imagesDir, loadManifest, readArtifact } from "./store.ts";

/** Reads files out of the committed toolchain image without unpacking all of it. */
export class ToolchainFiles {
  private readonly index: BasefsIndex;
  private readonly filesDir: string;

  constructor(dir = imagesDir()) {
    const manifest = loadManifest(dir);
    const indexPath = join(dir, manifest.toolchain.basefs);
    this.index = JSON.parse(readFileSync(indexPath, "utf8")) as BasefsIndex;
    this.filesDir = basefsFilesBase(indexPath);
  }

  /** A file by its path in the image (e.g. "build/linux/fs/proc/cmdline.o"), or undefined. */
  read(path: string): Uint8Array | undefined {
    const entry = findBasefsFile(this.index, path);
    if (!entry) return undefined;
    const name = entry[6] as string;
    return decodeStoredFile(name, readFileSync(join(this.filesDir, name)));
  }
}

export function loadKbuildIndex(dir = imagesDir()): KbuildIndex {
  return JSON.parse(new TextDecoder().decode(readArtifact("kbuild", loadManifest(dir), dir))) as KbuildIndex;
}
