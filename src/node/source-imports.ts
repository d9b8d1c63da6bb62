// The import specifiers of a TypeScript file, read from its import
// statements (static, dynamic, and `new URL(…, import.meta.url)` for
// workers). A regex reader, not a parser: it only has to find specifiers,
// and every one of ours sits at a statement start. Used by the layer check
// (test/unit/layers) and the images' recipe hash.

export interface SourceImport {
  specifier: string;
  /** 1-based line of the statement. */
  line: number;
  /** `import type` / `export type`: erased, it runs nothing. */
  typeOnly: boolean;
}

const PATTERNS = [
  /^[ \t]*(?:import|export)\b[^'"`;]*?\bfrom\s*(['"])([^'"]+)\1/gm,
  /^[ \t]*import\s*(['"])([^'"]+)\1/gm,
  /\bimport\(\s*(['"])([^'"]+)\1\s*\)/g,
  /\bnew URL\(\s*(['"])([^'"]+)\1\s*,\s*import\.meta\.url/g,
];

export function sourceImports(text: string): SourceImport[] {
  const out: SourceImport[] = [];
  for (const pattern of PATTERNS) {
    for (const m of text.matchAll(pattern)) {
      // `import { type A }` still runs the module: only a statement-wide `type` is erased.
      out.push({ specifier: m[2] ?? "", line: text.slice(0, m.index).split("\n").length, typeOnly: /^\s*(?:import|export)\s+type\s/.test(m[0]) });
    }
  }
  return out;
}
