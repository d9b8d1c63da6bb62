// The x86 disassembler in Node: Capstone's wasm read from node_modules.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { capstoneDecoder, type CapstoneModule, type X86Decoder } from "../common/disasm/index.ts";

let loaded: Promise<X86Decoder> | undefined;

export function loadX86Decoder(): Promise<X86Decoder> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    // A CommonJS factory (emscripten MODULARIZE): handed the wasm bytes, it fetches nothing.
    const factory = require("@alexaltea/capstone-js") as (options: { wasmBinary: Uint8Array }) => Promise<CapstoneModule>;
    const wasmBinary = readFileSync(require.resolve("@alexaltea/capstone-js/dist/capstone.wasm"));
    return capstoneDecoder(await factory({ wasmBinary }));
  })();
  return loaded;
}
