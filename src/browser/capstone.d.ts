// @alexaltea/capstone-js ships no types: its factory, as disasm.ts uses it.
declare module "@alexaltea/capstone-js" {
  const factory: (options: { wasmBinary: Uint8Array }) => Promise<unknown>;
  export default factory;
}
