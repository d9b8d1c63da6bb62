import type { CompileRequest, CompileResult, Compiler } from "../../common/compile/compiler.ts";
import { parseGccDiagnostics } from "../../common/compile/diagnostics.ts";
import type { KbuildIndex } from "../../common/kbuild/index-format.ts";
import { compileNative } from "./native-compiler.ts";
import { nativeToolchainRoot } from "./native-root.ts";
import { ToolchainFiles } from "../images/toolchain-files.ts";

/**
 * The compile service's native fast path: the same i386 binaries and command
 * lines as the build-host VM, run on this (Linux x86) host. No PCH needed: a
 * plain compile takes well under a second, and its baseline is the kernel's
 * own object.
 */
export class NativeBuildHost implements Compiler {
  private readonly root = nativeToolchainRoot();
  private readonly files = new ToolchainFiles();
  private readonly cache = new Map<string, CompileResult>();

  constructor(private readonly kbuild: KbuildIndex) {}

  async compile(request: CompileRequest): Promise<CompileResult> {
    const t0 = performance.now();
    const key = JSON.stringify([request.object, Object.entries(request.overrides ?? {}).sort()]);
    const hit = this.cache.get(key);
    if (hit) return { ...hit, cached: true, ms: performance.now() - t0 };
    const r = await compileNative(this.root, this.kbuild, { object: request.object, overrides: request.overrides });
    const result: CompileResult = {
      exitCode: r.exitCode,
      object: r.object,
      baseline: r.exitCode === 0 ? this.files.read(`build/linux/${request.object}`) : undefined,
      diagnostics: parseGccDiagnostics(r.stderr),
      log: r.stderr,
      mode: "plain",
      cached: false,
      ms: performance.now() - t0,
    };
    if (r.exitCode === 0) this.cache.set(key, result);
    return result;
  }
}
