// The WebAssembly compiler against the native one: the same recorded kbuild
// commands, compilers loaded (the one-time download and WebAssembly.compile
// are measured apart, as load_s).
import { loadKbuildIndex, ToolchainFiles } from "../images/toolchain-files.ts";
import { NativeBuildHost } from "../toolchain/native-build-host.ts";
import { hasWasmCompiler, openWasmCompiler } from "../toolchain/wasm-compiler.ts";

export interface WasmCompileBench {
  loadSeconds: number;
  /** The first compile of each file after load: V8 runs most of cc1 in its baseline tier and optimises the hot functions meanwhile. */
  cmdlineFirstSeconds: number;
  sysFirstSeconds: number;
  /** The same files edited again: what the editing loop costs once the hot code is optimised. */
  cmdlineSeconds: number;
  sysSeconds: number;
  cmdlineNativeSeconds: number;
  sysNativeSeconds: number;
}

export async function benchWasmCompile(log: (s: string) => void): Promise<WasmCompileBench | undefined> {
  if (!hasWasmCompiler()) {
    log("no WebAssembly compiler in these images: skipped");
    return undefined;
  }
  const kbuild = loadKbuildIndex();
  const tree = new ToolchainFiles();
  const pristine = (path: string): string => new TextDecoder().decode(tree.read(`build/linux/${path}`));
  const wasm = openWasmCompiler(kbuild);
  const t0 = performance.now();
  await wasm.warmUp();
  const loadSeconds = (performance.now() - t0) / 1000;
  const timed = async (object: string, tag: string): Promise<number> => {
    // A distinct override per run: the compiler caches identical requests.
    const source = kbuild.objects[object]!.source;
    const r = await wasm.compile({ object, overrides: { [source]: `${pristine(source)}\n/* ${tag} */\n` } });
    if (r.exitCode !== 0) throw new Error(`wasm compile of ${object} failed:\n${r.log}`);
    return r.ms / 1000;
  };
  log("compile fs/proc/cmdline.c and kernel/sys.c with the WebAssembly gcc (first, then edited again)");
  const cmdlineFirstSeconds = await timed("fs/proc/cmdline.o", "first");
  const sysFirstSeconds = await timed("kernel/sys.o", "first");
  const cmdlineSeconds = await timed("fs/proc/cmdline.o", "a");
  const sysSeconds = await timed("kernel/sys.o", "a");
  const native = new NativeBuildHost(kbuild);
  await native.compile({ object: "fs/proc/cmdline.o", overrides: { "fs/proc/cmdline.c": `${pristine("fs/proc/cmdline.c")}\n/* warm */\n` } });
  const n1 = await native.compile({ object: "fs/proc/cmdline.o", overrides: { "fs/proc/cmdline.c": `${pristine("fs/proc/cmdline.c")}\n/* a */\n` } });
  const n2 = await native.compile({ object: "kernel/sys.o", overrides: { "kernel/sys.c": `${pristine("kernel/sys.c")}\n/* a */\n` } });
  return { loadSeconds, cmdlineFirstSeconds, sysFirstSeconds, cmdlineSeconds, sysSeconds, cmdlineNativeSeconds: n1.ms / 1000, sysNativeSeconds: n2.ms / 1000 };
}
