// One compile at a time in a native toolchain root, across processes: a
// compile swaps patched files into the shared unpacked tree, and a second
// process (a test run beside a CLI run, two CI jobs) would otherwise save one
// compile's patched file as "pristine" and put it back for good.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Runs `work` holding `<root>/.klp-lock`; a lock left by a dead process is taken over. */
export async function withRootLock<T>(root: string, work: () => Promise<T>): Promise<T> {
  const lock = join(root, ".klp-lock");
  for (let waited = 0; ; waited += 25) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = Number(readFileSync(lock, { encoding: "utf8", flag: "r" }) || "0");
      if (holder && !alive(holder)) rmSync(lock, { force: true });
      else if (waited > 600_000) throw new Error(`the native toolchain at ${root} is locked by process ${holder} for 10 minutes`, { cause: e });
      else await new Promise((r) => setTimeout(r, 25));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { force: true });
  }
}
