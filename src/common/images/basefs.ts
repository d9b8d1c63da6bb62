// v86 9p basefs index (fs.json, format version 3): lookups by path, and
// where and how its content-addressed files are stored.
import { decompress } from "fzstd";

export type BasefsEntry = [string, number, number, number, number, number, string | BasefsEntry[]];

export interface BasefsIndex {
  version: 3;
  size: number;
  fsroot: BasefsEntry[];
}

const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;

export function entryType(entry: BasefsEntry): "dir" | "file" | "symlink" | "other" {
  const t = entry[3] & S_IFMT;
  return t === S_IFDIR ? "dir" : t === S_IFREG ? "file" : t === S_IFLNK ? "symlink" : "other";
}

/** Finds a regular file's entry by its path ("build/linux/fs/proc/cmdline.c"); symlinks are not followed. */
export function findBasefsFile(index: BasefsIndex, path: string): BasefsEntry | undefined {
  let entries = index.fsroot;
  const parts = path.split("/").filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const entry = entries.find((e) => e[0] === parts[i]);
    if (!entry) return undefined;
    if (i === parts.length - 1) return entryType(entry) === "file" ? entry : undefined;
    if (entryType(entry) !== "dir") return undefined;
    entries = entry[6] as BasefsEntry[];
  }
  return undefined;
}

/** Where an index's content-addressed files live: "files/" beside it (a URL or a path). */
export function basefsFilesBase(basefs: string): string {
  return basefs.replace(/[^/]*$/, "") + "files/";
}

/** A stored file's bytes as the guest sees them: "<hash>.zst" names are zstd-compressed. */
export function decodeStoredFile(name: string, stored: Uint8Array): Uint8Array {
  return name.endsWith(".zst") ? decompress(stored) : stored;
}
