import { describe, expect, it } from "vitest";
import {
  ElfError,
  StringTableBuilder,
  encodeName,
  readString,
  tryReadString,
} from "../../../src/common/elf/index.ts";

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe("StringTableBuilder", () => {
  it("starts with the empty string at offset 0", () => {
    const b = new StringTableBuilder();
    expect(b.add("")).toBe(0);
    expect(Array.from(b.finish())).toEqual([0]);
  });

  it("deduplicates names and shares tails of earlier names", () => {
    const b = new StringTableBuilder();
    expect(b.add(".rel.text")).toBe(1);
    expect(b.add(".symtab")).toBe(11);
    expect(b.add(".rel.text")).toBe(1);
    expect(b.add(".text")).toBe(5);
    expect(b.add("tab")).toBe(15);
    expect(b.offsetOf(".text")).toBe(5);
    expect(b.offsetOf(".data")).toBeUndefined();
    const table = b.finish();
    expect(table).toEqual(bytes("\0.rel.text\0.symtab\0"));
    expect(b.size).toBe(table.length);
    expect(readString(table, 5)).toBe(".text");
  });

  it("does not share a name that is only a prefix", () => {
    const b = new StringTableBuilder();
    b.add("greet.c");
    expect(b.add("greet")).toBe(9);
    expect(b.finish()).toEqual(bytes("\0greet.c\0greet\0"));
  });

  it("rejects names that cannot be stored", () => {
    const b = new StringTableBuilder();
    expect(() => b.add("a\0b")).toThrow(ElfError);
    expect(() => b.add("\u0100")).toThrow(ElfError);
    expect(() => encodeName("snow\u2603")).toThrow(/U\+0001\.\.U\+00FF/);
  });
});

describe("readString", () => {
  it("round-trips every non-NUL byte value", () => {
    const name = String.fromCharCode(...Array.from({ length: 255 }, (_, i) => i + 1));
    const b = new StringTableBuilder();
    const at = b.add(name);
    expect(readString(b.finish(), at)).toBe(name);
  });

  it("reads long strings", () => {
    const name = "x".repeat(100_000);
    const b = new StringTableBuilder();
    const at = b.add(name);
    expect(b.add(name)).toBe(at);
    expect(readString(b.finish(), at)).toBe(name);
  });

  it("reports out-of-range and unterminated strings", () => {
    const table = bytes("\0abc\0def");
    expect(readString(table, 1)).toBe("abc");
    expect(readString(table, 4)).toBe("");
    expect(() => readString(table, 99, "section 3 name")).toThrow(
      /section 3 name: string offset 0x63 is outside the string table \(size 0x8\)/,
    );
    expect(() => readString(table, 5)).toThrow(/not NUL-terminated/);
    expect(tryReadString(table, 5)).toBeUndefined();
    expect(tryReadString(table, -1)).toBeUndefined();
    expect(tryReadString(table, 1.5)).toBeUndefined();
  });
});
