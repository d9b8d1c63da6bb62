// The WebAssembly compiler in Node (CLI, tests, bench): the programs and the
// toolchain image read from the committed public/images.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { DriverIndex } from "../../common/compile/driver-index.ts";
import type { EmscriptenFactory, WasmProgram } from "../../common/compile/wasm/emscripten.ts";
import { ToolchainImage } from "../../common/compile/wasm/toolchain-view.ts";
import { WasmCompiler, type WasmCompilerProgress, type WasmPrograms } from "../../common/compile/wasm/wasm-compiler.ts";
import { basefsFilesBase, type BasefsIndex } from "../../common/images/basefs.ts";
import type { KbuildIndex } from "../../common/kbuild/index-format.ts";
import { imagesDir, ImagesMissingError, loadManifest, readArtifact } from "../images/store.ts";

/** Loads cc1/as from public/images/wasm once per process. */
export class NodeWasmPrograms implements WasmPrograms {
  private readonly loaded = new Map<string, Promise<WasmProgram>>();

  constructor(private readonly dir = imagesDir()) {}

  load(name: "cc1" | "as"): Promise<WasmProgram> {
    let p = this.loaded.get(name);
    if (!p) {
      p = this.loadNow(name);
      this.loaded.set(name, p);
    }
    return p;
  }

  private async loadNow(name: "cc1" | "as"): Promise<WasmProgram> {
    const manifest = loadManifest(this.dir);
    const loader = manifest.artifacts[`${name}Loader`];
    if (!loader) throw new ImagesMissingError(`the images have no WebAssembly ${name} (build it with \`npm run images\`)`);
    const imported = (await import(pathToFileURL(join(this.dir, loader.file)).href)) as { default: EmscriptenFactory };
    const bytes = readArtifact(`${name}Wasm`, manifest, this.dir);
    const module = await WebAssembly.compile(new Uint8Array(bytes));
    return { factory: imported.default, module };
  }
}

export function hasWasmCompiler(dir = imagesDir()): boolean {
  const a = loadManifest(dir).artifacts;
  return Boolean(a.cc1Loader && a.cc1Wasm && a.asLoader && a.asWasm && a.driver);
}

export function loadDriverIndex(dir = imagesDir()): DriverIndex {
  return JSON.parse(new TextDecoder().decode(readArtifact("driver", loadManifest(dir), dir))) as DriverIndex;
}

export function openWasmCompiler(kbuild: KbuildIndex, onProgress?: (p: WasmCompilerProgress) => void, dir = imagesDir()): WasmCompiler {
  const manifest = loadManifest(dir);
  const indexPath = join(dir, manifest.toolchain.basefs);
  const index = JSON.parse(readFileSync(indexPath, "utf8")) as BasefsIndex;
  const files = basefsFilesBase(indexPath);
  const image = new ToolchainImage(index, {
    fetch: async (name) => new Uint8Array(readFileSync(join(files, name))),
    fetchSync: (name) => new Uint8Array(readFileSync(join(files, name))),
  });
  return new WasmCompiler(new NodeWasmPrograms(dir), image, kbuild, loadDriverIndex(dir), onProgress);
}
