// The build host in a web worker: resumes the build-host VM's warm snapshot
// (Debian's i386 gcc-12 and the kernel build tree over 9p) and runs the klp
// pipeline against it, exactly as `klp build --builder vm` does in Node.
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

interface Inputs extends KlpInputs {
  host: BuildHost;
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
    return { ...inputs, host: new BuildHost(machine, inputs.kbuild) };
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
    const recorded = recordingCompiler(inputs.host);
    this.last = undefined;
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
function pristineReader(host: BuildHost): { read: ReadPristine; files: Map<string, string | undefined> } {
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
