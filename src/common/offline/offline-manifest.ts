// What one build of the site is, for its service worker: written into sw.js
// by the build (src/node/page/service-worker-plugin.ts), so a new build is a
// new service worker and the browser installs it as an update.

export interface ContentEntry {
  /** sha256 of the file as stored on the server (public/images/manifest.json's, for its artifacts). */
  sha256: string;
  /** A .gz file some servers send with Content-Encoding: gzip, so the bytes that arrive are the decoded ones. */
  gzip?: boolean;
}

export interface OfflineManifest {
  /** Changes whenever any file this build serves changes. */
  version: string;
  /** Paths (relative to the site's root) fetched at install: the page and the target, so both always work offline. */
  precache: string[];
  /** Files whose name stays while their content changes (index.html, images/*): cached by this hash, served only when it matches. */
  content: Record<string, ContentEntry>;
  /** Path prefixes whose file names carry their content hash (Vite's assets, the toolchain's files): cached by URL, forever. */
  immutable: string[];
}

/** Messages the service worker posts to the pages it controls. */
export type OfflineMessage =
  | { type: "klp-cache-repaired"; path: string }
  | { type: "klp-file-changed"; path: string };

/** What a page posts to a waiting service worker: the person chose to switch to the new version. */
export const ACTIVATE_UPDATE = "klp-activate-update";
