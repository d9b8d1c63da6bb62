// X86Decoder over Capstone (@alexaltea/capstone-js, BSD-3-Clause: Capstone
// compiled to wasm; runs in Node and in workers alike). Only the few members
// used here are typed.
import type { DecodedInstruction, X86Decoder } from "./decoder.ts";

interface CapstoneInstruction {
  address: bigint | number;
  size: number;
  mnemonic: string;
  op_str: string;
}

interface CapstoneHandle {
  option(option: number, value: number): void;
  disasm(bytes: Uint8Array, address: number): CapstoneInstruction[];
}

/** The object the package's factory resolves to. */
export interface CapstoneModule {
  Capstone: new (arch: number, mode: number) => CapstoneHandle;
  ARCH_X86: number;
  MODE_32: number;
  OPT_SYNTAX: number;
  OPT_SYNTAX_ATT: number;
}

export function capstoneDecoder(cs: CapstoneModule): X86Decoder {
  const handle = new cs.Capstone(cs.ARCH_X86, cs.MODE_32);
  handle.option(cs.OPT_SYNTAX, cs.OPT_SYNTAX_ATT);
  return {
    decode(bytes) {
      const out: DecodedInstruction[] = [];
      let at = 0;
      while (at < bytes.length) {
        let batch: CapstoneInstruction[];
        try {
          batch = handle.disasm(bytes.subarray(at), at);
        } catch {
          batch = []; // Capstone throws when the very first byte does not decode
        }
        for (const i of batch) out.push({ offset: Number(i.address), size: i.size, mnemonic: i.mnemonic, operands: i.op_str });
        const end = batch.length ? Number(batch[batch.length - 1]!.address) + batch[batch.length - 1]!.size : at;
        if (end >= bytes.length) break;
        // Capstone stops at the first byte it cannot decode (padding, data in code): show it and go on.
        out.push({ offset: end, size: 1, mnemonic: ".byte", operands: `0x${bytes[end]!.toString(16).padStart(2, "0")}` });
        at = end + 1;
      }
      return out;
    },
  };
}
