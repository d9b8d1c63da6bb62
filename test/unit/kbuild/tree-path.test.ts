import { describe, expect, it } from "vitest";
import { treeRelativePath } from "../../../src/common/kbuild/tree-path.ts";

describe("treeRelativePath", () => {
  it("keeps tree-relative paths, without a leading ./", () => {
    expect(treeRelativePath("fs/proc/cmdline.c")).toBe("fs/proc/cmdline.c");
    expect(treeRelativePath("./include/linux/kpatch-macros.h")).toBe("include/linux/kpatch-macros.h");
  });

  it("refuses paths outside the tree", () => {
    for (const p of ["/etc/passwd", "../outside.c", "fs/../../outside.c", "fs/.."]) {
      expect(() => treeRelativePath(p)).toThrow(`${p} is outside the kernel tree`);
    }
  });
});
