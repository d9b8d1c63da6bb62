// The WebAssembly compiler: Debian's GCC 12.2 cc1 and binutils 2.40 as, built
// for wasm32 by the image script, run directly on the toolchain image with
// the command lines the kernel's own gcc driver ran (driver.json). Same
// compiler, same Debian patches, same options: the objects are byte-identical
// to the kernel's, so a compile's baseline is the kernel's own object, and no
// precompiled header is needed at this speed.
import type { CompileRequest, CompileResult } from "../compiler.ts";
import { parseGccDiagnostics } from "../diagnostics.ts";
import { DRIVER_ASM_FILE, type DriverIndex } from "../driver-index.ts";
import type { KbuildIndex } from "../../kbuild/index-format.ts";
import { treeRelativePath } from "../../kbuild/tree-path.ts";
import { runProgram, type WasmProgram } from "./emscripten.ts";
import type { ToolchainImage } from "./toolchain-view.ts";

export interface WasmPrograms {
  /** Loads (once) and returns a program; the first call downloads and compiles it. */
  load(name: "cc1" | "as"): Promise<WasmProgram>;
}

export interface WasmCompilerProgress {
  /** What is being waited on ("downloading cc1", "fetching 412 headers", "cc1", "as"). */
  step: string;
  bytes?: number;
}

const CC1 = "/usr/lib/gcc/i686-linux-gnu/12/cc1";
const AS = "/usr/bin/i686-linux-gnu-as";

export class WasmCompiler {
  /** Which compiler ran, for the build log. */
  readonly name = "wasm (Debian gcc 12.2 cc1 + binutils 2.40 as, WebAssembly)";
  private readonly cache = new Map<string, CompileResult>();

  constructor(
    private readonly programs: WasmPrograms,
    private readonly image: ToolchainImage,
    private readonly kbuild: KbuildIndex,
    private readonly driver: DriverIndex,
    private readonly onProgress?: (p: WasmCompilerProgress) => void,
  ) {}

  /**
   * Fetches what compiling `object` reads (its source, every header kbuild
   * recorded, the kernel's own object as the baseline) ahead of a Build: the
   * page does it while the person reads the patch, and a service worker keeps
   * the files for an offline Build.
   */
  async prefetch(object: string): Promise<boolean> {
    const entry = this.kbuild.objects[object];
    if (!entry || !this.driver.objects[object]) return false;
    await this.image.prefetch(this.reads(entry, object));
    return true;
  }

  private reads(entry: { source: string; deps: number[] }, object: string): string[] {
    const tree = this.kbuild.treePath;
    // kbuild's dependency lists keep the compiler's spelling (arch/x86/events/intel/../perf_event.h).
    const dep = (p: string) => resolveDots(p.startsWith("/") ? p : `${tree}/${p}`);
    return [entry.source, ...entry.deps.map((i) => this.kbuild.headers[i]!), object].map(dep);
  }

  /** Downloads and compiles both programs now (the first compile would otherwise). */
  async warmUp(): Promise<void> {
    await Promise.all([this.programs.load("cc1"), this.programs.load("as")]);
  }

  async compile(request: CompileRequest): Promise<CompileResult> {
    const t0 = performance.now();
    const key = JSON.stringify([request.object, Object.entries(request.overrides ?? {}).sort()]);
    const hit = this.cache.get(key);
    if (hit) return { ...hit, cached: true, ms: performance.now() - t0 };

    const entry = this.kbuild.objects[request.object];
    const commands = this.driver.objects[request.object];
    if (!entry) throw new Error(`${request.object} is not an object of this kernel build`);
    if (!commands) throw new Error(`${request.object}: no cc1/as command line in driver.json (only C objects are compiled)`);
    const tree = this.kbuild.treePath;
    const abs = (p: string) => (p.startsWith("/") ? p : `${tree}/${treeRelativePath(p)}`);

    const overrides = new Map<string, Uint8Array>();
    for (const [path, text] of Object.entries(request.overrides ?? {})) overrides.set(abs(path), new TextEncoder().encode(text));
    // The kernel's own object is the baseline: fetched with the sources.
    const reads = this.reads(entry, request.object).filter((p) => !overrides.has(p));
    this.onProgress?.({ step: `fetching ${reads.length} source files` });
    const fetchedBefore = this.image.fetchedBytes;
    const [cc1, as] = await Promise.all([
      this.programs.load("cc1"),
      this.programs.load("as"),
      this.image.prefetch(reads, (bytes) => this.onProgress?.({ step: `fetching ${reads.length} source files`, bytes })),
    ]);

    const tFetched = performance.now();
    this.onProgress?.({ step: `cc1 ${entry.source}` });
    let asm: Uint8Array | undefined;
    const compiled = await runProgram(
      cc1,
      CC1,
      commands.cc1,
      (fs) => {
        this.image.mount(fs, overrides);
        fs.mkdirTree("/tmp");
        fs.chdir(tree);
      },
      (fs, code) => {
        if (code === 0) asm = fs.readFile(DRIVER_ASM_FILE);
      },
    );
    const tCompiled = performance.now();
    let log = compiled.stderr;
    let exitCode = compiled.exitCode;
    let object: Uint8Array | undefined;
    if (exitCode === 0 && asm) {
      this.onProgress?.({ step: `as ${request.object}` });
      const out = commands.as[commands.as.indexOf("-o") + 1]!;
      const assembled = await runProgram(
        as,
        AS,
        commands.as,
        (fs) => {
          // The output replaces the kernel's object: never fetch the old one to overwrite it.
          this.image.mount(fs, new Map([[abs(out), new Uint8Array()]]));
          fs.mkdirTree("/tmp");
          fs.writeFile(DRIVER_ASM_FILE, asm!);
          fs.chdir(tree);
        },
        (fs, code) => {
          if (code === 0) object = fs.readFile(abs(out));
        },
      );
      log += assembled.stderr;
      exitCode = assembled.exitCode;
    }
    const result: CompileResult = {
      exitCode,
      object,
      baseline: exitCode === 0 ? this.image.readSync(abs(request.object)) : undefined,
      diagnostics: parseGccDiagnostics(log),
      log,
      mode: "plain",
      cached: false,
      ms: performance.now() - t0,
      timing: [
        `${reads.length} files ready in ${seconds(tFetched - t0)}${this.image.fetchedBytes > fetchedBefore ? ` (${((this.image.fetchedBytes - fetchedBefore) / 1024).toFixed(0)} KB fetched)` : ""}`,
        `cc1 ${seconds(tCompiled - tFetched)}`,
        ...(object ? [`as ${seconds(performance.now() - tCompiled)}`] : []),
      ].join(", "),
    };
    if (exitCode === 0) this.cache.set(key, result);
    return result;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** An absolute path with its "." and ".." segments resolved. */
function resolveDots(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}
