// Paths in the kernel tree, one way everywhere: a diff's `./fs/x.c`, GCC's
// `./include/linux/kconfig.h`, kbuild's `fs/proc/./internal.h` and the build
// hosts' file names all meet as `fs/x.c`. (Diff prefixes such as `a/` and
// `b/` are the parser's: they depend on the diff, not on the path.)

/**
 * Collapses "a/./b", "a//b" and "a/b/../c" as the compiler's dependency
 * lists spell them. Never fails: for paths the tree itself recorded.
 */
export function normalizeTreePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}

/**
 * The tree-relative form of a path someone gave us (a diff, a compiler
 * message), without `./` or empty parts; undefined when it is empty,
 * absolute or climbs with `..`: such a path is not a file of the tree.
 */
export function treePath(path: string): string | undefined {
  if (path.startsWith("/")) return undefined;
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.length === 0 || parts.includes("..")) return undefined;
  return parts.join("/");
}

/**
 * A path the compile service may write in the kernel tree: relative, and
 * never climbing out of it. Both build hosts (VM and native) swap files in
 * by these paths, so both check them the same way.
 */
export function treeRelativePath(path: string): string {
  const normal = treePath(path);
  if (normal === undefined) throw new Error(`${path} is outside the kernel tree`);
  return normal;
}
