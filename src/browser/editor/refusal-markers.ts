// A refusal (data changed, init code referenced, …) on the lines it is
// about, like a compile error: the stage that refused names a file and a
// line, a diff line, or a symbol; this turns that into editor markers on the
// diff and on the source file.
import type { BuildDiagnostic } from "../build-client.ts";
import type { ErrorLocation } from "../../common/errors/codes.ts";
import { diffLineOf } from "../../common/klp/build/diff-lines.ts";
import { parseDiff, type ParsedPatch } from "../../common/patch/index.ts";
import { treePath } from "../../common/kbuild/tree-path.ts";

/** The editor's name for the patch itself (editor/patch-editor.ts DIFF_TAB). */
const DIFF_FILE = "patch.diff";

export function refusalDiagnostics(diff: string, location: ErrorLocation | undefined, message: string): BuildDiagnostic[] {
  if (!location) return [];
  let parsed: ParsedPatch | undefined;
  try {
    parsed = parseDiff(diff);
  } catch {
    parsed = undefined; // a diff that does not parse has its own marker already
  }
  const out: BuildDiagnostic[] = [];
  const { file, line } = location;
  if (file && line) out.push({ file, line, severity: "error", message });
  let diffLine = location.diffLine;
  // Hunks taken where their headers say: the page has the diff's text, not the applier's offsets.
  if (diffLine === undefined && parsed && file && line) diffLine = diffLineOf(parsed, { files: [], notes: [] }, file, line);
  if (diffLine === undefined && parsed && file) {
    const named = lineNaming(parsed, file, location.variable ?? location.function ?? location.symbol);
    if (named) {
      diffLine = named.diffLine;
      // The patched file's line that the diff line shows (an added or kept line; a removed one has none).
      if (!line && named.fileLine !== undefined) out.push({ file, line: named.fileLine, severity: "error", message });
    }
  }
  if (diffLine !== undefined) out.push({ file: DIFF_FILE, line: diffLine, severity: "error", message: file && line ? `${file}:${line}: ${message}` : message });
  return out;
}

/** The first added diff line of `file`'s section that names `name` (else the first of its lines that does), with its line in the patched file. */
function lineNaming(parsed: ParsedPatch, file: string, name: string | undefined): { diffLine: number; fileLine: number | undefined } | undefined {
  if (!name) return undefined;
  const word = new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`);
  const section = parsed.files.find((f) => treePath(f.newPath) === file || treePath(f.oldPath) === file);
  if (!section) return undefined;
  const lines = section.hunks.flatMap((h) => {
    let at = h.newStart;
    return h.lines.map((l) => ({ l, fileLine: l.kind === "-" ? undefined : at++ }));
  });
  const hit = lines.find(({ l }) => l.kind === "+" && word.test(l.text)) ?? lines.find(({ l }) => word.test(l.text));
  return hit && { diffLine: hit.l.diffLine, fileLine: hit.fileLine };
}
