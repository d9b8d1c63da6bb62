import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_DIR } from "../images/store.ts";

/**
 * Cold boot as a user sees it: a fresh `klp boot --exec true` process, from
 * spawn to exit (Node start, image loading, v86 start, kernel boot, shell).
 */
export function timeColdBoot(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(REPO_DIR, "bin/klp.js"), "boot", "--exec", "true"], { stdio: "inherit" });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`klp boot --exec true exited with ${code}`));
      else resolve((performance.now() - t0) / 1000);
    });
  });
}
