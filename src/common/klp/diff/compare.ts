// Phase 3 (compare): did a function or variable change between the builds?
// Code is compared with every relocated field masked out, and relocations
// are compared by what they point at (references.ts), so code that merely
// moved, or refers to a static whose number GCC changed, is unchanged.
import { relocationWidth } from "../../elf/index.ts";
import { isPerUseStatic, type Correlation } from "./correlate.ts";
import { stableName } from "./names.ts";
import type { ObjRelocation, ObjSymbol } from "./model.ts";
import { resolveReference, type Reference } from "./references.ts";

/** Whether source line `oldLine` moved to `newLine` in the patch (DiffOptions.movedLine). */
export type MovedLine = (oldLine: number, newLine: number) => boolean;

export interface Contents {
  bytes: Uint8Array;
  relocations: ObjRelocation[];
  /** Where `bytes` starts in its section: relocation offsets are relative to the section. */
  base: number;
}

/** The bytes and relocations of one symbol. */
export function contentsOf(s: ObjSymbol): Contents {
  const section = s.section;
  if (!section) return { bytes: new Uint8Array(0), relocations: [], base: 0 };
  const size = s.size > 0 ? s.size : section.header.size - s.value;
  const end = s.value + size;
  const bytes = section.header.data.length > 0 ? section.header.data.subarray(s.value, end) : new Uint8Array(size);
  return { bytes, relocations: section.relocations.filter((r) => r.offset >= s.value && r.offset < end), base: s.value };
}

function masked(c: Contents): Uint8Array {
  const out = c.bytes.slice();
  for (const r of c.relocations) out.fill(0, r.offset - c.base, r.offset - c.base + relocationWidth(r.type));
  return out;
}

const LOG_LEVELS = ["KERN_EMERG", "KERN_ALERT", "KERN_CRIT", "KERN_ERR", "KERN_WARNING", "KERN_NOTICE", "KERN_INFO", "KERN_DEBUG"];

/** A string literal as the person wrote it: printk's level prefix (\x01 + digit) shown as its KERN_* name. */
function quoted(text: string): string {
  const m = /^\x01([0-7c])/.exec(text);
  if (!m) return JSON.stringify(text);
  return `${m[1] === "c" ? "KERN_CONT" : LOG_LEVELS[Number(m[1])]} ${JSON.stringify(text.slice(2))}`;
}

