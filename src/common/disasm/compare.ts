// Two builds of a function, disassembled and lined up: instructions compared
// by mnemonic, operands and what their relocations point at — not by raw
// bytes, in which every moved call target and renumbered static differs.
import type { DecodedInstruction, X86Decoder } from "./decoder.ts";
import type { CodeRelocation, FunctionCode } from "./function-code.ts";

export interface DisasmLine {
  /** Offset in the function. */
  offset: number;
  /** "call seq_puts", "mov $\"%s\\n\", %eax" (AT&T). */
  text: string;
  /** The instruction's bytes in hex, relocated fields as 00. */
  hex: string;
}

export type RowKind = "same" | "changed" | "removed" | "added";

export interface DisasmRow {
  kind: RowKind;
  original?: DisasmLine;
  patched?: DisasmLine;
}

interface Line extends DisasmLine {
  /** What must be equal for two instructions to be the same. */
  key: string;
}

/** Jumps and calls inside the function, whose printed target moves with the code around it. */
const LOCAL_BRANCH = /^(j[a-z]+|call[lw]?|loop[a-z]*|jmp[lw]?)$/;

function render(insn: DecodedInstruction, code: FunctionCode): Line {
  const relocs = code.relocations.filter((r) => r.offset >= insn.offset && r.offset < insn.offset + insn.size);
  let operands = insn.operands;
  for (const r of relocs) operands = substitute(operands, r, insn);
  const hex = Array.from(code.bytes.subarray(insn.offset, insn.offset + insn.size), (b) => b.toString(16).padStart(2, "0")).join(" ");
  const text = operands ? `${insn.mnemonic} ${operands}` : insn.mnemonic;
  // A branch inside the function: its target offset shifts whenever code is added above it.
  const local = relocs.length === 0 && LOCAL_BRANCH.test(insn.mnemonic) && /^(0x[0-9a-f]+|\d+)$/.test(insn.operands);
  const key = local ? `${insn.mnemonic} <local>` : `${insn.mnemonic} ${operands} | ${relocs.map((r) => r.key).join(",")}`;
  return { offset: insn.offset, text, hex, key };
}

/**
 * The operand text with the zeroed field shown as what it points at: a
 * call's target (printed as the next instruction's address once zeroed), or
 * the `0` / `$0` an absolute address became.
 */
function substitute(operands: string, r: CodeRelocation, insn: DecodedInstruction): string {
  if (r.pcRelative) {
    const next = insn.offset + insn.size;
    for (const form of [`0x${next.toString(16)}`, String(next)]) {
      const re = new RegExp(`(^|[^\\w])${form}(?![\\w])`);
      if (re.test(operands)) return operands.replace(re, `$1${r.target}`);
    }
    return `${operands} <${r.target}>`;
  }
  // The immediate is encoded last: a field ending the instruction is the `$0`.
  const isImmediate = r.offset + r.width === insn.offset + insn.size && /\$0(?![\w])/.test(operands);
  if (isImmediate) return operands.replace(/\$0(?![\w])/, `$$${r.target}`);
  const re = /(^|[\s,*(])0(?![\w])/;
  if (re.test(operands)) return operands.replace(re, `$1${r.target}`);
  return `${operands} <${r.target}>`;
}

export function disassemble(code: FunctionCode, decoder: X86Decoder): DisasmLine[] {
  return lines(code, decoder).map(({ key: _key, ...l }) => l);
}

function lines(code: FunctionCode, decoder: X86Decoder): Line[] {
  return decoder.decode(code.bytes).map((i) => render(i, code));
}

/** Above this many cells the alignment compares position by position instead. */
const MAX_TABLE = 4_000_000;

/** Original and patched side by side, differing instructions marked. */
export function compareFunctions(original: FunctionCode | undefined, patched: FunctionCode | undefined, decoder: X86Decoder): DisasmRow[] {
  const a = original ? lines(original, decoder) : [];
  const b = patched ? lines(patched, decoder) : [];
  const strip = (l: Line): DisasmLine => ({ offset: l.offset, text: l.text, hex: l.hex });
  let head = 0;
  while (head < a.length && head < b.length && a[head]!.key === b[head]!.key) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail]!.key === b[b.length - 1 - tail]!.key) tail++;
  const rows: DisasmRow[] = [];
  for (let i = 0; i < head; i++) rows.push({ kind: "same", original: strip(a[i]!), patched: strip(b[i]!) });
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const ops = midA.length * midB.length > MAX_TABLE ? positional(midA.length, midB.length, (i, j) => midA[i]!.key === midB[j]!.key) : lcs(midA.map((l) => l.key), midB.map((l) => l.key));
  // Runs of removals and additions between two equal lines pair up as changes.
  let pendingA: Line[] = [];
  let pendingB: Line[] = [];
  const flush = (): void => {
    const n = Math.max(pendingA.length, pendingB.length);
    for (let k = 0; k < n; k++) {
      const o = pendingA[k];
      const p = pendingB[k];
      rows.push({ kind: o && p ? "changed" : o ? "removed" : "added", ...(o ? { original: strip(o) } : {}), ...(p ? { patched: strip(p) } : {}) });
    }
    pendingA = [];
    pendingB = [];
  };
  for (const op of ops) {
    if (op.kind === "same") {
      flush();
      rows.push({ kind: "same", original: strip(midA[op.i]!), patched: strip(midB[op.j]!) });
    } else if (op.kind === "removed") pendingA.push(midA[op.i]!);
    else pendingB.push(midB[op.j]!);
  }
  flush();
  for (let k = tail; k > 0; k--) rows.push({ kind: "same", original: strip(a[a.length - k]!), patched: strip(b[b.length - k]!) });
  return rows;
}

type Op = { kind: "same"; i: number; j: number } | { kind: "removed"; i: number } | { kind: "added"; j: number };

function lcs(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const table = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * (m + 1) + j] = a[i] === b[j] ? table[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(table[(i + 1) * (m + 1) + j]!, table[i * (m + 1) + j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) ops.push({ kind: "same", i: i++, j: j++ });
    else if (table[(i + 1) * (m + 1) + j]! >= table[i * (m + 1) + j + 1]!) ops.push({ kind: "removed", i: i++ });
    else ops.push({ kind: "added", j: j++ });
  }
  while (i < n) ops.push({ kind: "removed", i: i++ });
  while (j < m) ops.push({ kind: "added", j: j++ });
  return ops;
}

function positional(n: number, m: number, same: (i: number, j: number) => boolean): Op[] {
  const ops: Op[] = [];
  for (let k = 0; k < Math.max(n, m); k++) {
    if (k < n && k < m && same(k, k)) ops.push({ kind: "same", i: k, j: k });
    else {
      if (k < n) ops.push({ kind: "removed", i: k });
      if (k < m) ops.push({ kind: "added", j: k });
    }
  }
  return ops;
}
