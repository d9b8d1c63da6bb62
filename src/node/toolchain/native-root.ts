import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { decompress } from "fzstd";
import { imagesDir, loadManifest } from "../images/store.ts";

type Entry = [string, number, number, number, number, number, string | Entry[]];

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

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

  const filesDir = join(dirname(indexPath), "files");
  const partial = `${root}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const index = JSON.parse(indexBytes.toString("utf8")) as { fsroot: Entry[] };
  const unpack = (entries: Entry[], at: string): void => {
    for (const [name, , , mode, , , target] of entries) {
      const path = join(at, name);
      const type = mode & S_IFMT;
      if (type === S_IFDIR) {
        mkdirSync(path, { recursive: true });
        unpack(target as Entry[], path);
      } else if (type === S_IFLNK) {
        symlinkSync(target as string, path);
      } else {
        const stored = readFileSync(join(filesDir, target as string));
        writeFileSync(path, (target as string).endsWith(".zst") ? decompress(stored) : stored);
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
