import { directiveOf, tokenize } from "../c/tokenize.ts";

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
  let end = lines.length;
  let depth = 0;
  let sawInclude = false;
  for (const t of tokenize(source)) {
    if (!t.pp) {
      end = t.line - 1;
      break;
    }
    const directive = directiveOf(t);
    if (directive === "include") sawInclude = true;
    if (directive === "if" || directive === "ifdef" || directive === "ifndef") depth++;
    if (directive === "endif") depth--;
  }
  if (!sawInclude || depth !== 0) return null;
  return {
    lines: end,
    preamble: lines.slice(0, end).join("\n") + "\n",
    body: [...lines.slice(0, end).map(() => ""), ...lines.slice(end)].join("\n"),
  };
}
