// The brace blocks at file scope: a function body, a struct or union body,
// an initializer. What precedes each `{` (from the end of the statement
// before it) says which; struct-changes.ts and functions.ts read it.
import { directiveOf, type CToken } from "./tokenize.ts";

export interface FileScopeBlock {
  /** Index of the statement's first token (after the `;` or `}` that ended the one before). */
  start: number;
  /** Index of the `{`. */
  open: number;
  /** Index of the matching `}`. */
  close: number;
}

interface IfFrame {
  depthAtIf: number;
  /** Brace depth where the first branch ended, or -1 before any #else/#elif. */
  depthAfterFirst: number;
}

/** Every closed block at file scope, in order; `extern "C" {` is not one (its body is file scope). */
export function fileScopeBlocks(tokens: readonly CToken[]): FileScopeBlock[] {
  const blocks: FileScopeBlock[] = [];
  const ifs: IfFrame[] = [];
  let depth = 0;
  let statementStart = 0;
  let open: { start: number; open: number } | undefined;

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.pp) {
      // Some files open the same brace in each branch of an #if (two variants
      // of a function or struct head); counting both would leave the rest of
      // the file one level deep. Follow each branch from the depth at #if and
      // continue after #endif as the first branch left it.
      const directive = directiveOf(t);
      if (directive === "if" || directive === "ifdef" || directive === "ifndef") {
        ifs.push({ depthAtIf: depth, depthAfterFirst: -1 });
      } else if (directive === "else" || directive === "elif" || directive === "elifdef" || directive === "elifndef") {
        const frame = ifs[ifs.length - 1];
        if (frame) {
          if (frame.depthAfterFirst < 0) frame.depthAfterFirst = depth;
          depth = frame.depthAtIf;
        }
      } else if (directive === "endif") {
        const frame = ifs.pop();
        if (frame && frame.depthAfterFirst >= 0) depth = frame.depthAfterFirst;
      }
      continue;
    }
    const text = t.text;
    if (text === "{") {
      if (depth === 0) {
        // `extern "C" {` wraps whole headers; its body is still file scope.
        if (isExternC(tokens, i)) continue;
        // With one head per #if branch, the last one read is the block's.
        open = { start: statementStart, open: i };
      }
      depth++;
    } else if (text === "}") {
      // A stray `}` (the other half of an `extern "C" {`) must not go below file scope.
      if (depth === 0) {
        statementStart = i + 1;
        continue;
      }
      depth--;
      if (depth === 0) {
        if (open) blocks.push({ ...open, close: i });
        open = undefined;
        statementStart = i + 1;
      }
    } else if (text === ";" && depth === 0) {
      statementStart = i + 1;
    }
  }
  return blocks;
}

function isExternC(tokens: readonly CToken[], brace: number): boolean {
  let j = brace - 1;
  while (j >= 0 && tokens[j]!.pp) j--;
  if (j < 0 || tokens[j]!.text !== '"C"') return false;
  j--;
  while (j >= 0 && tokens[j]!.pp) j--;
  return j >= 0 && tokens[j]!.text === "extern";
}
