// The part of an emscripten program's module API (MODULARIZE, ES module,
// emscripten 3.1.6) that the WebAssembly compiler uses: typed here once, so
// the rest of the code never touches an untyped module.

/** An emscripten FS node; only what the lazy lookup needs. */
export interface EmscriptenNode {
  name: string;
  node_ops: { lookup(parent: EmscriptenNode, name: string): EmscriptenNode };
}

export interface EmscriptenFS {
  root: EmscriptenNode;
  mkdir(path: string): void;
  mkdirTree(path: string): void;
  writeFile(path: string, data: Uint8Array | string): void;
  readFile(path: string): Uint8Array;
  symlink(target: string, path: string): void;
  chdir(path: string): void;
  getPath(node: EmscriptenNode): string;
  lookupNode(parent: EmscriptenNode, name: string): EmscriptenNode;
  analyzePath(path: string): { exists: boolean };
}

export interface EmscriptenModule {
  FS: EmscriptenFS;
  /** Runs main(); with EXIT_RUNTIME the return value is the exit status (also of exit()). */
  callMain(args: string[]): number;
}

export interface EmscriptenOptions {
  noInitialRun: boolean;
  /** argv[0], which GCC prints in its own messages ("cc1: error: …"). */
  thisProgram: string;
  print(line: string): void;
  printErr(line: string): void;
  /** Hands the loader an instance of a module compiled once, so each run only instantiates. */
  instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void): object;
  quit(status: number, toThrow: unknown): void;
}

/** The default export of an emscripten MODULARIZE loader. */
export type EmscriptenFactory = (options: EmscriptenOptions) => Promise<EmscriptenModule>;

/** One of the compiler's programs: its loader and its compiled wasm. */
export interface WasmProgram {
  factory: EmscriptenFactory;
  module: WebAssembly.Module;
}

export interface ProgramRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program once in a fresh instance (GCC's globals are not made to run
 * main() twice): `prepare` fills its file system before main(), `collect`
 * reads results after it.
 */
export async function runProgram(
  program: WasmProgram,
  argv0: string,
  args: string[],
  prepare: (fs: EmscriptenFS) => void,
  collect: (fs: EmscriptenFS, exitCode: number) => void,
): Promise<ProgramRun> {
  let stdout = "";
  let stderr = "";
  const instance = await program.factory({
    noInitialRun: true,
    thisProgram: argv0,
    print: (line) => (stdout += line + "\n"),
    printErr: (line) => (stderr += line + "\n"),
    instantiateWasm: (imports, done) => {
      // Synchronous on purpose: the module is compiled already, and the async
      // WebAssembly.instantiate queues behind V8's tier-up tasks from the
      // previous run (measured 3.8 s for `as` right after cc1, 10 ms like this).
      // A worker or Node may instantiate any size synchronously.
      done(new WebAssembly.Instance(program.module, imports));
      return {};
    },
    quit: (_status, toThrow) => {
      throw toThrow;
    },
  });
  prepare(instance.FS);
  let exitCode: number;
  try {
    exitCode = instance.callMain(args);
  } catch (e) {
    // An abort() (an internal compiler error) or a trap: the program's own words first.
    exitCode = 134;
    stderr += `${argv0}: ${e instanceof Error ? e.message : String(e)}\n`;
  }
  collect(instance.FS, exitCode);
  return { exitCode, stdout, stderr };
}