function describe(ref: Reference): string {
  switch (ref.kind) {
    case "symbol":
      return `\`${ref.symbol.name}\`${ref.addend ? ` (+${ref.addend})` : ""}`;
    case "string":
      return quoted(ref.text);
    case "section":
      return `${ref.section.name}+${ref.addend}`;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Why two references differ, or undefined if they point at the same thing. */
function referenceChange(p: Reference, o: Reference, corr: Correlation): string | undefined {
  const differs = `refers to ${describe(p)} instead of ${describe(o)}`;
  if (p.kind === "symbol" && o.kind === "symbol") {
    // Never correlated (correlate.ts), but the same use when its name and contents are: an unchanged function keeps its pr_warn_once.
    if (!corr.symbols.has(p.symbol) && isPerUseStatic(p.symbol) && isPerUseStatic(o.symbol) && stableName(p.symbol.name) === stableName(o.symbol.name)) {
      const same = sameBytes(contentsOf(p.symbol).bytes, contentsOf(o.symbol).bytes) && p.symbol.size === o.symbol.size;
      if (same && p.addend === o.addend) return undefined;
    }
    if (corr.symbols.get(p.symbol) !== o.symbol) {
      return corr.symbols.has(p.symbol) ? differs : `refers to new \`${p.symbol.name}\``;
    }
    return p.addend === o.addend ? undefined : differs;
  }
  if (p.kind === "string" && o.kind === "string") {
    if (p.text !== o.text) return `string ${quoted(o.text)} became ${quoted(p.text)}`;
    return p.addend - p.offset === o.addend - o.offset ? undefined : differs;
  }
  if (p.kind === "section" && o.kind === "section") {
    if (corr.sections.get(p.section) !== o.section || p.addend !== o.addend) return differs;
    const same =
      sameBytes(p.section.header.data, o.section.header.data) &&
      p.section.relocations.length === o.section.relocations.length;
    return same ? undefined : `anonymous data in ${p.section.name} changed`;
  }
  return differs;
}

/**
 * Why `patched` differs from `original`, or undefined when the two are the
 * same code or data.
 */
export function compareSymbols(patched: ObjSymbol, original: ObjSymbol, corr: Correlation, movedLine?: MovedLine): string | undefined {
  const p = contentsOf(patched);
  const o = contentsOf(original);
  if (p.bytes.length !== o.bytes.length) {
    return stringChange(p, o) ?? `code changed (${o.bytes.length} -> ${p.bytes.length} bytes)`;
  }
  const pm = masked(p);
  const om = masked(o);
  if (!sameBytes(pm, om) && !(movedLine && onlyMovedLines(pm, om, movedLine))) return stringChange(p, o) ?? "bytes differ";
  if (p.relocations.length !== o.relocations.length) return "bytes differ";
  for (let i = 0; i < p.relocations.length; i++) {
    const pr = p.relocations[i]!;
    const or = o.relocations[i]!;
    if (pr.offset - p.base !== or.offset - o.base || pr.type !== or.type) return "bytes differ";
    const change = referenceChange(resolveReference(pr), resolveReference(or), corr);
    if (change) return change;
  }
  return undefined;
}

/**
 * Whether every difference between the two is a little-endian constant of
 * 1, 2 or 4 bytes that went from a line number to where that line moved: a
 * `__LINE__` baked into an instruction or initialiser. kpatch recognises the
 * calls that take one (__warn_printk, __might_sleep, ...) by name; knowing
 * the patch's own line moves catches every use, printk(__FILE__, __LINE__)
 * included. An immediate that grows from 1 to 4 bytes (line 127 -> 128)
 * changes the length and stays a change.
 */
function onlyMovedLines(p: Uint8Array, o: Uint8Array, movedLine: MovedLine): boolean {
  let i = 0;
  while (i < p.length) {
    if (p[i] === o[i]) {
      i++;
      continue;
    }
    let end = i;
    while (end < p.length && p[end] !== o[end]) end++;
    let covered = -1;
    for (const width of [4, 2, 1]) {
      for (let start = Math.max(0, end - width); start <= i && covered < 0; start++) {
        if (start + width > p.length) continue;
        const before = littleEndian(o, start, width);
        const after = littleEndian(p, start, width);
        if (before > 0 && movedLine(before, after)) covered = start + width;
      }
      if (covered >= 0) break;
    }
    if (covered < 0) return false;
    i = Math.max(end, covered);
  }
  return true;
}

function littleEndian(bytes: Uint8Array, at: number, width: number): number {
  let v = 0;
  for (let k = width - 1; k >= 0; k--) v = v * 256 + bytes[at + k]!;
  return v;
}

function strings(c: Contents): Set<string> {
  const out = new Set<string>();
  for (const r of c.relocations) {
    const ref = resolveReference(r);
    if (ref.kind === "string") out.add(ref.text);
  }
  return out;
}

/** "string "a" became "b"" when the string literals used differ: the most useful reason to show. */
function stringChange(p: Contents, o: Contents): string | undefined {
  const now = strings(p);
  const before = strings(o);
  const added = [...now].filter((x) => !before.has(x));
  const removed = [...before].filter((x) => !now.has(x));
  if (added.length === 0 && removed.length === 0) return undefined;
  if (added.length === 1 && removed.length === 1) return `string ${quoted(removed[0]!)} became ${quoted(added[0]!)}`;
  const parts = [];
  if (added.length > 0) parts.push(`new string${added.length > 1 ? "s" : ""} ${added.map(quoted).join(", ")}`);
  if (removed.length > 0) parts.push(`dropped ${removed.map(quoted).join(", ")}`);
  return `code changed: ${parts.join("; ")}`;
}
