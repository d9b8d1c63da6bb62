// A C lexer, not a parser: comments and whitespace dropped, line numbers
// kept, each preprocessor directive one token (continuation lines joined,
// comments dropped, whitespace collapsed). Enough to find file-scope
// definitions, the include preamble and function heads in kernel sources
// quickly; platform-free, so the page's worker and editor use it too.

export interface CToken {
  /** Source text; a preprocessor directive is one token with comments dropped and whitespace collapsed. */
  text: string;
  /** 1-based line where the token starts. */
  line: number;
  /** A preprocessor directive (`#include <x.h>`, `#if A`). */
  pp: boolean;
}

/** The directive's name: "include" for `#  include <x.h>`, "" for a lone `#`. */
export function directiveOf(token: CToken): string {
  return /^#\s*(\w+)/.exec(token.text)?.[1] ?? "";
}

export function isIdentifier(text: string): boolean {
  return isIdentStart(text.charCodeAt(0));
}

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

export function tokenize(src: string): CToken[] {
  const tokens: CToken[] = [];
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
        } else if ((e === 43 || e === 45) && /[eEpP]/.test(src[end - 1]!)) {
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
