// Runs the `klp` command as a user would (bin/klp.js in a child process), for the e2e tests.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { REPO_DIR } from "../../src/node/images/store.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function klp(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_DIR, "bin/klp.js"), ...args], { cwd: REPO_DIR, maxBuffer: 64 << 20, timeout: 600_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
