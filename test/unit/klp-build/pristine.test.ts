// The stages read the tree through an async reader (9p in the page): each
// file they ask for is read, whatever the diff's spelling of its path, so a
// diff behaves the same in the page as in the CLI.
import { describe, expect, it } from "vitest";
import { PristineTree } from "../../../src/common/klp/build/pristine.ts";
import { ApplyError, applyPatch, parseDiff } from "../../../src/common/patch/index.ts";

const TREE = new Map([["fs/proc/cmdline.c", "a\nb\nc\n"]]);

function tree(): { tree: PristineTree; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    tree: new PristineTree(async (path) => {
      asked.push(path);
      await new Promise((resolve) => setTimeout(resolve, 1));
      return TREE.get(path);
    }),
  };
}

const diff = (path: string) => `--- ${path}\n+++ ${path}\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n`;

describe("PristineTree", () => {
  it("reads the file a diff with ./ paths names, by its tree path", async () => {
    const t = tree();
    const applied = await t.tree.run((read) => applyPatch(parseDiff(diff("./fs/proc/cmdline.c")), read));
    expect(applied.files).toEqual([{ path: "fs/proc/cmdline.c", oldText: "a\nb\nc\n", newText: "a\nB\nc\n" }]);
    expect(t.asked).toEqual(["fs/proc/cmdline.c"]);
  });

  it("reads what the applier needs to explain an extra leading directory", async () => {
    const t = tree();
    const run = t.tree.run((read) => applyPatch(parseDiff(diff("linux/fs/proc/cmdline.c")), read));
    await expect(run).rejects.toThrow(ApplyError);
    await expect(run).rejects.toThrow(/extra leading directory/);
    expect(t.asked).toContain("fs/proc/cmdline.c");
  });

  it("reads each file once, and keeps what it read", async () => {
    const t = tree();
    await t.tree.run((read) => applyPatch(parseDiff(diff("fs/proc/cmdline.c")), read));
    await t.tree.run((read) => applyPatch(parseDiff(diff("fs/proc/cmdline.c")), read));
    expect(t.asked).toEqual(["fs/proc/cmdline.c"]);
    expect(t.tree.get("fs/proc/cmdline.c")).toBe("a\nb\nc\n");
  });

  it("passes a stage's own error through", async () => {
    const t = tree();
    await expect(
      t.tree.run(() => {
        throw new RangeError("stage failed");
      }),
    ).rejects.toThrow(RangeError);
  });
});
