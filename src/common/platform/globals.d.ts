// The web-platform globals that src/common may use: only what both Node.js
// (>= 20) and browsers (main thread and workers) provide under the same name
// and meaning. src/common/tsconfig.json has no DOM lib and no Node types, so
// anything not declared here is a type error there: code that needs more
// belongs in src/browser or src/node, behind an interface common defines.
// The other programs (tsconfig.json, src/browser/tsconfig.json) do not
// include this file; they get the real declarations from their libs.

declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBuffer | ArrayBufferView, options?: { stream?: boolean }): string;
}

/** A timer's handle: a number in browsers, an object in Node; only ever handed back to clearTimeout. */
interface PlatformTimer {
  readonly __platformTimer: unique symbol;
}
declare function setTimeout(handler: (...args: unknown[]) => void, timeout?: number): PlatformTimer;
declare function clearTimeout(timer: PlatformTimer | undefined): void;

declare const performance: { now(): number };

declare const crypto: {
  readonly subtle: { digest(algorithm: "SHA-256", data: ArrayBuffer | ArrayBufferView): Promise<ArrayBuffer> };
};

declare namespace WebAssembly {
  class Module {
    constructor(bytes: ArrayBuffer | ArrayBufferView);
  }
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Record<string, unknown>;
  }
  type Imports = Record<string, Record<string, unknown>>;
}
