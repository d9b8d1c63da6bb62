// What a relocation points at, independent of where the compiler happened to
// place things: "symbol + addend" rather than "section + offset", and the
// text of a string literal rather than its offset in .rodata.str1.1.
import { R_386_PC32, R_386_PLT32, SHF_STRINGS, STT_SECTION } from "../../elf/index.ts";
import { KlpDiffError } from "./errors.ts";
import { symbolAt, type ObjRelocation, type ObjSection, type ObjSymbol } from "./model.ts";

export type Reference =
  /** A named symbol (defined here or undefined), plus an addend relative to it. */
  | { kind: "symbol"; symbol: ObjSymbol; addend: number }
  /** A string literal in a mergeable string section. */
  | { kind: "string"; section: ObjSection; text: string; offset: number; addend: number }
  /** Anonymous contents of a section no symbol covers (e.g. a jump table). */
  | { kind: "section"; section: ObjSection; addend: number };

/** i386 PC-relative relocations sit in the last 4 bytes of a call/jmp: the target is addend + 4. */
export function isPcRelative(type: number): boolean {
  return type === R_386_PC32 || type === R_386_PLT32;
}

export function readCString(bytes: Uint8Array, offset: number, section = "a string section"): string {
  // A corrupted addend: refused, not walked from -2^31 up to the section.
  if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) {
    throw new KlpDiffError("malformed-object", `a relocation points at offset ${offset} of ${section}, which has ${bytes.length} bytes: the object is corrupt`, { section });
  }
  let end = offset;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return new TextDecoder("latin1").decode(bytes.subarray(offset, end));
}

export function resolveReference(r: ObjRelocation): Reference {
  const sym = r.symbol;
  if (sym.type !== STT_SECTION || !sym.section) return { kind: "symbol", symbol: sym, addend: r.addend };
  const section = sym.section;
  const target = r.addend + r.bias;
  if (section.header.flags & SHF_STRINGS) {
    return { kind: "string", section, text: readCString(section.header.data, target, section.name), offset: target, addend: r.addend };
  }
  const covering = symbolAt(section, target);
  if (covering) return { kind: "symbol", symbol: covering, addend: r.addend - covering.value };
  return { kind: "section", section, addend: r.addend };
}
