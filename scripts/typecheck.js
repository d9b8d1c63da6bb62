#!/usr/bin/env node
// `npm run typecheck`: every TypeScript program of the tree. src/common and
// src/browser have their own (no Node types; common also no DOM), so code
// that would only run on one platform fails to type-check in the layer that
// must run on both; tsconfig.json covers everything else with tests.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const PROGRAMS = ["src/common", "src/browser", "."];

/** Type-checks each program; returns the ones that failed. */
export function typecheck() {
  return PROGRAMS.filter((p) => (spawnSync("npx", ["--no-install", "tsc", "--noEmit", "-p", p], { stdio: "inherit" }).status ?? 1) !== 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const failed = typecheck();
  if (failed.length) console.error(`typecheck failed: ${failed.join(", ")}`);
  process.exit(failed.length ? 1 : 0);
}
