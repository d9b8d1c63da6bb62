import type { Guest } from "../machine/guest.ts";
import type { KbuildIndex } from "../kbuild/index-format.ts";
import { retargetCompile, shellQuote } from "../kbuild/command.ts";
import { treeRelativePath } from "../kbuild/tree-path.ts";
import { splitPreamble } from "./preamble.ts";
import { pchCommands } from "./pch.ts";
import { parseGccDiagnostics } from "./diagnostics.ts";
import { fromBase64 } from "../machine/control/frames.ts";
import type { CompileMode, CompileRequest, CompileResult, Compiler } from "./compiler.ts";

const TREE = "/build/linux";
const IN_DIR = "klp/in"; // inside the 9p root, i.e. /toolchain/klp/in in the guest

/**
 * The compile service of the build-host VM: runs an object's recorded kbuild
 * command with patched files swapped in at their own paths, and builds a
 * precompiled header of a file's include preamble the first time that file is
 * compiled, so that edits to its body recompile in seconds.
 */
export class BuildHost implements Compiler {
  private upload = 0;
  // Several BuildHosts may share one VM (and its 9p tree): keep upload names apart.
  private readonly uploadPrefix = Math.random().toString(36).slice(2, 10);
  private readonly pchReady = new Map<string, Uint8Array>(); // pch key -> baseline object
  private readonly cache = new Map<string, CompileResult>();
  private queue: Promise<unknown> = Promise.resolve();
  private prepared: Promise<void> | undefined;

  constructor(
    private readonly guest: Guest,
    private readonly kbuild: KbuildIndex,
    private readonly options: { pch?: boolean } = {},
  ) {}

  /** Compiles; requests are serialised (one GCC at a time is all the VM can carry). */
  compile(request: CompileRequest): Promise<CompileResult> {
    return this.enqueue(() => this.compileNow(request));
  }

  /**
   * Builds an object's precompiled headers and its pristine baseline ahead of
   * a compile, e.g. while the person is still reading or editing the patch:
   * the compile itself then only builds the patched body. Resolves to false
   * when there is nothing to prepare (no PCH for this object, or a failure,
   * which the real compile will report).
   */
  prepare(object: string): Promise<boolean> {
    return this.enqueue(() => this.prepareNow(object));
  }

  /**
   * A pristine file of the kernel tree, read between compiles: while one
   * runs, the guest has the patched (or preamble-blanked) text swapped in at
   * the file's own path, and a read from outside would see that instead.
   */
  readTreeFile(path: string): Promise<Uint8Array | undefined> {
    return this.enqueue(async () => {
      try {
        return await this.readTree(path);
      } catch {
        return undefined; // not in the tree (or outside it): the apply stage says so
      }
    });
  }

