// The layer ladder (ARCHITECTURE.md), checked over every import of the
// source tree: src/common is platform-free and imports no other layer; the
// v86 façade (src/machine) sits on common alone; Node code never reaches
// into the page's code. A new edge that breaks the ladder fails here with
// the file, line and specifier.
import { describe, expect, it } from "vitest";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { importGraph, importsOf, layerOf, type ImportEdge, type Layer } from "./import-graph.ts";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "../../..");

/** What each layer may import: layers, and packages (node:* builtins count as the package "node:"). */
const MAY_IMPORT: Record<Layer, { layers: Layer[]; packages: (string | RegExp)[] }> = {
  // Pure TypeScript over injected services: the same code in the page, its workers and Node.
  common: { layers: ["common"], packages: ["fzstd"] },
  // The v86 façade: v86 is the machine's one outside dependency.
  machine: { layers: ["common"], packages: ["v86"] },
  node: { layers: ["common", "machine", "node"], packages: [/^node:/, "playwright-core", "vite"] },
  cli: { layers: ["common", "machine", "node", "cli"], packages: [/^node:/] },
  // The page starts its workers by URL and knows their APIs' types.
  browser: { layers: ["browser", "common", "workers"], packages: ["comlink", "monaco-editor", /^@xterm\//, "@alexaltea/capstone-js"] },
  // A worker hosts a Machine (or the pipeline) and downloads through the page's image code; v86.wasm comes in as an asset URL.
  workers: { layers: ["common", "machine", "browser"], packages: ["comlink", /^v86\/build\/v86\.wasm\?url$/] },
};

function isPackage(edge: ImportEdge): boolean {
  return !edge.specifier.startsWith(".");
}

/** Why an edge breaks the ladder, or undefined when it may stay. */
export function violation(edge: ImportEdge): string | undefined {
  const from = layerOf(edge.from);
  if (!from) return undefined;
  const rules = MAY_IMPORT[from];
  if (isPackage(edge)) {
    const ok = rules.packages.some((p) => (typeof p === "string" ? p === edge.to : p.test(edge.specifier)));
    return ok ? undefined : `${from} may not import the package ${edge.specifier}`;
  }
  const to = layerOf(edge.to);
  if (to === undefined) return `${from} imports ${edge.to}, which is outside every layer`;
  return rules.layers.includes(to) ? undefined : `${from} may not import ${to}`;
}

describe("layers", () => {
  it("every import follows the ladder", () => {
    const broken = importGraph(REPO)
      .map((e) => ({ e, why: violation(e) }))
      .filter((x) => x.why !== undefined)
      .map(({ e, why }) => `${e.from}:${e.line}: ${why} ('${e.specifier}')`);
    expect(broken).toEqual([]);
  });

  it("sees every kind of import, so a forbidden one cannot hide", () => {
    const text = [
      'import { a } from "../../browser/a.ts";',
      'import type { B } from "../../node/b.ts";',
      'export { c } from "../../machine/c.ts";',
      'import "../../cli/side-effect.ts";',
      'const d = await import("../../../workers/d.ts");',
      'const w = new URL("../../../workers/w.worker.ts", import.meta.url);',
      "import {",
      "  e,",
      '} from "node:fs";',
    ].join("\n");
    const edges = importsOf("src/common/klp/x.ts", text);
    expect(edges.map((e) => e.specifier).sort()).toEqual(
      ["../../browser/a.ts", "../../node/b.ts", "../../machine/c.ts", "../../cli/side-effect.ts", "../../../workers/d.ts", "../../../workers/w.worker.ts", "node:fs"].sort(),
    );
    expect(edges.map(violation).every((v) => v !== undefined)).toBe(true);
  });

  it("refuses node -> browser and machine -> browser, allows node -> common", () => {
    const [toBrowser] = importsOf("src/node/bench/x.ts", 'import { S } from "../../browser/samples/index.ts";');
    const [machineToBrowser] = importsOf("src/machine/x.ts", 'import { S } from "../browser/images.ts";');
    const [toCommon] = importsOf("src/node/bench/x.ts", 'import { S } from "../../common/samples/index.ts";');
    expect(violation(toBrowser!)).toBe("node may not import browser");
    expect(violation(machineToBrowser!)).toBe("machine may not import browser");
    expect(violation(toCommon!)).toBeUndefined();
  });
});
