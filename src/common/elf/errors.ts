/** Where in the input a problem was found, so callers can point at it. */
export interface ElfErrorLocation {
  /** Byte offset in the file (or in the section data, for section-level readers). */
  offset?: number;
  /** Section header index. */
  section?: number;
}

/**
 * Every problem with ELF input or with an ElfFile handed to the writer is
 * reported as an ElfError, so callers can tell "bad object file" apart from
 * bugs (a RangeError or TypeError escaping this library is a bug).
 */
export class ElfError extends Error {
  override readonly name = "ElfError";
  readonly offset: number | undefined;
  readonly section: number | undefined;

  constructor(message: string, where: ElfErrorLocation = {}) {
    super(message);
    this.offset = where.offset;
    this.section = where.section;
  }
}

/** Hex is what readelf and objdump print, so messages use it for offsets. */
export function hex(value: number): string {
  return `0x${value.toString(16)}`;
}
