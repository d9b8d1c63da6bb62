// public/images/manifest.json: what the image script produced, from what.

export interface ArtifactInfo {
  /** Path relative to public/images. */
  file: string;
  size: number;
  sha256: string;
  /** How the file is stored; the loader undoes it. */
  encoding: "none" | "gzip";
  /** Size once decoded, when encoding is not "none". */
  decodedSize?: number;
}

export interface ImagesManifest {
  version: 1;
  /** sha256 over the recipe (images/ without its work dir): see recipe-hash.ts. */
  recipeHash: string;
  v86Version: string;
  debian: { suite: string; mirror: string; packages: Record<string, string> };
  kernel: { release: string; version: string; vermagic: string };
  /** Wall-clock seconds each step took in the last `npm run images` (a step whose inputs had not changed shows about 0). */
  buildSeconds?: Record<string, number>;
  artifacts: Record<string, ArtifactInfo>;
  toolchain: { basefs: string; files: number; bytes: number; decodedBytes: number };
  /**
   * The WebAssembly compiler (artifacts cc1Loader/cc1Wasm/asLoader/asWasm):
   * Debian's GCC and binutils built for wasm32, with the source package
   * versions it was built from. Absent where the image script built none.
   */
  wasmCompiler?: { host: string; target: string; sources: Record<string, string> };
}
