// One replaced function: the baseline's bytes, linked at the address the
// running kernel has it, against the bytes the running kernel executes.
// Rewritten sites are skipped; relocated fields are checked against the
// target's vmlinux address, or learned.
import { relocationWidth } from "../../elf/index.ts";
import type { ObjSection, ObjSymbol } from "../diff/model.ts";
import { differsAt, hex, hexBytes } from "./describe.ts";
import { RunPreError } from "./errors.ts";
import type { LearnedTargets } from "./learned.ts";
import { FIELD_SIZE } from "./link.ts";
import { checkReference } from "./references.ts";
import type { TargetResolver } from "./targets.ts";
import type { RunPreMismatch, SkippedRange } from "./types.ts";
import type { Wildcard } from "./wildcards.ts";

export interface FunctionToCompare {
  symbol: ObjSymbol;
  section: ObjSection;
  /** Where the running kernel has it. */
  address: number;
  /** What the running kernel has there: symbol.size bytes. */
  found: Uint8Array;
}

export interface Comparison {
  mismatches: RunPreMismatch[];
  skipped: SkippedRange[];
  references: number;
}

const LITERAL = 0;
const SKIPPED = 1;
const FIELD = 2;

/** Wildcards of the function's section clipped to it, offsets from its start; overlapping ones of one kind merged. */
function skippedRanges(wildcards: readonly Wildcard[], section: number, start: number, size: number): SkippedRange[] {
  const inside = wildcards
    .filter((w) => w.section === section && w.offset < start + size && w.offset + w.length > start)
    .map((w) => {
      const from = Math.max(w.offset, start);
      return { offset: from - start, length: Math.min(w.offset + w.length, start + size) - from, why: w.why };
    })
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  const out: SkippedRange[] = [];
  for (const r of inside) {
    const last = [...out].reverse().find((o) => o.why === r.why);
    if (last && r.offset <= last.offset + last.length) last.length = Math.max(last.length, r.offset + r.length - last.offset);
    else out.push({ ...r });
  }
  return out.sort((a, b) => a.offset - b.offset);
}

export function compareFunction(fn: FunctionToCompare, wildcards: readonly Wildcard[], resolver: TargetResolver, learned: LearnedTargets): Comparison {
  const { symbol, section, address, found } = fn;
  const name = symbol.name;
  const start = symbol.value;
  const size = symbol.size;
  const code = section.header.data;
  const state = new Uint8Array(size);
  const skipped = skippedRanges(wildcards, section.index, start, size);
  for (const r of skipped) state.fill(SKIPPED, r.offset, r.offset + r.length);

  const mismatches: RunPreMismatch[] = [];
  let references = 0;
  for (const r of section.relocations) {
    const at = r.offset - start;
    if (at < 0 || at >= size) continue;
    const width = relocationWidth(r.type);
    if (width === 0) continue;
    if (width !== FIELD_SIZE || at + width > size) {
      throw new RunPreError("internal", `${name}+${hex(at)}: a ${width}-byte relocation run-pre matching cannot link`, name);
    }
    // A reference inside a rewritten site (the call ftrace NOPs out, an
    // alternative's original instruction) is rewritten with it.
    if (state.subarray(at, at + width).some((s) => s === SKIPPED)) continue;
    state.fill(FIELD, at, at + width);
    references++;
    const m = checkReference({ function: name, at, P: (address + at) >>> 0, relocation: r, found }, resolver.resolve(r), learned);
    if (m) mismatches.push(m);
  }

  // The bytes no relocation or rewrite touches: runs of differing ones.
  for (let i = 0; i < size; ) {
    if (state[i] !== LITERAL || code[start + i] === found[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < size && state[j] === LITERAL && code[start + j] !== found[j]) j++;
    const expected = code.slice(start + i, start + j);
    const got = found.slice(i, j);
    mismatches.push({
      function: name,
      offset: i,
      expected,
      found: got,
      kind: "bytes",
      detail: `${differsAt(name, i)}: ${j - i === 1 ? "byte" : `${j - i} bytes`} ${hexBytes(expected)} expected, ${hexBytes(got)} found`,
    });
    i = j;
  }
  mismatches.sort((a, b) => a.offset - b.offset);
  return { mismatches, skipped, references };
}
