import { describe, expect, it } from "vitest";
import { normalizeTreePath, treePath, treeRelativePath } from "../../../src/common/kbuild/tree-path.ts";

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

describe("treePath and normalizeTreePath: one spelling of a tree path", () => {
  it("drops ./ and empty parts wherever they are, and refuses what leaves the tree", () => {
    expect(treePath("./fs//proc/./cmdline.c")).toBe("fs/proc/cmdline.c");
    expect(treeRelativePath("fs/./proc//cmdline.c")).toBe("fs/proc/cmdline.c");
    for (const p of ["", ".", "./", "/usr/lib/gcc/stddef.h", "fs/../x.c"]) expect(treePath(p)).toBeUndefined();
  });

  it("resolves .. only for paths the kernel build recorded", () => {
    expect(normalizeTreePath("fs/proc/./internal.h")).toBe("fs/proc/internal.h");
    expect(normalizeTreePath("drivers/base/firmware_loader/builtin/../firmware.h")).toBe("drivers/base/firmware_loader/firmware.h");
  });
});
