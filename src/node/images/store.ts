import { readFileSync, existsSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import type { ImagesManifest } from "../../common/images/manifest.ts";
import type { MachineProfile } from "../../common/machine/profiles.ts";
import { machineConfigFrom, type MachineConfig } from "../../common/machine/config.ts";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_DIR = resolve(here, "../../..");

/** public/images, or KLP_IMAGES_DIR to try images that are not committed yet. */
export function imagesDir(): string {
  return process.env.KLP_IMAGES_DIR ?? join(REPO_DIR, "public/images");
}

export class ImagesMissingError extends Error {
  override name = "ImagesMissingError";
}

export function loadManifest(dir = imagesDir()): ImagesManifest {
  const path = join(dir, "manifest.json");
  if (!existsSync(path)) throw new ImagesMissingError(`no images at ${dir} (manifest.json missing): run \`npm run images\``);
  return JSON.parse(readFileSync(path, "utf8")) as ImagesManifest;
}

function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** An artifact's bytes, decoded (gunzipped) as the manifest says. */
export function readArtifact(name: string, manifest = loadManifest(), dir = imagesDir()): Uint8Array {
  const info = manifest.artifacts[name];
  if (!info) throw new ImagesMissingError(`artifact ${name} is not in the images manifest`);
  const raw = readFileSync(join(dir, info.file));
  return info.encoding === "gzip" ? gunzipSync(raw) : raw;
}

export function v86WasmPath(): string {
  return createRequire(import.meta.url).resolve("v86/build/v86.wasm");
}

/** The MachineConfig for a profile, from the committed images. */
export function machineConfig(profile: MachineProfile, options: { resume?: boolean } = {}, dir = imagesDir()): Promise<MachineConfig> {
  const manifest = loadManifest(dir);
  return machineConfigFrom(
    manifest,
    profile,
    async (name) => toArrayBuffer(readArtifact(name, manifest, dir)),
    { wasmPath: v86WasmPath(), imagesBase: dir.endsWith("/") ? dir : `${dir}/` },
    options,
  );
}
