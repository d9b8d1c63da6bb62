// Share links: the patch compressed into the URL fragment, so it never
// reaches a server and opening a link cannot run anything by itself.

/** Longest fragment we accept: browsers and chat apps mangle longer URLs. */
export const MAX_FRAGMENT_CHARS = 32_000;
/** Largest patch a link may expand to: a guard against decompression bombs. */
export const MAX_PATCH_BYTES = 512 * 1024;
const KEY = "patch=";

export class ShareLinkError extends Error {
  override readonly name = "ShareLinkError";
}

function toBase64Url(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new ShareLinkError("the link contains characters a share link never has");
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    throw new ShareLinkError("the link's patch data is cut off or damaged");
  }
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function readCapped(stream: ReadableStream<Uint8Array>, cap: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > cap) {
      await reader.cancel();
      throw new ShareLinkError(`the shared patch is larger than ${cap / 1024} KB`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The fragment (without "#") that carries this patch. */
export async function encodePatchFragment(patch: string): Promise<string> {
  const stream = new Blob([new TextEncoder().encode(patch)]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const encoded = KEY + toBase64Url(await readCapped(stream, MAX_PATCH_BYTES * 2));
  if (encoded.length > MAX_FRAGMENT_CHARS) throw new ShareLinkError(`the patch is too large for a link (${encoded.length} characters, at most ${MAX_FRAGMENT_CHARS})`);
  return encoded;
}

/** The patch in a fragment, undefined when the fragment is not a share link; ShareLinkError when it is a broken one. */
export async function decodePatchFragment(fragment: string): Promise<string | undefined> {
  const f = fragment.replace(/^#/, "");
  if (!f.startsWith(KEY)) return undefined;
  if (f.length > MAX_FRAGMENT_CHARS) throw new ShareLinkError(`the link is too long (${f.length} characters)`);
  const bytes = fromBase64Url(f.slice(KEY.length));
  let raw: Uint8Array;
  try {
    raw = await readCapped(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw")), MAX_PATCH_BYTES);
  } catch (e) {
    if (e instanceof ShareLinkError) throw e;
    throw new ShareLinkError("the link's patch data is cut off or damaged");
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    throw new ShareLinkError("the link's patch is not text");
  }
}
