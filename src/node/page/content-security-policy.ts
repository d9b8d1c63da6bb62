// The page's Content-Security-Policy, in one place: the built index.html
// carries it as a <meta>, the preview server (page tests, bench) sends it as
// a header, and README's "Security" section shows the header a host should
// send (test/unit/content-security-policy checks README against this).
//
// What each source is for, found in the bundle rather than assumed:
// - 'wasm-unsafe-eval': v86's CPU (v86.wasm, and its JIT compiles new wasm
//   modules as the guest runs), Capstone, and the WebAssembly compiler
//   (WebAssembly.compile in the builder worker; emscripten's loader itself
//   has no eval or new Function, only `new WebAssembly.Module` for table
//   growth, which this source covers too). No 'unsafe-eval': nothing needs it.
// - worker-src blob:: v86's main loop always starts a tiny timer worker from
//   a Blob (register_yield in src/browser/starter.js), inside the target and
//   builder workers. Monaco does not need it: its worker is a file (the
//   `?worker` import in editor/monaco.ts), and Monaco's blob fallback is
//   only for cross-origin worker URLs.
// - style-src 'unsafe-inline': Monaco and xterm.js create <style> elements at
//   run time (themes, decorations, the terminal's colours). Styles cannot run
//   code; scripts stay 'self' only.
// - img-src data:: the empty favicon (`data:,`) that stops a /favicon.ico request.
// A <meta> policy binds the document only: a worker's fetches obey the
// policy of the worker script's own response, so only the header version
// holds the workers and the service worker to connect-src 'self'.

export const CSP_DIRECTIVES: readonly (readonly [string, ...string[]])[] = [
  ["default-src", "'self'"],
  ["script-src", "'self'", "'wasm-unsafe-eval'"],
  ["worker-src", "'self'", "blob:"],
  ["connect-src", "'self'"],
  ["style-src", "'self'", "'unsafe-inline'"],
  ["img-src", "'self'", "data:"],
  ["font-src", "'self'"],
  ["object-src", "'none'"],
  ["base-uri", "'none'"],
  ["form-action", "'none'"],
];

/**
 * The policy, as the <meta http-equiv> and the header carry it. No
 * frame-ancestors (a header-only directive) on purpose: embedding with one
 * iframe line is a feature, and nothing in the page obeys its embedder.
 */
export function contentSecurityPolicy(): string {
  return CSP_DIRECTIVES.map((d) => d.join(" ")).join("; ");
}

/** Vite plugin: puts the policy into the built index.html (not the dev server, whose client needs a WebSocket and inline updates). */
export function cspMetaPlugin(): { name: string; apply: "build"; transformIndexHtml: { order: "pre"; handler(html: string): string } } {
  return {
    name: "klp-csp-meta",
    apply: "build",
    transformIndexHtml: {
      order: "pre",
      handler(html: string): string {
        const meta = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}" />`;
        if (!html.includes("<!-- csp -->")) throw new Error("index.html lost its <!-- csp --> placeholder: the built page would have no Content-Security-Policy");
        return html.replace("<!-- csp -->", meta);
      },
    },
  };
}
