// The error codes are an interface: README documents each, and a build error
// keeps its code, kind and place through the worker boundary and --json.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, kindOf, type ErrorCode } from "../../../src/common/errors/codes.ts";
import { KlpBuildError } from "../../../src/common/klp/pipeline.ts";
import { failureJson, formatFailure } from "../../../src/node/klp/report.ts";

const README = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

describe("error codes", () => {
  it("README's table lists every code with its kind, and no other", () => {
    const rows = [...README.matchAll(/^\| `([a-z-]+)` \| ([a-z-]+) \|/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(Object.entries(ERROR_CODES).map(([code, info]) => [code, info.kind])));
  });

  it("a build error survives structured cloning (Comlink) and JSON with its code, kind and location", () => {
    const e = new KlpBuildError("diff", "data-changed", "existing data can't be changed", { detail: "more", location: { file: "kernel/capability.c", variable: "file_caps_enabled" } });
    expect(e.kind).toBe("refused");
    for (const data of [structuredClone(e.toJSON()), JSON.parse(JSON.stringify(e))]) {
      const back = KlpBuildError.fromJSON(data);
      expect(back).toMatchObject({ stage: "diff", code: "data-changed", kind: "refused", message: e.message, detail: "more", location: { file: "kernel/capability.c", variable: "file_caps_enabled" } });
    }
  });

  it("an unknown code from the other side reads as internal", () => {
    const back = KlpBuildError.fromJSON({ stage: "plan", kind: "refused", code: "no-such-code" as ErrorCode, message: "m", detail: "", diagnostics: [] });
    expect(back.code).toBe("internal");
    expect(back.kind).toBe("internal");
  });

  it("--json carries {stage, kind, code, message, detail, location}; the report names the code and owns up to internal failures", () => {
    const e = new KlpBuildError("assemble", "internal", "assemble failed: x is undefined");
    expect(failureJson(e)).toMatchObject({ stage: "assemble", kind: "internal", code: "internal", message: "assemble failed: x is undefined", detail: "" });
    expect(formatFailure("build", e)).toMatch(/^klp build: assemble: assemble failed: x is undefined\n {4}This is a bug in the playground/);
    expect(formatFailure("build", new KlpBuildError("plan", "no-ftrace-hooks", "lib/x.c: no hooks"))).toBe("klp build: plan: lib/x.c: no hooks\n    try: change the callers of its functions, outside it\n    code: no-ftrace-hooks");
    expect(formatFailure("build", new KlpBuildError("diff", "no-change", "no functional change"))).toBe("klp build: diff: no functional change\n    code: no-change");
    expect(kindOf("no-change")).toBe("no-change");
  });
});
