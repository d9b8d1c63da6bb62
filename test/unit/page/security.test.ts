// The page's security promises (README "Security") that the code itself can
// show: no HTML sink anywhere in the page or its workers, no message API for
// an embedding page, the policy README tells hosts to send is the one the
// build writes, and the built index.html gets it.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { contentSecurityPolicy, cspMetaPlugin } from "../../../src/node/page/content-security-policy.ts";

const ROOT = join(import.meta.dirname, "../../..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}
const pageCode = [...sources(join(ROOT, "src/browser")), ...sources(join(ROOT, "workers"))].map((p) => ({ path: relative(ROOT, p), text: readFileSync(p, "utf8") }));

function occurrences(pattern: RegExp, allowed: readonly string[] = []): string[] {
  return pageCode.flatMap(({ path, text }) =>
    text
      .split("\n")
      .map((line, i) => ({ line, i }))
      .filter(({ line }) => pattern.test(line) && !/^\s*(\/\/|\*)/.test(line))
      .map(({ i }) => `${path}:${i + 1}`)
      .filter((where) => !allowed.some((a) => where.startsWith(a))),
  );
}

describe("page security", () => {
  it("has no HTML sink: guest and patch text only ever become text nodes", () => {
    expect(pageCode.length).toBeGreaterThan(20);
    expect(occurrences(/\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|createContextualFragment|new DOMParser|\bsrcdoc\b/)).toEqual([]);
    // Monaco renders markdown (hovers, markers) as HTML only when told to.
    expect(occurrences(/supportHtml|isTrusted\s*:\s*true/)).toEqual([]);
    expect(occurrences(/\beval\s*\(|new Function\s*\(/)).toEqual([]);
  });

  it("offers an embedding page no way to drive it", () => {
    // The one message listener is the service worker's (same origin, the site's own script).
    expect(occurrences(/addEventListener\(\s*["']message["']|\bonmessage\s*=/, ["src/browser/offline/"])).toEqual([]);
    expect(occurrences(/\b(parent|top|opener)\s*\.\s*postMessage|window\.(parent|top|opener)\b/)).toEqual([]);
  });

  it("documents the policy the build writes, as the header hosts should send", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const header = /^Content-Security-Policy: (.*)$/m.exec(readme)?.[1];
    expect(header).toBe(contentSecurityPolicy());
    const policy = contentSecurityPolicy();
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("base-uri 'none'");
    expect(policy).not.toMatch(/'unsafe-eval'|script-src[^;]*'unsafe-inline'|script-src[^;]*blob:|\*/);
  });

  it("puts the policy into the built index.html", () => {
    const html = readFileSync(join(ROOT, "index.html"), "utf8");
    const built = cspMetaPlugin().transformIndexHtml.handler(html);
    expect(built).toContain(`<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}" />`);
    // No inline script for the policy to have to allow.
    expect(built).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(() => cspMetaPlugin().transformIndexHtml.handler("<html></html>")).toThrow(/placeholder/);
  });
});
