// The builder in a web worker: runs the klp pipeline with the WebAssembly
// compiler (Debian's gcc 12 cc1 and binutils as, built for wasm32: the same
// objects as the kernel's, at near-native speed), exactly as `klp build
// --builder wasm` does in Node. Where the images have no wasm compiler, or
// this browser cannot run it, the build-host VM (Debian's i386 gcc-12 in v86,
// resumed from its warm snapshot) compiles instead; the build log says which.
import * as Comlink from "comlink";
import v86WasmUrl from "v86/build/v86.wasm?url";
import { Machine } from "../src/machine/machine.ts";
import { BuildHost } from "../src/common/compile/build-host.ts";
import { BUILDER } from "../src/common/machine/profiles.ts";
import { machineConfigFrom } from "../src/common/machine/config.ts";
import { parseKlpInputs, type KlpInputs } from "../src/common/klp/inputs.ts";
import { buildLivepatch, KlpBuildError, objectsToCompile, type BuildErrorData, type BuildOutput, type BuildProgress, type ReadPristine, type StageTiming } from "../src/common/klp/pipeline.ts";
import { fetchArtifact, fetchManifest, type Progress } from "../src/browser/images.ts";
import { recordingCompiler, whatChanged, type CompiledPair, type FunctionMachineDiff } from "../src/common/disasm/index.ts";
import { loadX86Decoder } from "../src/browser/disasm.ts";
import { canRunWasmCompiler, openBrowserWasmCompiler } from "../src/browser/compile/wasm-compiler.ts";
import type { Compiler } from "../src/common/compile/compiler.ts";
import type { KbuildIndex } from "../src/common/kbuild/index-format.ts";
import type { ImagesManifest } from "../src/common/images/manifest.ts";
import { runPreForBuild } from "../src/common/klp/run-pre/for-build.ts";

/** What compiles and where the pristine tree is read from: the wasm compiler, or the build-host VM. */
interface Backend {
  kind: "wasm" | "vm";
  /** For the build log: which compiler ran. */
  describe: string;
  compiler: Compiler;
  readTreeFile(path: string): Promise<Uint8Array | undefined>;
  /** Work ahead of a Build (the VM's precompiled headers; the wasm programs' download). */
  prepare(object: string): Promise<boolean>;
}

interface Inputs extends KlpInputs {
  host: Backend;
}

/** Comlink carries only an Error's message: failures travel as data (KlpBuildError.toJSON) instead. */
export type BuildReply = { ok: true; output: BuildOutput } | { ok: false; error: BuildErrorData };

const text = (b: ArrayBuffer | Uint8Array) => new TextDecoder().decode(b);

class BuilderWorker {
  private inputs: Promise<Inputs> | undefined;
  /** What the last successful build compiled, for "what changed" (machineCode). */
  private last: { output: BuildOutput; compiled: CompiledPair[]; diffText: string; pristine: Map<string, string | undefined> } | undefined;

  /** Downloads the toolchain snapshot and the build data, resumes the VM. Idempotent. */
  start(imagesBase: string, progress: Progress): Promise<void> {
    this.inputs ??= this.load(imagesBase, progress);
    this.inputs.catch(() => (this.inputs = undefined));
    return this.inputs.then(() => undefined);
  }

