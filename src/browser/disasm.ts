// The x86 disassembler in the builder worker: Capstone's wasm (3.3 MB, 0.9 MB
// gzipped) is fetched the first time a person opens "what changed", not
// with the page.
import type { CapstoneModule, X86Decoder } from "../common/disasm/index.ts";
import { capstoneDecoder } from "../common/disasm/index.ts";

let loaded: Promise<X86Decoder> | undefined;

export function loadX86Decoder(): Promise<X86Decoder> {
  loaded ??= (async () => {
    const [{ default: factory }, { default: wasmUrl }] = await Promise.all([import("@alexaltea/capstone-js"), import("@alexaltea/capstone-js/dist/capstone.wasm?url")]);
    const response = await fetch(new URL(wasmUrl, self.location.href));
    if (!response.ok) throw new Error(`the disassembler's wasm did not download (${response.status} ${response.statusText}): reload the page to try again`);
    const wasmBinary = new Uint8Array(await response.arrayBuffer());
    return capstoneDecoder(await (factory as (options: { wasmBinary: Uint8Array }) => Promise<CapstoneModule>)({ wasmBinary }));
  })();
  loaded.catch(() => (loaded = undefined));
  return loaded;
}
