// What a mismatch says to a person. Every sentence starts the same way, so
// a page or a CLI can show the first one alone and still be understood.
export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

export function hexBytes(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

export function differsAt(fn: string, offset: number): string {
  return `the running kernel's ${fn} differs from the source this patch was built from at +${hex(offset)}`;
}
