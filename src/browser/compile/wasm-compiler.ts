// The WebAssembly compiler in a web worker: cc1 and as fetched from the
// page's own origin (each once, then compiled once and instantiated per
// run), the toolchain image's files fetched as a compile needs them.
import type { DriverIndex } from "../../common/compile/driver-index.ts";
import type { EmscriptenFactory, WasmProgram } from "../../common/compile/wasm/emscripten.ts";
import { ToolchainImage, type StoredFileSource } from "../../common/compile/wasm/toolchain-view.ts";
import { WasmCompiler, type WasmCompilerProgress, type WasmPrograms } from "../../common/compile/wasm/wasm-compiler.ts";
import { basefsFilesBase, type BasefsIndex } from "../../common/images/basefs.ts";
import type { ImagesManifest } from "../../common/images/manifest.ts";
import type { KbuildIndex } from "../../common/kbuild/index-format.ts";
import { fetchArtifact, type Progress } from "../images.ts";

/** Whether these images carry the WebAssembly compiler and this browser can run it. */
export function canRunWasmCompiler(manifest: ImagesManifest): boolean {
  const a = manifest.artifacts;
  return typeof WebAssembly === "object" && Boolean(a.cc1Loader && a.cc1Wasm && a.asLoader && a.asWasm && a.driver);
}

class BrowserWasmPrograms implements WasmPrograms {
  private readonly loaded = new Map<string, Promise<WasmProgram>>();

  constructor(
    private readonly imagesBase: string,
    private readonly manifest: ImagesManifest,
    private readonly progress?: Progress,
  ) {}

  load(name: "cc1" | "as"): Promise<WasmProgram> {
    let p = this.loaded.get(name);
    if (!p) {
      p = this.fetchProgram(name);
      p.catch(() => this.loaded.delete(name));
      this.loaded.set(name, p);
    }
    return p;
  }

  private async fetchProgram(name: "cc1" | "as"): Promise<WasmProgram> {
    const loader = this.manifest.artifacts[`${name}Loader`];
    if (!loader) throw new Error(`the images have no WebAssembly ${name}`);
    const [imported, bytes] = await Promise.all([
      import(/* @vite-ignore */ new URL(loader.file, this.imagesBase).href) as Promise<{ default: EmscriptenFactory }>,
      fetchArtifact(this.imagesBase, this.manifest, `${name}Wasm`, this.progress),
    ]);
    return { factory: imported.default, module: await WebAssembly.compile(bytes) };
  }
}

/** Stored files over HTTP: asynchronous ahead of a run, a synchronous request (workers allow it) as the fallback. */
function httpStoredFiles(filesBase: string): StoredFileSource {
  return {
    async fetch(name) {
      const r = await fetch(filesBase + name);
      if (!r.ok) throw new Error(`toolchain file ${name}: HTTP ${r.status}`);
      return new Uint8Array(await r.arrayBuffer());
    },
    fetchSync(name) {
      const xhr = new XMLHttpRequest();
      xhr.open("GET", filesBase + name, false);
      xhr.responseType = "arraybuffer";
      xhr.send();
      if (xhr.status !== 200) throw new Error(`toolchain file ${name}: HTTP ${xhr.status}`);
      return new Uint8Array(xhr.response as ArrayBuffer);
    },
  };
}

export interface BrowserWasmCompiler {
  compiler: WasmCompiler;
  image: ToolchainImage;
}

export async function openBrowserWasmCompiler(
  imagesBase: string,
  manifest: ImagesManifest,
  kbuild: KbuildIndex,
  progress?: Progress,
  onProgress?: (p: WasmCompilerProgress) => void,
): Promise<BrowserWasmCompiler> {
  const indexUrl = new URL(manifest.toolchain.basefs, imagesBase).href;
  const [indexResponse, driverBytes] = await Promise.all([fetch(indexUrl), fetchArtifact(imagesBase, manifest, "driver", progress)]);
  if (!indexResponse.ok) throw new Error(`${manifest.toolchain.basefs}: HTTP ${indexResponse.status}`);
  const index = (await indexResponse.json()) as BasefsIndex;
  const driver = JSON.parse(new TextDecoder().decode(driverBytes)) as DriverIndex;
  const image = new ToolchainImage(index, httpStoredFiles(basefsFilesBase(indexUrl)));
  const programs = new BrowserWasmPrograms(imagesBase, manifest, progress);
  return { compiler: new WasmCompiler(programs, image, kbuild, driver, onProgress), image };
}
