// Struct and union definitions a patch changed.
//
// A live patch swaps functions; it cannot touch data that already exists. A
// struct whose members change would disagree with every instance the running
// kernel allocated before the patch, so the build refuses such an edit and
// points at shadow variables (klp_shadow_*) instead. This is a lexer plus a
// brace counter, not a C parser: good enough to find file-scope definitions in
// kernel sources quickly, and it runs in a web worker, so no Node APIs.

import { keptLines } from "../patch/index.ts";

export interface StructChange {
  /** "struct proc_inode", "union foo", or "struct (anonymous)" for an unnamed one (typedef struct { ... } name_t → "name_t"). */
  name: string;
  /** 1-based line in the OLD (pristine) text where the definition starts (the line with `struct x {`). */
  oldLine: number;
  /** 1-based line in the NEW text of the first changed line inside the definition (or of where the definition's first line now is, if the change is a removal). */
  newLine: number;
}

interface Token {
  /** Source text; a preprocessor directive is one token with comments dropped and whitespace collapsed. */
  text: string;
  line: number;
  pp: boolean;
}

interface Definition {
  /** What pairs a definition in the old text with one in the new. */
  key: string;
  name: string;
  line: number;
  /** Token range [start, end): keyword through the trailing attributes and declarator, so attribute changes count too. */
  start: number;
  end: number;
  /** Line of the `;` (or last token) that ends the definition. */
  lastLine: number;
}

/** Struct and union definitions at file scope (not inside a function body) whose member list the edit changed. Comment and whitespace changes do not count. A definition the patch adds whole is new, not a change. */
export function changedStructs(oldText: string, newText: string): StructChange[] {
  if (oldText === newText) return [];
  const oldTokens = tokenize(oldText);
  const newTokens = tokenize(newText);
  const oldDefs = findDefinitions(oldTokens);
  const newDefs = findDefinitions(newTokens);

  const byKey = new Map<string, Definition[]>();
  for (const def of newDefs) {
    const list = byKey.get(def.key);
    if (list) list.push(def);
    else byKey.set(def.key, [def]);
  }
  // The same tag can be defined twice (#ifdef/#else variants); pair them in order.
  const seen = new Map<string, number>();
  let kept: Map<number, number> | undefined;
  const changes: StructChange[] = [];
  for (const def of oldDefs) {
    const nth = seen.get(def.key) ?? 0;
    seen.set(def.key, nth + 1);
    const match = byKey.get(def.key)?.[nth];
    if (!match) {
      // Removed whole: point at where the text after it now is.
      kept ??= keptLines(oldText, newText);
      changes.push({ name: def.name, oldLine: def.line, newLine: whereAfter(kept, def.lastLine, oldText) });
      continue;
    }
    const newLine = firstDifference(oldTokens, def, newTokens, match);
    if (newLine !== undefined) changes.push({ name: def.name, oldLine: def.line, newLine });
  }
  return changes;
}

/** The new line of the first old line after `lastLine` that the edit kept, or 1. */
function whereAfter(kept: ReadonlyMap<number, number>, lastLine: number, oldText: string): number {
  const count = oldText.split("\n").length;
  for (let line = lastLine + 1; line <= count; line++) {
    const at = kept.get(line);
    if (at !== undefined) return at;
  }
  return 1;
}

/** The new-text line of the first token that differs, or undefined when the two are the same. */
function firstDifference(oldTokens: Token[], a: Definition, newTokens: Token[], b: Definition): number | undefined {
  const lenA = a.end - a.start;
  const lenB = b.end - b.start;
  const common = Math.min(lenA, lenB);
  let k = 0;
  while (k < common && oldTokens[a.start + k].text === newTokens[b.start + k].text) k++;
  if (k === lenA && k === lenB) return undefined;
  return newTokens[b.start + Math.min(k, lenB - 1)].line;
}

// --- Finding definitions ---------------------------------------------------------------------------