  private async load(imagesBase: string, progress: Progress): Promise<Inputs> {
    const manifest = await fetchManifest(imagesBase);
    const read = (name: string) => fetchArtifact(imagesBase, manifest, name, progress);
    if (canRunWasmCompiler(manifest)) {
      try {
        return await this.loadWasm(imagesBase, manifest, read, progress);
      } catch (e) {
        // A browser that cannot instantiate the compiler still builds, in the VM.
        console.warn(`WebAssembly compiler unavailable, using the build-host VM: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return this.loadVm(imagesBase, manifest, read);
  }

  private async loadWasm(imagesBase: string, manifest: ImagesManifest, read: (name: string) => Promise<ArrayBuffer>, progress: Progress): Promise<Inputs> {
    const [kbuild, vmlinux, layout] = await Promise.all([read("kbuild"), read("vmlinuxSymbols"), read("klpLayout")]);
    // The index first, to find Module.symvers in the tree; parseKlpInputs checks all of them together below.
    const parsedKbuild = JSON.parse(text(kbuild)) as KbuildIndex;
    const { compiler, image } = await openBrowserWasmCompiler(imagesBase, manifest, parsedKbuild, progress);
    const tree = parsedKbuild.treePath;
    const readTreeFile = async (path: string): Promise<Uint8Array | undefined> => {
      const abs = `${tree}/${path.replace(/^\.?\//, "")}`;
      await image.prefetch([abs]);
      return image.readSync(abs);
    };
    const symvers = await readTreeFile("Module.symvers");
    const inputs = parseKlpInputs({ kbuild: text(kbuild), vmlinuxSymbols: text(vmlinux), klpLayout: text(layout), moduleSymvers: symvers && text(symvers) });
    // The compiler itself is the first Build's download: load it now, so a browser that cannot run it falls back at once.
    await compiler.warmUp();
    return {
      ...inputs,
      host: {
        kind: "wasm",
        describe: compiler.name,
        compiler,
        readTreeFile,
        // No PCH to build: preparing is fetching the files the compile will read.
        prepare: (object) => compiler.prefetch(object),
      },
    };
  }

  private async loadVm(imagesBase: string, manifest: ImagesManifest, read: (name: string) => Promise<ArrayBuffer>): Promise<Inputs> {
    const [config, kbuild, vmlinux, layout] = await Promise.all([
      machineConfigFrom(manifest, BUILDER, read, { wasmPath: new URL(v86WasmUrl, self.location.href).href, imagesBase }, { resume: true }),
      read("kbuild"),
      read("vmlinuxSymbols"),
      read("klpLayout"),
    ]);
    const machine = Machine.start(config);
    await machine.waitReady(180_000);
    const symvers = await machine.getFile("build/linux/Module.symvers").catch(() => undefined);
    const inputs = parseKlpInputs({ kbuild: text(kbuild), vmlinuxSymbols: text(vmlinux), klpLayout: text(layout), moduleSymvers: symvers && text(symvers) });
    const host = new BuildHost(machine, inputs.kbuild);
    return {
      ...inputs,
      host: { kind: "vm", describe: "the build host: Debian's i386 gcc-12 in a second emulated machine (the first build of a file also precompiles its headers, a minute or more for a big file; later edits of it take seconds)", compiler: host, readTreeFile: (p) => host.readTreeFile(p), prepare: (o) => host.prepare(o) },
    };
  }

  /** Which compiler builds: "wasm" or "vm" (loads the builder first). */
  async kind(imagesBase: string, progress: Progress): Promise<"wasm" | "vm"> {
    await this.start(imagesBase, progress);
    return (await this.inputs!).host.kind;
  }

  /**
   * Precompiles the headers and baseline of the objects this patch will
   * compile (at most a few), so that Build only compiles the patched code.
   * Returns the objects prepared.
   */
  async prepare(imagesBase: string, diffText: string, progress: Progress): Promise<string[]> {
    await this.start(imagesBase, progress);
    const inputs = await this.inputs!;
    const objects = await objectsToCompile(diffText, pristineReader(inputs.host).read, inputs.kbuild);
    // A header change may recompile hundreds of objects: not worth guessing.
    if (objects.length > 3) return [];
    const done: string[] = [];
    for (const o of objects) if (await inputs.host.prepare(o)) done.push(o);
    return done;
  }

  async build(
    imagesBase: string,
    diffText: string,
    name: string,
    onStage: (s: StageTiming) => void,
    onProgress: (p: BuildProgress) => void,
    progress: Progress,
  ): Promise<BuildReply> {
    await this.start(imagesBase, progress);
    const inputs = await this.inputs!;
    const pristine = pristineReader(inputs.host);
    const recorded = recordingCompiler(inputs.host.compiler);
    this.last = undefined;
    onProgress({ stage: "compile", line: `compiler: ${inputs.host.describe}` });
    try {
      const output = await buildLivepatch({
        diffText,
        name,
        compiler: recorded.compiler,
        readPristine: pristine.read,
        kbuild: inputs.kbuild,
        vmlinux: inputs.vmlinux,
        layout: inputs.layout,
        exported: inputs.exported,
        onStage,
        onProgress,
      });
      this.last = { output: { ...output, module: new Uint8Array(0) }, compiled: recorded.compiled, diffText, pristine: pristine.files };
      return { ok: true, output: Comlink.transfer(output, [output.module.buffer]) };
    } catch (e) {
      // The pipeline turns every stage's failure into a KlpBuildError: anything else is ours.
      const error = e instanceof KlpBuildError ? e : new KlpBuildError("compile", "internal", e instanceof Error ? e.message : String(e), { detail: e instanceof Error ? (e.stack ?? "") : "" });
      return { ok: false, error: error.toJSON() };
    }
  }

  /**
   * Ksplice's run-pre matching of the last build's functions against a
   * running kernel (`readKernel` reads its memory by virtual address: the
   * target worker's RAM, through the page).
   */
  async runPre(readKernel: (va: number, length: number) => Promise<Uint8Array>): Promise<{ checked: number; refusal?: { message: string; detail: string } }> {
    const last = this.last;
    const inputs = await this.inputs;
    if (!last || !inputs) throw new Error("no successful build yet: press Build first");
    const report = await runPreForBuild({
      functions: last.output.changedFunctions,
      readBaseline: (object) => inputs.host.readTreeFile(object),
      vmlinux: inputs.vmlinux,
      layout: inputs.layout,
      readKernel,
    });
    return { checked: report.checked, ...(report.refusal ? { refusal: { message: report.refusal.message, detail: report.refusal.detail } } : {}) };
  }

  /**
   * The last build's changed functions, original and patched disassembly
   * side by side (the disassembler is fetched on first use).
   */
  async machineCode(): Promise<FunctionMachineDiff[]> {
    const last = this.last;
    if (!last) throw new Error("no successful build yet: press Build first");
    return whatChanged({ functions: last.output.changedFunctions, compiled: last.compiled, diffText: last.diffText, readPristine: (p) => last.pristine.get(p), decoder: await loadX86Decoder() });
  }
}

/** The kernel tree of the build host's 9p share, each file read once; `files` keeps what was read, for "what changed". */
function pristineReader(host: Backend): { read: ReadPristine; files: Map<string, string | undefined> } {
  const files = new Map<string, string | undefined>();
  return {
    files,
    async read(path) {
      if (!files.has(path)) {
        const data = await host.readTreeFile(path);
        files.set(path, data && text(data));
      }
      return files.get(path);
    },
  };
}

export type BuilderApi = BuilderWorker;
Comlink.expose(new BuilderWorker());
