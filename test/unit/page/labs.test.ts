// The page's lab pieces that need no browser: every gallery sample is a lab
// with a check, a share link carries a lab's words and commands (and refuses
// anything else), the embed line and its options, a refusal's markers, and
// the compile-time estimate the build panel shows.
import { describe, expect, it } from "vitest";
import { SAMPLES, sampleById } from "../../../src/common/samples/index.ts";
import { decodeShareFragment, encodeShareFragment } from "../../../src/browser/share/lab-link.ts";
import { encodePatchFragment, ShareLinkError } from "../../../src/browser/share/link.ts";
import { DEFAULT_EMBED_PANES, embedUrl, iframeLine, parseEmbedPanes } from "../../../src/browser/panels/embed-dialog.ts";
import { refusalDiagnostics } from "../../../src/browser/editor/refusal-markers.ts";
import { firstCompileEstimateS } from "../../../src/browser/panels/build-progress.ts";

describe("labs", () => {
  it("every gallery sample the build accepts is a lab with a check", () => {
    for (const s of SAMPLES) {
      if (s.refused) expect(s.check, s.id).toBeUndefined();
      else expect(s.check?.command.length, s.id).toBeGreaterThan(0);
    }
  });

  it("a share link carries the patch and its lab, and only text", async () => {
    const s = sampleById("sleeper")!;
    const lab = { title: s.title, before: s.before!, tryIt: s.tryIt, expect: s.expect, check: s.check! };
    const fragment = await encodeShareFragment({ patch: s.diff, lab });
    expect(fragment).toMatch(/^patch=[\w-]+&lab=[\w-]+$/);
    expect(await decodeShareFragment(`#${fragment}`)).toEqual({ patch: s.diff, lab });
    // A plain patch link stays what it was.
    const plain = await encodePatchFragment(s.diff);
    expect(await decodeShareFragment(plain)).toEqual({ patch: s.diff });
    expect(await decodeShareFragment("#section-2")).toBeUndefined();
  });

  it("refuses a lab that is not made of bounded strings", async () => {
    const bad = async (lab: unknown) => {
      const data = (await encodePatchFragment(JSON.stringify(lab))).slice("patch=".length);
      return decodeShareFragment(`${await encodePatchFragment("x")}&lab=${data}`);
    };
    await expect(bad({ title: 1, tryIt: [] })).rejects.toBeInstanceOf(ShareLinkError);
    await expect(bad({ title: "t", tryIt: [{ run: "rm -rf /" }] })).rejects.toBeInstanceOf(ShareLinkError);
    await expect(bad({ title: "t", tryIt: ["x".repeat(5000)] })).rejects.toBeInstanceOf(ShareLinkError);
    await expect(bad({ title: "t", tryIt: [], check: "reboot" })).rejects.toBeInstanceOf(ShareLinkError);
    await expect(decodeShareFragment(`${await encodePatchFragment("x")}&run=1`)).rejects.toBeInstanceOf(ShareLinkError);
  });
});

describe("embed", () => {
  it("writes the one-line iframe with the options that differ from the defaults", () => {
    const page = "https://example.org/playground/";
    expect(embedUrl(page, { labId: "cmdline" }, DEFAULT_EMBED_PANES, false)).toBe(`${page}?embed=1&lab=cmdline`);
    const url = embedUrl(page, { labId: "sleeper" }, ["editor", "terminal", "lab", "livepatch"], true);
    expect(url).toBe(`${page}?embed=1&lab=sleeper&panes=editor%2Cterminal%2Clab%2Clivepatch&readonly=1`);
    const line = iframeLine(url, 'a "quoted" lab', 640);
    expect(line).not.toContain("\n");
    expect(line).toMatch(/^<iframe src="[^"]+&amp;panes=[^"]+" title="Livepatch Playground: a &quot;quoted&quot; lab" width="100%" height="640"/);
    expect(parseEmbedPanes("editor,terminal,bogus")).toEqual(["editor", "terminal"]);
    expect(parseEmbedPanes(null)).toEqual([...DEFAULT_EMBED_PANES]);
  });
});

describe("refusals on the line", () => {
  const diff = sampleById("refused")!.diff;
  it("puts a refusal that names a file and line on the source and on the diff line that shows it", () => {
    const firstAdded = diff.split("\n").findIndex((l) => l.startsWith("+") && !l.startsWith("+++")) + 1;
    const header = /@@ -\d+,\d+ \+(\d+)/.exec(diff)!;
    const start = Number(header[1]);
    // The added line's number in the patched file: count the new side from the hunk start.
    const hunkAt = diff.split("\n").findIndex((l) => l.startsWith("@@")) + 1;
    const lines = diff.split("\n").slice(hunkAt, firstAdded - 1).filter((l) => !l.startsWith("-")).length;
    const file = /^\+\+\+ b\/(\S+)/m.exec(diff)![1]!;
    const marks = refusalDiagnostics(diff, { file, line: start + lines }, "existing data can't be changed");
    expect(marks).toContainEqual(expect.objectContaining({ file, line: start + lines, severity: "error" }));
    expect(marks).toContainEqual(expect.objectContaining({ file: "patch.diff", line: firstAdded }));
  });

  it("finds the diff line of a variable a refusal names without a line", () => {
    const file = /^\+\+\+ b\/(\S+)/m.exec(diff)![1]!;
    const added = diff.split("\n").find((l) => l.startsWith("+") && !l.startsWith("+++"))!;
    const name = /(\w+)\s*=/.exec(added)?.[1];
    expect(name).toBeDefined();
    const marks = refusalDiagnostics(diff, { file, variable: name! }, "data changed");
    expect(marks).toContainEqual(expect.objectContaining({ file: "patch.diff", line: diff.split("\n").indexOf(added) + 1 }));
    // …and on the patched file's line: the hunk starts at 161, three kept lines, then the added one.
    expect(marks).toContainEqual(expect.objectContaining({ file, line: 164 }));
    expect(refusalDiagnostics(diff, undefined, "x")).toEqual([]);
  });
});

describe("build progress", () => {
  it("estimates a first compile in the VM from the measured ones", () => {
    expect(firstCompileEstimateS(540)).toBeCloseTo(23, -1);
    expect(firstCompileEstimateS(71_403)).toBeGreaterThan(110);
    expect(firstCompileEstimateS(71_403)).toBeLessThan(140);
  });
});
