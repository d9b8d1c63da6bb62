// The site's service worker: this build's page and target, cached at install,
// and every other file of the site cached the first time it is used, so a
// second visit works without a network. Built by the Vite plugin
// (src/node/page/service-worker-plugin.ts) into sw.js, with this build's
// OfflineManifest in front; bundled into one classic script.
//
// One manifest, one site: a file is served only if it is the exact bytes this
// build lists (by sha256) or its name carries its hash. An old page never gets
// a new image or the reverse: a file that changed on the server is refused
// (409) until the person reloads into the new version, which installs beside
// this one and takes over only when they choose (no skipWaiting by itself).
// Every entry carries the sha256 of its stored bytes, checked on each read:
// a damaged entry is dropped, fetched again and reported, never served.
import { ACTIVATE_UPDATE, type OfflineManifest, type OfflineMessage } from "../../common/offline/offline-manifest.ts";

/** This build's manifest, written in by the build (a Vite `define`). */
declare const KLP_OFFLINE: OfflineManifest;

const sw = self as unknown as ServiceWorkerGlobalScope;
const M = KLP_OFFLINE;
/** Entries keyed by content (a synthetic URL per sha256) and by hash-carrying URL; shared by every version of the site. */
const CONTENT_CACHE = "klp-content-1";
const IMMUTABLE_CACHE = "klp-immutable-1";
const OURS = new Set([CONTENT_CACHE, IMMUTABLE_CACHE]);
const HASH_HEADER = "x-klp-sha256";
const scope = new URL(sw.registration.scope);

/** Opened once: a Build asks for hundreds of small toolchain files at a time. */
const opened = new Map<string, Promise<Cache>>();
const openCache = (name: string): Promise<Cache> => {
  let c = opened.get(name);
  if (!c) opened.set(name, (c = caches.open(name)));
  return c;
};

const contentKey = (sha256: string) => new URL(`__content/${sha256}`, scope).href;

async function sha256(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function tell(message: OfflineMessage): Promise<void> {
  for (const c of await sw.clients.matchAll({ includeUncontrolled: true })) c.postMessage(message);
}

/** A cached entry whose bytes still hash to what was stored, else undefined (and the entry is gone). */
async function intact(cache: Cache, key: string, path: string): Promise<Response | undefined> {
  const hit = await cache.match(key);
  if (!hit) return undefined;
  const body = await hit.arrayBuffer();
  const stored = hit.headers.get(HASH_HEADER);
  if (stored !== null && stored === (await sha256(body))) return new Response(body, { headers: hit.headers });
  await cache.delete(key);
  void tell({ type: "klp-cache-repaired", path });
  return undefined;
}

function storable(body: ArrayBuffer, from: Response, hash: string): Response {
  const headers = new Headers({ [HASH_HEADER]: hash });
  const type = from.headers.get("content-type");
  if (type) headers.set("content-type", type);
  return new Response(body, { headers });
}

const isGzip = (b: ArrayBuffer) => {
  const u = new Uint8Array(b, 0, Math.min(2, b.byteLength));
  return u[0] === 0x1f && u[1] === 0x8b;
};

/** A file this build lists by hash: from the cache, else from the network if the server still has these exact bytes. */
async function fromContent(path: string): Promise<Response> {
  const entry = M.content[path]!;
  const cache = await openCache(CONTENT_CACHE);
  const key = contentKey(entry.sha256);
  const hit = await intact(cache, key, path);
  if (hit) return hit;
  const url = new URL(path, scope).href;
  // The HTTP cache may hold another version's bytes under this name: ask the server again before calling it changed.
  for (const mode of ["default", "reload"] as const) {
    const r = await fetch(url, { cache: mode });
    if (!r.ok) return r;
    const body = await r.arrayBuffer();
    const hash = await sha256(body);
    // A server that decodes .gz on the way (Content-Encoding: gzip) hands over other bytes than the manifest hashed.
    const decoded = entry.gzip === true && !isGzip(body);
    if (hash === entry.sha256 || decoded) {
      const stored = storable(body, r, hash);
      await cache.put(key, stored.clone());
      return stored;
    }
  }
  void tell({ type: "klp-file-changed", path });
  return new Response(`${path} changed on the server: the site was updated. Reload the page to use the new version.`, { status: 409, headers: { "content-type": "text/plain" } });
}

/**
 * A file whose name carries its hash: from the cache, else fetched once and
 * kept. The answer does not wait for the cache write (`keep` holds the
 * worker alive for it): a Build fetches 500-800 headers at once, and waiting
 * on each write cost 4 s of a cold kernel/sys.c build.
 */
async function fromImmutable(path: string, request?: Request, keep?: (write: Promise<unknown>) => void): Promise<Response> {
  const cache = await openCache(IMMUTABLE_CACHE);
  const url = new URL(path, scope).href;
  const hit = await intact(cache, url, path);
  if (hit) return hit;
  const r = await fetch(request ?? url);
  if (r.status !== 200) return r;
  const body = await r.arrayBuffer();
  const stored = storable(body, r, await sha256(body));
  const write = cache.put(url, stored.clone());
  // Without `keep` (the install step's precache) the write is the point: wait for it.
  if (keep) keep(write);
  else await write;
  return stored;
}

const isImmutable = (path: string) => M.immutable.some((p) => path.startsWith(p));

sw.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      // A few at a time: the target's snapshot and the page's chunks are most of it, and most are already in the HTTP cache.
      const queue = [...M.precache];
      const worker = async () => {
        for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
          const r = M.content[path] ? await fromContent(path) : await fromImmutable(path);
          if (!r.ok) throw new Error(`precache ${path}: HTTP ${r.status}`);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    })(),
  );
});

sw.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith("klp-") && !OURS.has(name)) await caches.delete(name);
      // Older versions' files go once this version runs (it only activates when no page of theirs is open).
      const keep = new Set(Object.values(M.content).map((e) => contentKey(e.sha256)));
      const content = await openCache(CONTENT_CACHE);
      for (const req of await content.keys()) if (!keep.has(req.url)) await content.delete(req);
      const pageFiles = new Set(M.precache.filter(isImmutable).map((p) => new URL(p, scope).href));
      const immutable = await openCache(IMMUTABLE_CACHE);
      for (const req of await immutable.keys()) if (req.url.startsWith(new URL("assets/", scope).href) && !pageFiles.has(req.url)) await immutable.delete(req);
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener("message", (event) => {
  if ((event.data as { type?: unknown } | null)?.type === ACTIVATE_UPDATE) void sw.skipWaiting();
});

sw.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || request.headers.has("range")) return;
  const url = new URL(request.url);
  // Only this site's own files; anything else goes its way (and the page's CSP refuses other origins).
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  const path = decodeURIComponent(url.pathname.slice(scope.pathname.length));
  // The page, whatever its query (?embed=1, ?sample=…): this build's index.html.
  const doc = request.mode === "navigate" && (path === "" || path === "index.html") ? "index.html" : path;
  if (M.content[doc]) event.respondWith(fromContent(doc));
  else if (isImmutable(doc)) event.respondWith(fromImmutable(doc, request, (p) => event.waitUntil(p.catch(() => {}))));
});
