#!/usr/bin/env node
// `npm run fixtures`: records the kernel fixtures the unit tests replay
// (test/fixtures/kernel: objects compiled natively with a test's edits, the
// pristine files and vmlinux data they read), from the images and the native
// toolchain (needs `unshare -r`). Run it after the kernel or a test's edits
// change, and commit test/fixtures/kernel. It records into a fresh store
// and replaces the committed one only when every unit test passed, so
// fixtures no test asks for any more are dropped and a failed run (or images
// being rebuilt meanwhile) leaves the old store as it was.
import { spawnSync } from "node:child_process";
import { renameSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const store = fileURLToPath(new URL("../test/fixtures/kernel", import.meta.url));
const fresh = `${store}.recording`;
rmSync(fresh, { recursive: true, force: true });
// One file at a time: the tests share the store's index. Recording compiles
// natively, one compile at a time across processes: a test must not time out
// while its compile waits, or the worker may be torn down with a patched file
// still swapped into the shared native root.
const r = spawnSync("npx", ["--no-install", "vitest", "run", "--project", "unit", "--no-file-parallelism", "--testTimeout=600000"], {
  stdio: "inherit",
  env: { ...process.env, KLP_RECORD_FIXTURES: "1", KLP_FIXTURES_DIR: fresh },
});
if (r.status !== 0) {
  console.error(`fixtures: not replaced (the run failed); what was recorded is in ${fresh}`);
  process.exit(r.status ?? 1);
}
rmSync(store, { recursive: true, force: true });
renameSync(fresh, store);
console.log(`fixtures: recorded into ${store}`);
