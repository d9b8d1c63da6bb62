// The import graph of the source tree (src/node/source-imports.ts reads
// each file's specifiers), for the layer check.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { sourceImports } from "../../../src/node/source-imports.ts";

export type Layer = "common" | "machine" | "browser" | "workers" | "node" | "cli";

export interface ImportEdge {
  /** Repo-relative path of the importing file. */
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** Repo-relative path it resolves to, or the package name for a bare specifier. */
  to: string;
  line: number;
}

const ROOTS: Array<[string, Layer]> = [
  ["src/common/", "common"],
  ["src/machine/", "machine"],
  ["src/browser/", "browser"],
  ["workers/", "workers"],
  ["src/node/", "node"],
  ["src/cli/", "cli"],
];

export function layerOf(path: string): Layer | undefined {
  return ROOTS.find(([prefix]) => path.startsWith(prefix))?.[1];
}

/** The import edges of one file's text; `from` is its repo-relative path. */
export function importsOf(from: string, text: string): ImportEdge[] {
  return sourceImports(text).map(({ specifier, line }) => ({
    from,
    specifier,
    to: specifier.startsWith(".") ? normalize(join(dirname(from), specifier)) : packageName(specifier),
    line,
  }));
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

/** Every .ts file under the layered roots, repo-relative. */
export function sourceFiles(repo: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(repo, dir), { withFileTypes: true })) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (/\.ts$/.test(e.name)) out.push(path);
    }
  };
  for (const [prefix] of ROOTS) walk(prefix.replace(/\/$/, ""));
  return out.sort();
}

export function importGraph(repo: string): ImportEdge[] {
  return sourceFiles(repo).flatMap((f) => importsOf(relative(repo, join(repo, f)), readFileSync(join(repo, f), "utf8")));
}
