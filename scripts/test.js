#!/usr/bin/env node
// `npm test`: type-check, run every vitest suite (units and the end-to-end
// tests that boot v86), then print one plain summary line.
import { spawnSync } from "node:child_process";
import { readFileSync, mkdirSync } from "node:fs";
import { typecheck } from "./typecheck.js";

const run = (cmd, args) => spawnSync(cmd, args, { stdio: "inherit" }).status ?? 1;

const failedPrograms = typecheck();
if (failedPrograms.length) {
  console.error(`typecheck failed: ${failedPrograms.join(", ")}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
mkdirSync("test-results", { recursive: true });
const status = run("npx", [
  "--no-install", "vitest", "run",
  "--reporter=default", "--reporter=json", "--outputFile.json=test-results/vitest.json",
  ...process.argv.slice(2),
]);
try {
  const r = JSON.parse(readFileSync("test-results/vitest.json", "utf8"));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`);
  if (r.numTotalTests === 0) process.exit(1);
} catch {
  console.log("0 passed, 1 failed");
  process.exit(status || 1);
}
process.exit(status);
