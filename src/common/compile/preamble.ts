/**
 * A C file's include preamble: the leading run of blank lines, comments and
 * preprocessor directives, up to the first C token. Everything a precompiled
 * header can stand for, since GCC uses a PCH only before the first token.
 */
export interface SplitSource {
  /** Number of leading lines that form the preamble. */
  lines: number;
  /** The preamble text (those lines). */
  preamble: string;
  /** The whole file with the preamble lines blanked: line numbers stay put. */
  body: string;
}

/** Returns null when there is no usable preamble (none, or an #if left open at its end). */
export function splitPreamble(source: string): SplitSource | null {
  const lines = source.split("\n");
  let inComment = false;
  let continued = false;
  let depth = 0;
  let end = 0;
  let sawInclude = false;
  for (; end < lines.length; end++) {
    let l = lines[end]!.trim();
    if (continued) {
      continued = l.endsWith("\\");
      continue;
    }
    if (inComment) {
      const close = l.indexOf("*/");
      if (close < 0) continue;
      inComment = false;
      l = l.slice(close + 2).trim();
    }
    // Strip comments that open (and maybe close) on this line.
    for (;;) {
      const open = l.indexOf("/*");
      if (open < 0) break;
      const close = l.indexOf("*/", open + 2);
      if (close < 0) {
        inComment = true;
        l = l.slice(0, open).trim();
        break;
      }
      l = (l.slice(0, open) + " " + l.slice(close + 2)).trim();
    }
    if (l.startsWith("//")) l = "";
    if (l === "") continue;
    if (!l.startsWith("#")) break;
    const directive = /^#\s*(\w+)/.exec(l)?.[1] ?? "";
    if (directive === "include") sawInclude = true;
    if (directive === "if" || directive === "ifdef" || directive === "ifndef") depth++;
    if (directive === "endif") depth--;
    continued = l.endsWith("\\");
  }
  if (!sawInclude || depth !== 0 || inComment || continued) return null;
  return {
    lines: end,
    preamble: lines.slice(0, end).join("\n") + "\n",
    body: [...lines.slice(0, end).map(() => ""), ...lines.slice(end)].join("\n"),
  };
}
