// Struct and union definitions a patch changed.
//
// A live patch swaps functions; it cannot touch data that already exists. A
// struct whose members change would disagree with every instance the running
// kernel allocated before the patch, so the build refuses such an edit and
// points at shadow variables (klp_shadow_*) instead. This is a lexer plus a
// brace counter, not a C parser: good enough to find file-scope definitions in
// kernel sources quickly, and it runs in a web worker, so no Node APIs.

import { fileScopeBlocks } from "../c/blocks.ts";
import { isIdentifier, tokenize, type CToken as Token } from "../c/tokenize.ts";
import { keptLines } from "../patch/index.ts";

export interface StructChange {
  /** "struct proc_inode", "union foo", or "struct (anonymous)" for an unnamed one (typedef struct { ... } name_t → "name_t"). */
  name: string;
  /** 1-based line in the OLD (pristine) text where the definition starts (the line with `struct x {`). */
  oldLine: number;
  /** 1-based line in the NEW text of the first changed line inside the definition (or of where the definition's first line now is, if the change is a removal). */
  newLine: number;
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
  while (k < common && oldTokens[a.start + k]!.text === newTokens[b.start + k]!.text) k++;
  if (k === lenA && k === lenB) return undefined;
  return newTokens[b.start + Math.min(k, lenB - 1)]!.line;
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

function findDefinitions(tokens: Token[]): Definition[] {
  const defs: Definition[] = [];
  const anonymousCount = new Map<string, number>();
  for (const block of fileScopeBlocks(tokens)) {
    const head = parseHead(tokens, block.start, block.open);
    if (head) defs.push(finishDefinition(tokens, head, block.close, anonymousCount));
  }
  return defs;
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
    const t = tokens[j]!;
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
    const t = tokens[j]!;
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
    while (j < brace && tokens[j]!.pp) j++;
    if (j < brace && tokens[j]!.text === "(") {
      const after = skipBalanced(tokens, j, brace, "(", ")");
      if (after < 0) return undefined;
      items.push({ text: t.text, attribute: true });
      j = after;
    } else {
      items.push({ text: t.text, attribute: KNOWN_ATTRIBUTES.has(t.text) });
    }
  }
  for (let k = 0; k < items.length - 1; k++) {
    if (!items[k]!.attribute && !items[k]!.text.startsWith("__")) return undefined;
  }
  const last = items[items.length - 1];
  const tag = last && !last.attribute ? last.text : undefined;

  let typedef = false;
  for (let k = from; k < keywordAt; k++) if (tokens[k]!.text === "typedef") typedef = true;
  return { keywordAt, keyword: tokens[keywordAt]!.text, tag, typedef };
}

/** Index just past the bracket group opening at `at`, or -1 if it does not close before `limit`. */
function skipBalanced(tokens: Token[], at: number, limit: number, openText: string, closeText: string): number {
  let level = 0;
  for (let j = at; j < limit; j++) {
    const text = tokens[j]!.text;
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
    const t = tokens[end]!;
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
  const lastLine = tokens[Math.min(end, tokens.length - 1)]!.line;
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
  return { key, name, line: tokens[head.keywordAt]!.line, start: head.keywordAt, end: rangeEnd, lastLine };
}

