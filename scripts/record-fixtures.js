#!/usr/bin/env node
// `npm run fixtures`: records the kernel fixtures the unit tests replay
// (test/fixtures/kernel: objects compiled natively with a test's edits, the
// pristine files and vmlinux data they read), from the images and the native
// toolchain (needs `unshare -r`). Run it after the kernel or a test's edits
// change, and commit test/fixtures/kernel. It starts from an empty store, so
// fixtures no test asks for any more are dropped.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";

rmSync(new URL("../test/fixtures/kernel", import.meta.url), { recursive: true, force: true });
// One file at a time: the tests share the store's index.
const r = spawnSync("npx", ["--no-install", "vitest", "run", "--project", "unit", "--no-file-parallelism"], {
  stdio: "inherit",
  env: { ...process.env, KLP_RECORD_FIXTURES: "1" },
});
process.exit(r.status ?? 1);
