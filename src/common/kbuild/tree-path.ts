/**
 * A path the compile service may write in the kernel tree: relative, and
 * never climbing out of it. Both build hosts (VM and native) swap files in
 * by these paths, so both check them the same way.
 */
export function treeRelativePath(path: string): string {
  const normal = path.replace(/^(\.\/)+/, "");
  if (normal.startsWith("/") || normal.split("/").includes("..")) throw new Error(`${path} is outside the kernel tree`);
  return normal;
}
