// String tables (.strtab, .shstrtab): NUL-terminated names addressed by
// byte offset.
//
// Names are decoded one byte per UTF-16 code unit (Latin-1) rather than as
// UTF-8: symbol names are arbitrary bytes to the toolchain, and this mapping
// is the only one that survives decode → encode unchanged for every input.

import { ElfError, hex } from "./errors.ts";

const CHUNK = 4096;
const MAX_SHARED_TAIL_NAME = 512;

/**
 * The NUL-terminated string at `offset` in `table`. `what` names the reference
 * ("section 5 name", "symbol 12 name") for the error message.
 */
export function readString(table: Uint8Array, offset: number, what = "string"): string {
  const found = tryReadString(table, offset);
  if (found === undefined) {
    const reason =
      Number.isInteger(offset) && offset >= 0 && offset < table.length
        ? "is not NUL-terminated before the end of the string table"
        : "is outside the string table";
    throw new ElfError(
      `${what}: string offset ${hex(offset)} ${reason} (size ${hex(table.length)})`,
      { offset },
    );
  }
  return found;
}

/** Like readString, but undefined instead of an error. */
export function tryReadString(table: Uint8Array, offset: number): string | undefined {
  if (!Number.isInteger(offset) || offset < 0 || offset >= table.length) return undefined;
  const end = table.indexOf(0, offset);
  if (end < 0) return undefined;
  let out = "";
  for (let at = offset; at < end; at += CHUNK) {
    // Chunked because spreading a huge subarray into one call overflows the stack.
    out += String.fromCharCode(...table.subarray(at, Math.min(end, at + CHUNK)));
  }
  return out;
}

/** The bytes of `name`, without the terminator. */
export function encodeName(name: string): Uint8Array {
  const out = new Uint8Array(name.length);
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code === 0 || code > 0xff) {
      throw new ElfError(
        `name ${JSON.stringify(name)} has character ${hex(code)} at ${i}; ` +
          "names must be non-NUL bytes (U+0001..U+00FF)",
      );
    }
    out[i] = code;
  }
  return out;
}

/**
 * Builds a string table, handing out offsets as names are added. Identical
 * names share one entry, and a name that is the tail of one added earlier
 * points into it. When all names are known up front, buildStringTable merges
 * tails regardless of order and gives smaller tables.
 */
export class StringTableBuilder {
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private length = 1;
  private readonly offsets = new Map<string, number>([["", 0]]);

  /** The offset of `name` in the table, adding it if needed. */
  add(name: string): number {
    const known = this.offsets.get(name);
    if (known !== undefined) return known;
    const bytes = encodeName(name);
    const offset = this.length;
    const entry = new Uint8Array(bytes.length + 1);
    entry.set(bytes);
    this.parts.push(entry);
    this.length += entry.length;
    this.offsets.set(name, offset);
    // Registering every tail costs O(length²); symbol names stay far below
    // the bound (KSYM_NAME_LEN is 512), anything longer is just not shared.
    const tails = name.length <= MAX_SHARED_TAIL_NAME ? name.length : 0;
    for (let i = 1; i < tails; i++) {
      const tail = name.slice(i);
      if (!this.offsets.has(tail)) this.offsets.set(tail, offset + i);
    }
    return offset;
  }

  /** Offset of a name already added, or undefined. */
  offsetOf(name: string): number | undefined {
    return this.offsets.get(name);
  }

  get size(): number {
    return this.length;
  }

  /** The table so far; the builder stays usable. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

export interface StringTable {
  table: Uint8Array;
  /** Offset of names[i]. */
  offsets: number[];
}

const reversed = (s: string): string => s.split("").reverse().join("");

/**
 * A string table holding `names` (first occurrences in order, after the
 * leading NUL), where any name that is the tail of another one is not stored
 * separately but points into it, as BFD's string-table finalizer does. That
 * is what makes ".text.foo" cost nothing next to ".rel.text.foo".
 */
export function buildStringTable(names: readonly string[]): StringTable {
  const unique = [...new Set(names)].filter((n) => n !== "");
  for (const n of unique) encodeName(n);
  // With the reversed names sorted, a name that is the tail of others sorts
  // right before one of them, so one backwards pass finds the longest owner.
  const byReversed = unique.map((name) => ({ name, rev: reversed(name) }));
  byReversed.sort((a, b) => (a.rev < b.rev ? -1 : a.rev > b.rev ? 1 : 0));
  const owner = new Map<string, string>();
  for (let i = byReversed.length - 1; i >= 0; i--) {
    const { name, rev } = byReversed[i]!;
    const next = byReversed[i + 1];
    owner.set(name, next !== undefined && next.rev.startsWith(rev) ? (owner.get(next.name) ?? next.name) : name);
  }
  const builder = new StringTableBuilder();
  const ownOffset = new Map<string, number>();
  for (const name of unique) {
    if (owner.get(name) === name) ownOffset.set(name, builder.add(name));
  }
  const offsetOf = (name: string): number => {
    if (name === "") return 0;
    const full = owner.get(name) ?? name;
    return (ownOffset.get(full) ?? 0) + full.length - name.length;
  };
  return { table: builder.finish(), offsets: names.map(offsetOf) };
}
