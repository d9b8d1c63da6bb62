// Machine code compared: real kernel objects through Capstone, and the
// alignment on its own.
import { describe, expect, it } from "vitest";
import { compareFunctions, formatFirstChanged, functionCode, whatChanged, type FunctionCode, type X86Decoder } from "../../../src/common/disasm/index.ts";
import { makeDiff } from "../../../src/common/patch/index.ts";
import { loadX86Decoder } from "../../../src/node/disasm.ts";
import { applyEdits, compilePair, readTreeFile } from "../klp-diff/kernel-objects.ts";

const CMDLINE = "fs/proc/cmdline.c";
const EDIT = { before: "\tseq_puts(m, saved_command_line);\n", after: '\tseq_puts(m, saved_command_line);\n\tseq_puts(m, " kpatch-test");\n' };

describe("whatChanged", () => {
  it("shows a cmdline change side by side, relocations by their targets, with the source line the patch added", async () => {
    const decoder = await loadX86Decoder();
    const pair = await compilePair("fs/proc/cmdline.o", [EDIT]);
    const pristine = new TextDecoder().decode(readTreeFile(CMDLINE));
    const diffText = makeDiff(CMDLINE, pristine, applyEdits(pristine, [EDIT], CMDLINE));
    const [d] = whatChanged({
      functions: [{ name: "cmdline_proc_show", object: "fs/proc/cmdline.o" }],
      compiled: [{ object: "fs/proc/cmdline.o", ...pair }],
      diffText,
      readPristine: (p) => (p === CMDLINE ? pristine : undefined),
      decoder,
    });
    const patched = d!.rows.flatMap((r) => (r.patched ? [r.patched.text] : []));
    const original = d!.rows.flatMap((r) => (r.original ? [r.original.text] : []));
    expect(original[0]).toBe("calll __fentry__");
    expect(original).toContain("movl saved_command_line, %edx");
    expect(patched).toContain('movl $" kpatch-test", %edx');
    expect(patched.some((t) => /^calll (seq_write|seq_puts|__seq_puts)$/.test(t))).toBe(true);
    // Calls to the same function are the same instruction, though their raw displacements differ.
    expect(d!.rows.find((r) => r.original?.text === "calll seq_putc")?.kind).toBe("same");
    expect(d!.rows.some((r) => r.kind !== "same")).toBe(true);
    expect(d!.first).toBeDefined();
    expect(d!.source).toEqual({ file: CMDLINE, line: 11, text: 'seq_puts(m, " kpatch-test");' });
    expect(formatFirstChanged([d!]).join("\n")).toMatch(/cmdline_proc_show \[fs\/proc\/cmdline\.o\]: \d+ -> \d+ bytes, fs\/proc\/cmdline\.c:11/);
  });

  it("finds nothing changed in an unchanged function, and zeroes every relocated field", async () => {
    const decoder = await loadX86Decoder();
    const object = readTreeFile("fs/proc/cmdline.o");
    const code = functionCode(object, "cmdline_proc_show")!;
    for (const r of code.relocations) expect([...code.bytes.subarray(r.offset, r.offset + r.width)].every((b) => b === 0)).toBe(true);
    expect(code.relocations.map((r) => r.target)).toEqual(expect.arrayContaining(["__fentry__", "saved_command_line"]));
    expect(compareFunctions(code, code, decoder).every((r) => r.kind === "same")).toBe(true);
  });
});

describe("compareFunctions", () => {
  // A decoder over a toy encoding: one byte per instruction, its value the mnemonic.
  const toy: X86Decoder = { decode: (bytes) => [...bytes].map((b, offset) => ({ offset, size: 1, mnemonic: `op${b}`, operands: "" })) };
  const code = (bytes: number[], relocations: FunctionCode["relocations"] = []): FunctionCode => ({ name: "f", bytes: new Uint8Array(bytes), relocations });
  const call = (offset: number, key: string) => ({ offset, width: 1, pcRelative: false, target: key, key });

  it("pairs removed and added runs as changes and keeps the rest aligned", () => {
    const rows = compareFunctions(code([1, 2, 3, 4]), code([1, 9, 3, 4, 5]), toy);
    expect(rows.map((r) => r.kind)).toEqual(["same", "changed", "same", "same", "added"]);
  });

  it("compares relocated instructions by their targets", () => {
    const same = compareFunctions(code([7], [call(0, "seq_puts")]), code([7], [call(0, "seq_puts")]), toy);
    expect(same.map((r) => r.kind)).toEqual(["same"]);
    const other = compareFunctions(code([7], [call(0, "seq_puts")]), code([7], [call(0, "seq_write")]), toy);
    expect(other.map((r) => r.kind)).toEqual(["changed"]);
  });

  it("shows a function that is new or gone", () => {
    expect(compareFunctions(undefined, code([1, 2]), toy).map((r) => r.kind)).toEqual(["added", "added"]);
  });
});
