// The i386 relocations as the linker applies them to a REL object
// (implicit addends, read from the field by the ELF reader): the value a
// field holds once its symbol's address S is known, and back.
import { R_386_32, R_386_PC32, R_386_PLT32, relocTypeName } from "../../elf/index.ts";
import { RunPreError } from "./errors.ts";

/** Relocation types a kernel object's code uses (vmlinux is linked without a PLT: PLT32 is PC32). */
export function isPcRelative(type: number): boolean {
  if (type === R_386_PC32 || type === R_386_PLT32) return true;
  if (type === R_386_32) return false;
  throw new RunPreError("internal", `${relocTypeName(type)} in kernel code: run-pre matching links only R_386_32, R_386_PC32 and R_386_PLT32`);
}

/** What the field at runtime address P holds: S + A, or S + A - P. */
export function fieldValue(type: number, S: number, A: number, P: number): number {
  return (isPcRelative(type) ? S + A - P : S + A) >>> 0;
}

/** The S that makes the field hold `value`: how a target's address is learned from the running code. */
export function symbolFromField(type: number, value: number, A: number, P: number): number {
  return (isPcRelative(type) ? value + P - A : value - A) >>> 0;
}

export const FIELD_SIZE = 4;

export function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

export function u32Bytes(value: number): Uint8Array {
  return new Uint8Array([value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff]);
}
