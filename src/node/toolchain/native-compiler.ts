import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { retargetCompile, shellQuote } from "../../common/kbuild/command.ts";
import type { KbuildIndex } from "../../common/kbuild/index-format.ts";
import { treeRelativePath } from "../../common/kbuild/tree-path.ts";
import { runInToolchainRoot } from "./native-compile.ts";
import { withRootLock } from "./root-lock.ts";

export interface NativeCompileRequest {
  /** Object to build, relative to the tree (e.g. fs/proc/cmdline.o). */
  object: string;
  /** Files to compile with instead of the pristine ones (tree-relative path -> text). */
  overrides?: Record<string, string>;
}

export interface NativeCompileResult {
  exitCode: number;
  /** The object file when the compile succeeded. */
  object?: Uint8Array;
  stderr: string;
}

let queue: Promise<unknown> = Promise.resolve();
let counter = 0;

/**
 * Compiles one kernel object natively with its recorded kbuild command line.
 * Patched files are swapped in at their own paths (so __FILE__, the .file
 * directive and every path the compiler records stay the same as in the
 * original build) and put back afterwards; compiles are serialised, within
 * this process and across processes (withRootLock), so two never see each
 * other's files.
 */
export function compileNative(root: string, kbuild: KbuildIndex, request: NativeCompileRequest): Promise<NativeCompileResult> {
  const run = queue.then(() => withRootLock(root, () => compileNow(root, kbuild, request)));
  queue = run.catch(() => undefined);
  return run;
}

async function compileNow(root: string, kbuild: KbuildIndex, request: NativeCompileRequest): Promise<NativeCompileResult> {
  const entry = kbuild.objects[request.object];
  if (!entry) throw new Error(`${request.object} is not an object of this kernel build`);
  const tree = join(root, kbuild.treePath);
  const saved = new Map<string, Buffer | undefined>();
  const out = `/tmp/klp-native-${process.pid}-${++counter}.o`;
  try {
    for (const [path, text] of Object.entries(request.overrides ?? {})) {
      const file = join(tree, treeRelativePath(path));
      saved.set(file, existsSync(file) ? readFileSync(file) : undefined);
      mkdirSync(join(file, ".."), { recursive: true });
      writeFileSync(file, text);
    }
    const r = await runInToolchainRoot(root, shellQuote(retargetCompile(entry.command, out)), kbuild.treePath);
    const objectFile = join(root, out);
    const object = r.exitCode === 0 ? new Uint8Array(readFileSync(objectFile)) : undefined;
    return { exitCode: r.exitCode, object, stderr: r.stderr };
  } finally {
    for (const [file, data] of saved) {
      if (data === undefined) rmSync(file, { force: true });
      else writeFileSync(file, data);
    }
    rmSync(join(root, out), { force: true });
    rmSync(join(root, `${out}.d`), { force: true });
  }
}
