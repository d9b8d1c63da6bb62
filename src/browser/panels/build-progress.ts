// What a build is waiting on, moment by moment, in the build panel: the
// build host's download (bytes of total), its resume, each stage, and the
// compile with its elapsed time and an estimate from the file's size. A
// download that stops delivering data ends the build with a clear message
// instead of an endless "Building…".
import type { BuildStage } from "../build-client.ts";
import type { BuildPanel } from "./build-panel.ts";
import { pathsOfDiff } from "../editor/sync.ts";

/** No byte for this long while a download is incomplete: the network is gone. */
export const STALL_MS = 45_000;
/** The build host's own resume gives up after 180 s (workers/builder.worker.ts); this is the page's backstop. */
const START_LIMIT_MS = 300_000;

export interface BuildContext {
  diff: string;
  /** A source file's pristine text, when the editor has it. */
  cached(path: string): string | undefined;
  /** The objects the build host prepared in the background. */
  prepared(): Promise<string[]>;
  /** The builder has started before (no download or resume this time). */
  started: boolean;
}

/**
 * First compile of a file in the build-host VM, in seconds: measured 23 s
 * for fs/proc/cmdline.c (0.5 KB) and 129 s for kernel/sys.c (71 KB); the
 * headers dominate, the body adds about 1.5 s per KB.
 */
export function firstCompileEstimateS(bytes: number): number {
  return Math.round(22 + (1.5 * bytes) / 1024);
}

export class BuildProgressView {
  /** The running build's view, for the builder's download callback (one build at a time). */
  static current: BuildProgressView | undefined;
  private readonly downloads = new Map<string, [number, number]>();
  private lastData = performance.now();
  private readonly t0 = performance.now();
  private compilerUp = false;
  private compilerName = "";
  private compileDone = false;
  private preparedObjects: string[] = [];
  private watchdog: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly panel: BuildPanel,
    private readonly ctx: BuildContext,
  ) {
    BuildProgressView.current = this;
    void ctx.prepared().then((list) => (this.preparedObjects = list));
    panel.phase("start", ctx.started ? "starting the build" : "starting the compiler (fetched once per visit)");
  }

  /** The build's promise, rejected when a download stalls or the compiler never comes up. */
  watch<T>(build: Promise<T>): Promise<T> {
    const stalled = new Promise<never>((_, reject) => {
      this.watchdog = setInterval(() => {
        const now = performance.now();
        const incomplete = [...this.downloads.values()].some(([d, t]) => d < t);
        if (!this.compilerUp && incomplete && now - this.lastData > STALL_MS) {
          reject(new Error(`the download of the build host stopped: no data for ${STALL_MS / 1000} s`));
        } else if (!this.compilerUp && now - this.t0 > START_LIMIT_MS) {
          reject(new Error(`the compiler did not start within ${START_LIMIT_MS / 60_000} minutes`));
        }
      }, 1000);
    });
    return Promise.race([build, stalled]);
  }

  download(name: string, loaded: number, total: number): void {
    this.lastData = performance.now();
    this.downloads.set(name, [loaded, total]);
    if (this.compilerUp) return;
    let d = 0;
    let t = 0;
    for (const [a, b] of this.downloads.values()) {
      d += a;
      t += b;
    }
    // The worker fetches the WebAssembly gcc (cc1Wasm, asWasm, …) where it can run, else the build host's machine.
    // Both start with the kernel's file lists, so say which only once a download shows it.
    const names = [...this.downloads.keys()];
    const wasm = names.some((n) => /^(cc1|as)(Wasm|Loader)$|^driver$/.test(n));
    const vm = names.some((n) => /^builder/.test(n));
    const what = wasm ? "the WebAssembly gcc" : vm ? "the build host" : "the compiler";
    if (d < t) this.panel.phase("download", `downloading ${what}: ${(d / 1e6).toFixed(1)} / ${(t / 1e6).toFixed(1)} MB`);
    else if (vm && !wasm) this.panel.phase("resume", "downloaded; resuming the build host (a second emulated machine with Debian's gcc-12)");
    else this.panel.phase("resume", `downloaded; loading ${what}`);
  }

  log(text: string): void {
    const m = /^compiler: (.*)$/m.exec(text);
    if (m) {
      this.compilerUp = true;
      this.compilerName = m[1] ?? "";
      this.panel.phase(undefined);
    }
    this.panel.append(text);
  }

  stage(s: BuildStage): void {
    this.panel.stage(s);
    if (s.name !== "compile") return;
    if (s.ms !== undefined) {
      this.compileDone = true;
      this.panel.phase(undefined);
    } else if (!this.compileDone) {
      this.panel.phase("compile", this.compileText());
    }
  }

  private compileText(): string {
    const files = pathsOfDiff(this.ctx.diff).filter((p) => /\.[cS]$/.test(p));
    if (files.length === 0) return "compiling";
    const vm = /VM/.test(this.compilerName);
    const parts = files.map((f) => {
      const object = f.replace(/\.[cS]$/, ".o");
      if (this.preparedObjects.includes(object)) return `${f} (headers precompiled in the background: seconds)`;
      const size = this.ctx.cached(f)?.length;
      return vm && size !== undefined ? `${f} (first compile of this file precompiles its headers: about ${firstCompileEstimateS(size)} s; later edits take seconds)` : f;
    });
    return `compiling ${parts.join(", ")}`;
  }

  end(): void {
    clearInterval(this.watchdog);
    if (BuildProgressView.current === this) BuildProgressView.current = undefined;
    this.panel.phase(undefined);
  }
}