// Attribute macros the kernel puts right after `struct` or after the closing
// brace; listed because a lone `__foo` there could also be a tag or a typedef
// name (struct __kernel_timespec, __kernel_fsid_t).
const KNOWN_ATTRIBUTES = new Set([
  "__packed",
  "__aligned",
  "__attribute__",
  "__attribute",
  "__randomize_layout",
  "__no_randomize_layout",
  "__designated_init",
  "__may_alias",
  "__cacheline_aligned",
  "__cacheline_aligned_in_smp",
  "____cacheline_aligned",
  "____cacheline_aligned_in_smp",
  "____cacheline_internodealigned_in_smp",
  "__counted_by",
  "__nonstring",
  "__user",
  "__iomem",
  "__rcu",
  "__percpu",
  "alignas",
  "_Alignas",
]);

interface Head {
  keywordAt: number;
  keyword: string;
  tag: string | undefined;
  typedef: boolean;
}

interface IfFrame {
  depthAtIf: number;
  /** Brace depth where the first branch ended, or -1 before any #else/#elif. */
  depthAfterFirst: number;
}

function findDefinitions(tokens: Token[]): Definition[] {
  const defs: Definition[] = [];
  const anonymousCount = new Map<string, number>();
  const ifs: IfFrame[] = [];
  let depth = 0;
  let statementStart = 0;
  let open: Head | undefined;

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.pp) {
      // Some files open the same brace in each branch of an #if (two variants
      // of a function or struct head); counting both would leave the rest of
      // the file one level deep. Follow each branch from the depth at #if and
      // continue after #endif as the first branch left it.
      const directive = /^#\s*(\w+)/.exec(t.text)?.[1];
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
        open = parseHead(tokens, statementStart, i);
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
        if (open) defs.push(finishDefinition(tokens, open, i, anonymousCount));
        open = undefined;
        statementStart = i + 1;
      }
    } else if (text === ";" && depth === 0) {
      statementStart = i + 1;
    }
  }
  return defs;
}

function isExternC(tokens: Token[], brace: number): boolean {
  let j = brace - 1;
  while (j >= 0 && tokens[j].pp) j--;
  if (j < 0 || tokens[j].text !== '"C"') return false;
  j--;
  while (j >= 0 && tokens[j].pp) j--;
  return j >= 0 && tokens[j].text === "extern";
}

/**
 * Whether the `{` at `brace` opens a struct or union body: the statement must
 * end in `struct|union [attributes] [tag]`. Anything else between the keyword
 * and the brace — `*`, `=`, a parameter list, a second plain name — means a
 * function body or an initializer whose type merely mentions a struct.
 */
function parseHead(tokens: Token[], from: number, brace: number): Head | undefined {
  // The last keyword outside parentheses, so `struct a *f(struct b x) {` finds `struct a`.
  let keywordAt = -1;
  let parens = 0;
  for (let j = from; j < brace; j++) {
    const t = tokens[j];
    if (t.pp) continue;
    if (t.text === "(") parens++;
    else if (t.text === ")") parens--;
    else if (parens === 0 && (t.text === "struct" || t.text === "union")) keywordAt = j;
  }
  if (keywordAt < 0) return undefined;

  // GCC takes attributes only straight after the keyword, so a plain name can only come last.
  const items: { text: string; attribute: boolean }[] = [];
  let j = keywordAt + 1;
  while (j < brace) {
    const t = tokens[j];
    if (t.pp) {
      j++;
      continue;
    }
    if (t.text === "[" && tokens[j + 1]?.text === "[") {
      const after = skipBalanced(tokens, j, brace, "[", "]");
      if (after < 0) return undefined;
      items.push({ text: "[[", attribute: true });
      j = after;
      continue;
    }
    if (!isIdentifier(t.text)) return undefined;
    j++;
    while (j < brace && tokens[j].pp) j++;
    if (j < brace && tokens[j].text === "(") {
      const after = skipBalanced(tokens, j, brace, "(", ")");
      if (after < 0) return undefined;
      items.push({ text: t.text, attribute: true });
      j = after;
    } else {
      items.push({ text: t.text, attribute: KNOWN_ATTRIBUTES.has(t.text) });
    }
  }
  for (let k = 0; k < items.length - 1; k++) {
    if (!items[k].attribute && !items[k].text.startsWith("__")) return undefined;
  }
  const last = items[items.length - 1];
  const tag = last && !last.attribute ? last.text : undefined;

  let typedef = false;
  for (let k = from; k < keywordAt; k++) if (tokens[k].text === "typedef") typedef = true;
  return { keywordAt, keyword: tokens[keywordAt].text, tag, typedef };
}

