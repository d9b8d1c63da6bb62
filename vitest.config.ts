import { defineConfig } from "vitest/config";

// Three projects (`vitest run --project unit`):
// - unit: pure code over committed fixtures (test/fixtures): no emulator, no
//   images, no native toolchain, no `unshare`; files run in parallel.
// - e2e: Node end-to-end tests that boot the target and the build host in
//   v86, compile natively, or check the committed images.
// - page: the built page in Debian's chromium (playwright-core).
// The e2e and page tests boot emulated machines: one file at a time on 2 cores,
// and the projects one after the other (sequence.groupOrder).
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 180_000,
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"], testTimeout: 30_000, sequence: { groupOrder: 0 } } },
      // KLP_FIXTURES=live: the kernel fixtures the e2e tests share with the unit tests are computed, not replayed.
      { extends: true, test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], fileParallelism: false, env: { KLP_FIXTURES: "live" }, sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: "page", include: ["test/page/**/*.test.ts"], fileParallelism: false, sequence: { groupOrder: 2 } } },
    ],
  },
});
