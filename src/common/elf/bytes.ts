// Bounds-checked little-endian access. DataView would throw a RangeError on a
// bad offset; malformed input must surface as an ElfError instead.

import { ElfError, hex } from "./errors.ts";

export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Throws unless [offset, offset + size) lies inside `length` bytes of
 * `container` ("file", or a section's name for offsets within its data).
 */
export function checkRange(
  length: number,
  offset: number,
  size: number,
  what: string,
  container = "file",
): void {
  // Offsets and sizes come from 32-bit fields, so the sum is exact in a double.
  if (!(offset >= 0 && size >= 0 && offset + size <= length)) {
    throw new ElfError(
      `${what}: bytes ${hex(offset)}..${hex(offset + size)} are outside the ` +
        `${hex(length)}-byte ${container}`,
      { offset },
    );
  }
}

/**
 * Validates a value headed for an unsigned 32-bit field. Negative int32 values
 * are accepted because flag words with bit 31 set come out of `|` negative.
 */
export function toU32(value: number, what: string, section?: number): number {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
    throw new ElfError(`${what}: ${value} does not fit in 32 bits`, { section });
  }
  return value >>> 0;
}

export function isPowerOfTwoOrZero(value: number): boolean {
  // `&` works on int32, which is still right for 0x80000000 (-2^31 & (2^31 - 1) === 0).
  return value === 0 || (value > 0 && (value & (value - 1)) === 0);
}