/** Index just past the bracket group opening at `at`, or -1 if it does not close before `limit`. */
function skipBalanced(tokens: Token[], at: number, limit: number, openText: string, closeText: string): number {
  let level = 0;
  for (let j = at; j < limit; j++) {
    const text = tokens[j].text;
    if (text === openText) level++;
    else if (text === closeText && --level === 0) return j + 1;
  }
  return -1;
}

function finishDefinition(tokens: Token[], head: Head, closeBrace: number, anonymousCount: Map<string, number>): Definition {
  // The trailer: attributes and, for `typedef struct { } name_t;` or
  // `struct { } var;`, the declarator that names an unnamed definition. The
  // bound keeps a file that lacks the `;` from swallowing what follows.
  let declarator: string | undefined;
  let parens = 0;
  let end = closeBrace + 1;
  for (; end < tokens.length && end - closeBrace < 64; end++) {
    const t = tokens[end];
    if (t.pp) continue;
    const text = t.text;
    if (text === "(") parens++;
    else if (text === ")") parens--;
    else if (parens === 0) {
      if (text === ";" || text === "," || text === "=" || text === "{" || text === "}" || text === "[" || text === ":") break;
      const next = tokens[end + 1]?.text;
      // The last plain name wins: attributes such as __packed may come before it.
      if (isIdentifier(text) && !KNOWN_ATTRIBUTES.has(text) && next !== "(" && text !== "const" && text !== "volatile") declarator = text;
    }
  }
  const lastLine = tokens[Math.min(end, tokens.length - 1)].line;
  // Stopping before `=` or `[` keeps a declarator's initializer and array size out of the comparison.
  const rangeEnd = Math.min(end, tokens.length);

  const kw = head.keyword;
  let key: string;
  let name: string;
  if (head.tag !== undefined) {
    key = name = `${kw} ${head.tag}`;
  } else if (declarator !== undefined) {
    name = head.typedef ? declarator : `${kw} (anonymous)`;
    key = head.typedef ? `typedef ${declarator}` : `${kw} (anonymous) ${declarator}`;
  } else {
    const n = anonymousCount.get(kw) ?? 0;
    anonymousCount.set(kw, n + 1);
    name = `${kw} (anonymous)`;
    key = `${kw} (anonymous) #${n}`;
  }
  return { key, name, line: tokens[head.keywordAt].line, start: head.keywordAt, end: rangeEnd, lastLine };
}

function isIdentifier(text: string): boolean {
  return isIdentStart(text.charCodeAt(0));
}

// --- Lexing ------------------------------------------------------------------------------------------

