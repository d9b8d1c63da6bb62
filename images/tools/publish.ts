// Last step of `npm run images`: copies the built artifacts into public/images
// (compressed), and writes manifest.json with their sizes and hashes, the
// Debian package versions they came from, the v86 version and the recipe hash.
//
// usage: tsx publish.ts <work dir> <out dir>   (env: KLP_PACKAGES="name=version ...", KLP_VERMAGIC, KLP_KVERSION)
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync, statSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { join, dirname } from "node:path";
import { createRequire } from "node:module";
import type { ArtifactInfo, ImagesManifest } from "../../src/common/images/manifest.ts";
import { recipeHash } from "../../src/node/images/recipe-hash.ts";

const [work, out] = process.argv.slice(2);
if (!work || !out) {
  console.error("usage: publish.ts <work dir> <out dir>");
  process.exit(2);
}
const chroot = join(work, "chroot");
const kdir = join(chroot, "build/linux");
mkdirSync(out, { recursive: true });

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const artifacts: Record<string, ArtifactInfo> = {};

/** An artifact already stored as it is served (the wasm step gzips its own outputs). */
function publishStored(name: string, from: string, file: string, encoding: "none" | "gzip"): void {
  const stored = readFileSync(from);
  mkdirSync(dirname(join(out!, file)), { recursive: true });
  copyFileSync(from, join(out!, file));
  artifacts[name] = { file, size: stored.length, sha256: sha256(stored), encoding };
  if (encoding === "gzip") artifacts[name]!.decodedSize = gunzipSync(stored).length;
}

function publish(name: string, from: string, file: string, encoding: "none" | "gzip"): void {
  const data = readFileSync(from);
  const stored = encoding === "gzip" ? gzipSync(data, { level: 9 }) : data;
  mkdirSync(dirname(join(out!, file)), { recursive: true });
  writeFileSync(join(out!, file), stored);
  artifacts[name] = { file, size: stored.length, sha256: sha256(stored), encoding };
  if (encoding !== "none") artifacts[name]!.decodedSize = data.length;
}

publish("bzImage", join(kdir, "arch/x86/boot/bzImage"), "bzImage", "none");
publish("initramfs", join(work, "initramfs.cpio.gz"), "initramfs.cpio.gz", "none");
publish("bios", join(chroot, "usr/share/seabios/bios-256k.bin"), "bios-256k.bin.gz", "gzip");
publish("vgaBios", join(chroot, "usr/share/seabios/vgabios-stdvga.bin"), "vgabios-stdvga.bin.gz", "gzip");
publish("kbuild", join(work, "kbuild.json"), "kbuild.json.gz", "gzip");
// The module assembler's facts about this kernel (step 40-klp-layout.sh).
publish("vmlinuxSymbols", join(work, "vmlinux-symbols.json"), "vmlinux-symbols.json.gz", "gzip");
publish("klpLayout", join(work, "klp-layout.json"), "klp-layout.json", "none");
// What the gcc driver runs per C object (driver-index.ts): the wasm compiler's command lines.
publish("driver", join(work, "driver.json"), "driver.json.gz", "gzip");

// The WebAssembly compiler (step 60-wasm-toolchain.sh): cc1 and as, each an
// emscripten loader (ES module, imported as it is) and its wasm, gzip'd.
const wasmOut = join(work, "wasm-out");
let wasmCompiler: ImagesManifest["wasmCompiler"];
if (existsSync(join(wasmOut, "cc1.wasm.gz")) && existsSync(join(wasmOut, "as.wasm.gz"))) {
  for (const tool of ["cc1", "as"]) {
    publishStored(`${tool}Loader`, join(wasmOut, `${tool}.mjs`), `wasm/${tool}.mjs`, "none");
    publishStored(`${tool}Wasm`, join(wasmOut, `${tool}.wasm.gz`), `wasm/${tool}.wasm.gz`, "gzip");
  }
  const stamp = readFileSync(join(wasmOut, ".klp-stamp"), "utf8").trim().split(/\s+/).slice(1);
  const sources: Record<string, string> = {};
  for (const pair of stamp) {
    const [name, version] = pair.split("=");
    if (name && version) sources[name] = version;
  }
  wasmCompiler = { host: "wasm32-unknown-emscripten", target: "i686-linux-gnu", sources };
}

// Warm snapshots (make-snapshots.ts runs after a first publish, from the
// published images): kept zstd-compressed as v86 reads them.
for (const role of ["target", "builder"]) {
  const dir = join(work, "snapshots");
  if (!existsSync(join(dir, `${role}.state.zst`))) continue;
  publish(`${role}State`, join(dir, `${role}.state.zst`), `snapshots/${role}.state.zst`, "none");
  publish(`${role}Console`, join(dir, `${role}.console`), `snapshots/${role}.console`, "none");
}

// The toolchain basefs was written in place by make-basefs.ts.
const basefs = "toolchain/fs.json";
const fsIndex = JSON.parse(readFileSync(join(out, basefs), "utf8")) as { size: number };
let files = 0;
let bytes = statSync(join(out, basefs)).size;
for (const f of readdirSync(join(out, "toolchain/files"))) {
  files++;
  bytes += statSync(join(out, "toolchain/files", f)).size;
}

const packages: Record<string, string> = {};
for (const pair of (process.env.KLP_PACKAGES ?? "").split(/\s+/).filter(Boolean)) {
  const [name, version] = pair.split("=");
  if (name && version) packages[name] = version;
}
const v86Pkg = JSON.parse(
  readFileSync(join(dirname(createRequire(import.meta.url).resolve("v86")), "../package.json"), "utf8"),
) as { version: string };

const previous = existsSync(join(out, "manifest.json"))
  ? (JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as Partial<ImagesManifest>)
  : {};
const buildSeconds: Record<string, number> = {};
for (const pair of (process.env.KLP_STEP_SECONDS ?? "").split(/\s+/).filter(Boolean)) {
  const [step, s] = pair.split("=");
  if (step && s) buildSeconds[step] = Number(s);
}

const manifest: ImagesManifest = {
  version: 1,
  recipeHash: recipeHash(join(dirname(new URL(import.meta.url).pathname), "..")),
  v86Version: v86Pkg.version,
  debian: { suite: process.env.KLP_SUITE ?? "bookworm", mirror: process.env.KLP_MIRROR ?? "", packages },
  kernel: {
    release: readFileSync(join(kdir, "include/config/kernel.release"), "utf8").trim(),
    version: process.env.KLP_KVERSION ?? "",
    vermagic: process.env.KLP_VERMAGIC ?? "",
  },
  buildSeconds: Object.keys(buildSeconds).length ? buildSeconds : previous.buildSeconds,
  artifacts,
  toolchain: { basefs, files, bytes, decodedBytes: fsIndex.size },
  ...(wasmCompiler ? { wasmCompiler } : {}),
};
writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
for (const [name, a] of Object.entries(artifacts)) console.error(`publish: ${name.padEnd(14)} ${String(a.size).padStart(9)} B  ${a.file}`);
console.error(`publish: toolchain      ${String(bytes).padStart(9)} B  ${files} files (${(fsIndex.size / 1e6).toFixed(1)} MB decoded)`);
