import type { ImagesManifest } from "../common/images/manifest.ts";

/**
 * Where public/images is served: next to the page (Vite copies public/ to the
 * site root). Resolved against the page, not a worker's script URL.
 */
export function imagesBaseFor(pageUrl: string): string {
  return new URL("images/", pageUrl).href;
}

export async function fetchManifest(imagesBase: string): Promise<ImagesManifest> {
  const r = await fetch(imagesBase + "manifest.json");
  if (!r.ok) throw new Error(`images manifest: HTTP ${r.status}`);
  return (await r.json()) as ImagesManifest;
}

export interface Progress {
  (name: string, loaded: number, total: number): void;
}

/** Fetches an artifact with progress, checks its size, and decodes it as the manifest says. */
export async function fetchArtifact(
  imagesBase: string,
  manifest: ImagesManifest,
  name: string,
  progress?: Progress,
): Promise<ArrayBuffer> {
  const info = manifest.artifacts[name];
  if (!info) throw new Error(`artifact ${name} is not in the images manifest`);
  const r = await fetch(imagesBase + info.file);
  if (!r.ok || !r.body) throw new Error(`${info.file}: HTTP ${r.status}`);
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = r.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    progress?.(name, Math.min(loaded, info.size), info.size);
  }
  const raw = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    raw.set(c, at);
    at += c.length;
  }
  // Some static servers label .gz files Content-Encoding: gzip, and the
  // browser then hands us the decoded bytes: only gunzip what is still gzip.
  if (info.encoding !== "gzip" || raw[0] !== 0x1f || raw[1] !== 0x8b) return raw.buffer;
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}
