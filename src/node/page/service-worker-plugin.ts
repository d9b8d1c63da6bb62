// Vite plugin: builds src/browser/offline/service-worker.ts into dist/sw.js
// with this build's OfflineManifest in it: every file of the page (Vite's
// hash-named chunks), index.html and the images by sha256 (the images
// manifest's, so a cached image is one the manifest names), and what to
// fetch at install (the page, the target and the WebAssembly compiler).
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build, type Plugin, type ResolvedConfig } from "vite";
import type { ImagesManifest } from "../../common/images/manifest.ts";
import type { ContentEntry, OfflineManifest } from "../../common/offline/offline-manifest.ts";

/** What the page needs to show a working target: the firmware, the target's snapshot and prompt, the source list. */
const TARGET_ARTIFACTS = ["bios", "vgaBios", "targetState", "targetConsole", "kbuild"];
/**
 * The WebAssembly compiler, so that an offline Build works even when the first
 * one ran before the service worker was in (the page registers it only while
 * no Build runs): that Build's worker fetched them past it.
 */
const COMPILER_ARTIFACTS = ["cc1Loader", "cc1Wasm", "asLoader", "asWasm", "driver"];
/** Without a snapshot the target boots the kernel instead. */
const BOOT_ARTIFACTS = ["bzImage", "initramfs"];

const sha256 = (bytes: string | Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export function offlineManifest(images: ImagesManifest, imagesDir: string, page: { indexHtml: string; assets: string[] }): OfflineManifest {
  const content: Record<string, ContentEntry> = { "index.html": { sha256: sha256(page.indexHtml) } };
  for (const a of Object.values(images.artifacts)) {
    // The service worker serves a file only when it hashes to this: a build whose images disagree with their manifest would never work offline.
    if (sha256(readFileSync(join(imagesDir, a.file))) !== a.sha256) throw new Error(`service worker: images/${a.file} does not match images/manifest.json (npm run images:check)`);
    content[`images/${a.file}`] = a.encoding === "gzip" ? { sha256: a.sha256, gzip: true } : { sha256: a.sha256 };
  }
  for (const file of ["manifest.json", images.toolchain.basefs]) content[`images/${file}`] = { sha256: sha256(readFileSync(join(imagesDir, file))) };
  const files = (names: string[]) =>
    names.flatMap((n) => {
      const a = images.artifacts[n];
      return a ? [`images/${a.file}`] : [];
    });
  const target = files([...TARGET_ARTIFACTS, ...(images.artifacts.targetState ? [] : BOOT_ARTIFACTS)]);
  const compiler = images.artifacts.cc1Wasm ? [...files(COMPILER_ARTIFACTS), `images/${images.toolchain.basefs}`] : [];
  const precache = ["index.html", ...page.assets.sort(), "images/manifest.json", ...target, ...compiler];
  const unversioned = { precache, content, immutable: ["assets/", "images/toolchain/files/"] };
  return { version: sha256(JSON.stringify(unversioned)).slice(0, 16), ...unversioned };
}

/** `source`: the service worker's entry (src/browser/offline/service-worker.ts); the page's code is named by the build config, not imported from Node's. */
export function serviceWorkerPlugin(source: string): Plugin {
  let config: ResolvedConfig;
  return {
    name: "klp-service-worker",
    apply: "build",
    configResolved(c) {
      config = c;
    },
    generateBundle: {
      order: "post",
      async handler(_options, bundle) {
        const html = bundle["index.html"];
        if (!html || html.type !== "asset") throw new Error("service worker: the build has no index.html");
        const imagesDir = join(config.publicDir, "images");
        const manifestFile = join(imagesDir, "manifest.json");
        if (!existsSync(manifestFile)) throw new Error(`service worker: no ${manifestFile}`);
        const images = JSON.parse(readFileSync(manifestFile, "utf8")) as ImagesManifest;
        const assets = Object.keys(bundle).filter((f) => f.startsWith("assets/"));
        const manifest = offlineManifest(images, imagesDir, { indexHtml: String(html.source), assets });
        const out = await build({
          configFile: false,
          logLevel: "warn",
          publicDir: false,
          define: { KLP_OFFLINE: JSON.stringify(manifest) },
          build: { write: false, minify: false, target: "es2022", lib: { entry: source, formats: ["iife"], name: "klpServiceWorker", fileName: () => "sw.js" } },
        });
        const outputs = Array.isArray(out) ? out : [out];
        const chunk = outputs.flatMap((o) => ("output" in o ? o.output : [])).find((c) => c.type === "chunk");
        if (!chunk || chunk.type !== "chunk") throw new Error("service worker: its build produced no script");
        this.emitFile({ type: "asset", fileName: "sw.js", source: chunk.code });
      },
    },
  };
}
