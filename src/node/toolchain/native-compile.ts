import { spawn } from "node:child_process";
import { shellWords } from "../../common/kbuild/shell-words.ts";

export interface NativeRunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a kbuild command inside the unpacked toolchain root, natively: the same
 * i386 binaries, the same absolute paths and working directory as in the
 * build-host VM. `unshare -r` gives an unprivileged user the chroot it needs.
 */
export function runInToolchainRoot(root: string, command: string, cwd = "/build/linux"): Promise<NativeRunResult> {
  const argv = shellWords(command);
  if (argv[0] && !argv[0].startsWith("/")) argv[0] = `/usr/bin/${argv[0]}`;
  return new Promise((resolve, reject) => {
    const child = spawn("unshare", ["-r", `--root=${root}`, `--wd=${cwd}`, ...argv], {
      env: { PATH: "/usr/bin", LANG: "C", TMPDIR: "/tmp" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (e) => reject(new Error(`cannot run the native toolchain (unshare): ${e.message}`)));
    child.on("close", (code) => resolve({ exitCode: code ?? 1, stdout, stderr }));
  });
}