const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const VT = 11;
const FF = 12;
const SLASH = 47;
const STAR = 42;
const BACKSLASH = 92;
const HASH = 35;
const DQUOTE = 34;
const SQUOTE = 39;
const DOT = 46;

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Index of the backslash-newline at `i` ends (past the newline), or -1 if there is none there. */
function continuationEnd(src: string, i: number): number {
  if (src.charCodeAt(i) !== BACKSLASH) return -1;
  if (src.charCodeAt(i + 1) === NL) return i + 2;
  if (src.charCodeAt(i + 1) === CR && src.charCodeAt(i + 2) === NL) return i + 3;
  return -1;
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  const n = src.length;
  let i = 0;
  let line = 1;
  // Only whitespace and comments since the last newline: a `#` here starts a directive.
  let lineStart = true;

  // Past a /* */ comment starting at `i`, counting its newlines.
  const skipBlockComment = (at: number): number => {
    const close = src.indexOf("*/", at + 2);
    const end = close < 0 ? n : close + 2;
    for (let k = at; k < end; k++) if (src.charCodeAt(k) === NL) line++;
    return end;
  };
  // To the newline that ends a // comment (a trailing backslash continues it).
  const skipLineComment = (at: number): number => {
    let k = at;
    while (k < n) {
      const c = src.charCodeAt(k);
      if (c === BACKSLASH) {
        const after = continuationEnd(src, k);
        if (after > 0) {
          line++;
          k = after;
          continue;
        }
      } else if (c === NL) {
        break;
      }
      k++;
    }
    return k;
  };
  // Past a string or char literal; an unescaped newline ends a broken one.
  const skipQuoted = (at: number, quote: number): number => {
    let k = at + 1;
    while (k < n) {
      const c = src.charCodeAt(k);
      if (c === BACKSLASH) {
        const after = continuationEnd(src, k);
        if (after > 0) line++;
        k = after > 0 ? after : k + 2;
      } else if (c === quote) {
        return k + 1;
      } else if (c === NL) {
        return k;
      } else {
        k++;
      }
    }
    return n;
  };

  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === NL) {
      line++;
      i++;
      lineStart = true;
      continue;
    }
    if (c === SPACE || c === TAB || c === CR || c === VT || c === FF) {
      i++;
      continue;
    }
    if (c === SLASH) {
      const d = src.charCodeAt(i + 1);
      if (d === STAR) {
        i = skipBlockComment(i);
        continue;
      }
      if (d === SLASH) {
        i = skipLineComment(i);
        continue;
      }
    }
    if (c === BACKSLASH) {
      const after = continuationEnd(src, i);
      if (after > 0) {
        line++;
        i = after;
        continue;
      }
    }
    const startLine = line;
    if (c === HASH && lineStart) {
      // One token per directive, continuation lines included: its braces are
      // not code, yet an #ifdef inside a struct is part of its layout.
      const parts: string[] = [];
      let seg = i;
      let k = i;
      while (k < n) {
        const e = src.charCodeAt(k);
        if (e === NL) break;
        if (e === BACKSLASH) {
          const after = continuationEnd(src, k);
          if (after > 0) {
            parts.push(src.slice(seg, k), " ");
            line++;
            k = seg = after;
            continue;
          }
        } else if (e === SLASH && src.charCodeAt(k + 1) === STAR) {
          parts.push(src.slice(seg, k), " ");
          k = seg = skipBlockComment(k);
          continue;
        } else if (e === SLASH && src.charCodeAt(k + 1) === SLASH) {
          parts.push(src.slice(seg, k));
          k = seg = skipLineComment(k);
          continue;
        } else if (e === DQUOTE || e === SQUOTE) {
          k = skipQuoted(k, e);
          continue;
        }
        k++;
      }
      parts.push(src.slice(seg, k));
      const text = parts.join("").replace(/\s+/g, " ").trim().replace(/^#\s*/, "#");
      tokens.push({ text, line: startLine, pp: true });
      i = k;
      continue;
    }
    lineStart = false;
    let end: number;
    if (isIdentStart(c)) {
      end = i + 1;
      while (end < n && isIdentPart(src.charCodeAt(end))) end++;
    } else if (isDigit(c) || (c === DOT && isDigit(src.charCodeAt(i + 1)))) {
      // A pp-number: digits, letters, dots, and a sign right after an exponent letter.
      end = i + 1;
      while (end < n) {
        const e = src.charCodeAt(end);
        if (isIdentPart(e) || e === DOT) {
          end++;
        } else if ((e === 43 || e === 45) && /[eEpP]/.test(src[end - 1])) {
          end++;
        } else {
          break;
        }
      }
    } else if (c === DQUOTE || c === SQUOTE) {
      end = skipQuoted(i, c);
    } else {
      end = i + 1;
    }
    tokens.push({ text: src.slice(i, end), line: startLine, pp: false });
    i = end;
  }
  return tokens;
}
