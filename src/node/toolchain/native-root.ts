import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { basefsFilesBase, decodeStoredFile, entryType, type BasefsEntry, type BasefsIndex } from "../../common/images/basefs.ts";
import { imagesDir, loadManifest } from "../images/store.ts";

export function cacheDir(): string {
  return process.env.KLP_CACHE_DIR ?? join(homedir(), ".cache", "klp-playground");
}

/**
 * The toolchain image unpacked as a plain directory tree, so the very i386
 * binaries the build-host VM runs can run natively (fast path). Unpacked once
 * per image, keyed by the hash of its index.
 */
export function nativeToolchainRoot(dir = imagesDir()): string {
  const manifest = loadManifest(dir);
  const indexPath = join(dir, manifest.toolchain.basefs);
  const indexBytes = readFileSync(indexPath);
  const key = createHash("sha256").update(indexBytes).digest("hex").slice(0, 16);
  const root = join(cacheDir(), `toolchain-${key}`);
  if (existsSync(join(root, ".klp-complete"))) return root;

  const filesDir = basefsFilesBase(indexPath);
  const partial = `${root}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const index = JSON.parse(indexBytes.toString("utf8")) as BasefsIndex;
  const unpack = (entries: BasefsEntry[], at: string): void => {
    for (const entry of entries) {
      const [name, , , mode, , , target] = entry;
      const path = join(at, name);
      const type = entryType(entry);
      if (type === "dir") {
        mkdirSync(path, { recursive: true });
        unpack(target as BasefsEntry[], path);
      } else if (type === "symlink") {
        symlinkSync(target as string, path);
      } else {
        writeFileSync(path, decodeStoredFile(target as string, readFileSync(join(filesDir, target as string))));
        chmodSync(path, mode & 0o7777);
      }
    }
  };
  mkdirSync(partial, { recursive: true });
  unpack(index.fsroot, partial);
  // gcc writes its temporary assembly to /tmp inside the root.
  mkdirSync(join(partial, "tmp"), { recursive: true });
  writeFileSync(join(partial, ".klp-complete"), key + "\n");
  rmSync(root, { recursive: true, force: true });
  renameSync(partial, root);
  return root;
}
