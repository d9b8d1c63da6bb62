// The objects a build compiled, kept for "what changed": the pipeline hands
// the differ each object's baseline and patched build; wrapping the compile
// service sees the same pair without the pipeline having to return it.
import type { Compiler } from "../compile/compiler.ts";
import type { CompiledPair } from "./what-changed.ts";

export function recordingCompiler(inner: Compiler): { compiler: Compiler; compiled: CompiledPair[] } {
  const compiled: CompiledPair[] = [];
  return {
    compiled,
    compiler: {
      async compile(request) {
        const r = await inner.compile(request);
        if (r.exitCode === 0 && r.object && r.baseline) {
          const i = compiled.findIndex((c) => c.object === request.object);
          const pair = { object: request.object, original: r.baseline, patched: r.object };
          if (i >= 0) compiled[i] = pair;
          else compiled.push(pair);
        }
        return r;
      },
    },
  };
}
