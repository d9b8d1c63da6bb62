// The disassembler as the rest of the code sees it: bytes in, instructions
// out. The library behind it (capstone.ts) is loaded by the caller — from a
// file in Node, from a URL in the builder worker — so this stays pure.

export interface DecodedInstruction {
  /** Offset in the bytes given. */
  offset: number;
  size: number;
  /** AT&T syntax, as objdump prints the kernel's code. */
  mnemonic: string;
  operands: string;
}

export interface X86Decoder {
  /** Decodes 32-bit x86 code; bytes it cannot decode come back as `.byte` entries, one each. */
  decode(bytes: Uint8Array): DecodedInstruction[];
}