  /** A file of the kernel tree over 9p; only from queued work, between compiles. */
  private readTree(path: string): Promise<Uint8Array> {
    return this.guest.getFile(`build/linux/${treeRelativePath(path)}`);
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async prepareNow(object: string): Promise<boolean> {
    const entry = this.kbuild.objects[object];
    if (!entry || entry.language !== "c" || this.options.pch === false) return false;
    await this.ensureDirs();
    const pristine = splitPreamble(new TextDecoder().decode(await this.readTree(entry.source)));
    if (pristine === null) return false;
    const pch = await this.pchFor(entry.command, entry.source, pristine.preamble);
    if (this.pchReady.has(pch.key)) return true;
    const [headerFile, pristineFile] = await this.uploadFiles([pch.commands.headerText, pristine.body]);
    const steps = [`cp /toolchain/${IN_DIR}/${headerFile} ${pch.header}`, shellQuote(pch.commands.buildPch), shellQuote(pch.commands.compileBody("/tmp/klp/out/base.o"))];
    const r = await this.exec(script([{ path: entry.source, file: pristineFile! }], steps, ["/tmp/klp/out/base.o"]));
    if (r.exitCode !== 0) return false;
    this.pchReady.set(pch.key, fromBase64(r.stdout.trim().split(" ")[0] ?? ""));
    return true;
  }

  private ensureDirs(): Promise<void> {
    this.prepared ??= this.exec(`mkdir -p /toolchain/${IN_DIR} /tmp/klp/out /tmp/klp/pristine /tmp/klp/pch`).then(() => undefined);
    return this.prepared;
  }

  private async pchFor(command: string, source: string, preamble: string): Promise<{ key: string; header: string; commands: ReturnType<typeof pchCommands> }> {
    const key = (await sha256Hex(command + "\0" + preamble)).slice(0, 16);
    const header = `/tmp/klp/pch/${key}.h`;
    return { key, header, commands: pchCommands(command, source, preamble, header) };
  }

  private async compileNow(request: CompileRequest): Promise<CompileResult> {
    const t0 = performance.now();
    const entry = this.kbuild.objects[request.object];
    if (!entry) throw new Error(`${request.object} is not built in this kernel configuration`);
    const overrides = request.overrides ?? {};
    const key = await sha256Hex(JSON.stringify([request.object, entry.command, Object.entries(overrides).sort()]));
    const hit = this.cache.get(key);
    if (hit) return { ...hit, cached: true, ms: performance.now() - t0 };

    await this.ensureDirs();

    const pristineSource = new TextDecoder().decode(await this.readTree(entry.source));
    const patchedSource = overrides[entry.source];
    const others = Object.keys(overrides).filter((p) => p !== entry.source);
    const pristineSplit = splitPreamble(pristineSource);
    const patchedSplit = patchedSource === undefined ? pristineSplit : splitPreamble(patchedSource);
    const usePch =
      this.options.pch !== false &&
      entry.language === "c" &&
      others.length === 0 &&
      pristineSplit !== null &&
      patchedSplit !== null &&
      patchedSplit.preamble === pristineSplit.preamble;

    const result = usePch
      ? await this.compilePch(request.object, entry.command, entry.source, pristineSplit!.preamble, pristineSplit!.body, patchedSplit!.body)
      : await this.compilePlain(request.object, entry.command, overrides);
    result.ms = performance.now() - t0;
    if (result.exitCode === 0) this.cache.set(key, result);
    return result;
  }

  private async compilePlain(object: string, command: string, overrides: Record<string, string>): Promise<CompileResult> {
    const swaps = await this.uploadAll(overrides);
    const compile = shellQuote(retargetCompile(command, "/tmp/klp/out/obj.o"));
    const r = await this.exec(script(swaps, [compile], ["/tmp/klp/out/obj.o"]));
    const result = this.result(r, "plain");
    if (result.exitCode === 0) result.baseline = await this.readTree(object);
    return result;
  }

  private async compilePch(object: string, command: string, source: string, preamble: string, pristineBody: string, patchedBody: string): Promise<CompileResult> {
    const { key: pchKey, header, commands: cmds } = await this.pchFor(command, source, preamble);
    const body = shellQuote(cmds.compileBody("/tmp/klp/out/obj.o"));
    const known = this.pchReady.get(pchKey);
    if (known) {
      const swaps = await this.uploadAll({ [source]: patchedBody });
      const result = this.result(await this.exec(script(swaps, [body], ["/tmp/klp/out/obj.o"])), "pch");
      if (result.exitCode === 0) result.baseline = known;
      return result;
    }
    // First compile of this file: build the PCH, then the pristine body through
    // it (the baseline), then the patched body. One guest round trip.
    const [headerFile] = await this.uploadFiles([cmds.headerText]);
    const [pristineFile, patchedFile] = await this.uploadFiles([pristineBody, patchedBody]);
    const baselineCompile = shellQuote(cmds.compileBody("/tmp/klp/out/base.o"));
    const steps = [
      `cp /toolchain/${IN_DIR}/${headerFile} ${header}`,
      shellQuote(cmds.buildPch),
      `cp /toolchain/${IN_DIR}/${pristineFile} ${shellQuote([source])}`,
      baselineCompile,
      `cp /toolchain/${IN_DIR}/${patchedFile} ${shellQuote([source])}`,
      body,
    ];
    const r = await this.exec(script([{ path: source, file: patchedFile! }], steps, ["/tmp/klp/out/obj.o", "/tmp/klp/out/base.o"]));
    const result = this.result(r, "pch-first");
    if (result.exitCode === 0) {
      const parts = r.stdout.trim().split(" ");
      result.baseline = fromBase64(parts[1] ?? "");
      this.pchReady.set(pchKey, result.baseline);
    }
    return result;
  }

  private result(r: { exitCode: number; stdout: string; stderr: string }, mode: CompileMode): CompileResult {
    const log = r.stderr;
    return {
      exitCode: r.exitCode,
      object: r.exitCode === 0 ? fromBase64(r.stdout.trim().split(" ")[0] ?? "") : undefined,
      diagnostics: parseGccDiagnostics(log),
      log,
      mode,
      cached: false,
      ms: 0,
    };
  }

  private async uploadFiles(texts: string[]): Promise<string[]> {
    const names: string[] = [];
    for (const text of texts) {
      const name = `${this.uploadPrefix}-${++this.upload}`;
      await this.guest.putFile(`${IN_DIR}/${name}`, new TextEncoder().encode(text));
      names.push(name);
    }
    return names;
  }

  private async uploadAll(files: Record<string, string>): Promise<Swap[]> {
    const entries = Object.entries(files);
    const names = await this.uploadFiles(entries.map(([, text]) => text));
    return entries.map(([path], i) => {
      return { path: treeRelativePath(path), file: names[i]! };
    });
  }

  private async exec(command: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    return this.guest.exec(command, { timeoutMs: 900_000 });
  }
}

interface Swap {
  /** Tree-relative path of the file to replace for the compile. */
  path: string;
  /** Its new contents, uploaded under /toolchain/klp/in/. */
  file: string;
}

/**
 * The guest side of one compile: save and swap in the patched files, run the
 * steps, put the pristine files back whatever happened, report GCC's output on
 * stderr and the objects (base64, space-separated) on stdout.
 */
function script(swaps: Swap[], steps: string[], outputs: string[]): string {
  const q = (s: string) => shellQuote([s]);
  const lines = [`cd ${TREE} || exit 90`, "rm -f /tmp/klp/out/*"];
  for (const s of swaps) {
    const saved = `/tmp/klp/pristine/${s.path}`;
    lines.push(
      `mkdir -p ${q(saved.slice(0, saved.lastIndexOf("/")))}`,
      `if [ -e ${q(s.path)} ]; then cp ${q(s.path)} ${q(saved)}; else rm -f ${q(saved)}; touch ${q(saved + ".absent")}; fi`,
      `mkdir -p ${q(s.path.includes("/") ? s.path.slice(0, s.path.lastIndexOf("/")) : ".")}`,
      `cp /toolchain/${IN_DIR}/${s.file} ${q(s.path)}`,
    );
  }
  lines.push(`( set -e; ${steps.join("; ")} ) >/tmp/klp/log 2>&1; st=$?`);
  for (const s of swaps) {
    const saved = `/tmp/klp/pristine/${s.path}`;
    lines.push(`if [ -e ${q(saved + ".absent")} ]; then rm -f ${q(s.path)} ${q(saved + ".absent")}; else cp ${q(saved)} ${q(s.path)}; fi`);
  }
  lines.push(
    "cat /tmp/klp/log >&2",
    `if [ $st = 0 ]; then ${outputs.map((o) => `base64 -w0 ${o}`).join("; printf ' '; ")}; fi`,
    "exit $st",
  );
  return lines.join("\n");
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
