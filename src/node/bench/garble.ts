// Garbled input, at scale: mutated patches through parse -> apply -> plan,
// and mutated compiler output through diff -> assemble. Whatever goes in,
// each stage either succeeds or throws its own typed error, which
// translates to a KlpBuildError with a known code (never `internal`) and a
// location; anything else (a TypeError, a RangeError, an `internal` code, an
// input that takes seconds) is a finding, thrown as GarbleFinding with the
// input that caused it. test/unit/klp-build/garble.test.ts runs it with a
// fixed seed; `klp bench` runs it bigger.
import { isErrorCode, type BuildStage } from "../../common/errors/codes.ts";
import type { KbuildIndex } from "../../common/kbuild/index-format.ts";
import { diffAll, type Compiled } from "../../common/klp/build/diff-objects.ts";
import { KlpBuildError } from "../../common/klp/build/error.ts";
import { guard, toBuildError } from "../../common/klp/build/translate.ts";
import { assembleModule, type KlpLayout, type VmlinuxSymbols } from "../../common/klp/module/index.ts";
import { planBuild } from "../../common/klp/plan.ts";
import { applyPatch, makeDiff, parseDiff } from "../../common/patch/index.ts";

/** A seeded generator (mulberry32): the same seed, the same inputs. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (next: Rng, n: number): number => Math.floor(next() * n);
const pick = <T>(next: Rng, items: readonly T[]): T => items[int(next, items.length)]!;

/** What a run met: how many inputs got how far, and how each failure was coded. */
export interface GarbleStats {
  inputs: number;
  /** Inputs every stage accepted. */
  passed: number;
  /** "stage:code" -> count. */
  refusals: Record<string, number>;
  ms: number;
  /** The slowest single input. */
  maxInputMs: number;
}

/** A crash, an untyped or `internal` error, an unlocated one, or an input too slow: a bug to fix, with what caused it. */
export class GarbleFinding extends Error {
  override readonly name = "GarbleFinding";
  constructor(
    message: string,
    readonly input: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** Longest one input may take before it counts as a hang (a loaded machine's worst case is far below). */
let slowMs = 5000;

/** For a search after a slow input: a lower bound finds it sooner. */
export function setSlowMs(ms: number): void {
  slowMs = ms;
}

function newStats(): GarbleStats {
  return { inputs: 0, passed: 0, refusals: {}, ms: 0, maxInputMs: 0 };
}

function check(stage: BuildStage, e: unknown, input: () => string, located: boolean): string {
  const err = e instanceof KlpBuildError ? e : toBuildError(stage, e);
  const raw = err.cause ?? e;
  const typed = raw instanceof Error && raw.constructor !== Error && !(raw instanceof TypeError) && !(raw instanceof RangeError) && !(raw instanceof SyntaxError);
  if (err.code === "internal" || !isErrorCode(err.code) || !typed) {
    throw new GarbleFinding(`${stage}: ${raw instanceof Error ? `${raw.name}: ${raw.message}` : String(raw)}`, input(), raw);
  }
  if (located && err.location === undefined) throw new GarbleFinding(`${stage}: ${err.code} without a location: ${err.message}`, input(), err);
  return `${err.stage}:${err.code}`;
}

function timedInput(stats: GarbleStats, input: () => string, run: () => void): void {
  const t0 = performance.now();
  run();
  const ms = performance.now() - t0;
  stats.inputs++;
  stats.maxInputMs = Math.max(stats.maxInputMs, ms);
  if (ms > slowMs) throw new GarbleFinding(`input ${stats.inputs} took ${Math.round(ms)} ms`, input());
}

// ---- patches ---------------------------------------------------------------

const JUNK_LINES = [
  "GIT binary patch",
  "literal 12",
  "Binary files a/fs/proc/cmdline.c and b/fs/proc/cmdline.c differ",
  "@@ -1,3 +1,3 @@",
  "@@ -0,0 +1 @@",
  "@@ -4294967296,1 +1 @@",
  "--- /dev/null",
  "+++ /dev/null",
  "new file mode 100644",
  "deleted file mode 100644",
  "rename from fs/proc/cmdline.c",
  "\\ No newline at end of file",
  "*** 1,3 ****",
  "+struct klp_new { int x; };",
  "-}",
  "+}",
  " ",
  "",
];

const PATH_BENDS: ((p: string) => string)[] = [
  (p) => `linux/${p}`,
  (p) => `../${p}`,
  (p) => `/${p}`,
  (p) => p.replace(/\.c$/, ".h"),
  (p) => p.replace(/\.c$/, ".S"),
  (p) => p.replace(/[^/]+$/, "Makefile"),
  (p) => p.replace(/^[^/]+/, "lib"),
  (p) => p.replace(/^[^/]+/, "arch/x86/boot"),
  (p) => p.replace(/^[^/]+/, "arch/x86/entry/vdso/vdso32"),
  (p) => p.replace(/^[^/]+/, "scripts"),
  (p) => p.toUpperCase(),
  (p) => `${p}\t2026-12-01 00:00:00`,
  (p) => p.replace(/\//g, "//"),
  (p) => `"${p}`,
  (p) => p.slice(0, Math.max(1, p.length >> 1)),
  () => "include/linux/sched.h",
  () => "kernel/no_such_file.c",
];

/** Bytes a careless reader trips on: NUL, lone surrogates, control characters, a BOM. */
function junk(next: Rng): string {
  const n = 1 + int(next, 24);
  let s = "";
  for (let i = 0; i < n; i++) {
    const r = next();
    s += r < 0.3 ? String.fromCharCode(int(next, 32)) : r < 0.45 ? String.fromCharCode(0xd800 + int(next, 0x800)) : r < 0.5 ? "\ufeff" : String.fromCharCode(int(next, 0x10000));
  }
  return s;
}

/** Each hunk of a text as [start, end) line ranges. */
function hunkRanges(lines: readonly string[]): [number, number][] {
  const starts = lines.flatMap((l, i) => (l.startsWith("@@") ? [i] : []));
  return starts.map((s, i) => {
    let end = starts[i + 1] ?? lines.length;
    for (let j = s + 1; j < end; j++) if (lines[j]!.startsWith("diff ") || lines[j]!.startsWith("--- ")) end = j;
    return [s, end];
  });
}

const MUTATIONS: ((next: Rng, lines: string[], text: string) => string[] | string)[] = [
  // Hunks shuffled: two hunks swap places (of one file or of two).
  (next, lines) => {
    const hunks = hunkRanges(lines);
    if (hunks.length < 2) return lines;
    const [a, b] = [pick(next, hunks), pick(next, hunks)].sort((x, y) => x[0] - y[0]) as [[number, number], [number, number]];
    if (a[0] === b[0] || a[1] > b[0]) return lines;
    return [...lines.slice(0, a[0]), ...lines.slice(b[0], b[1]), ...lines.slice(a[1], b[0]), ...lines.slice(a[0], a[1]), ...lines.slice(b[1])];
  },
  // Hunk duplicated.
  (next, lines) => {
    const hunks = hunkRanges(lines);
    if (hunks.length === 0) return lines;
    const [s, e] = pick(next, hunks);
    return [...lines.slice(0, e), ...lines.slice(s, e), ...lines.slice(e)];
  },
  // Lines cut: a few removed, or the text truncated mid-line.
  (next, lines) => {
    const at = int(next, lines.length);
    lines.splice(at, 1 + int(next, 4));
    return lines;
  },
  (next, _lines, text) => text.slice(0, int(next, text.length + 1)),
  // Paths bent, in ---/+++/diff --git lines.
  (next, lines) => {
    const heads = lines.flatMap((l, i) => (/^(---|\+\+\+|diff --git) /.test(l) ? [i] : []));
    if (heads.length === 0) return lines;
    const at = pick(next, heads);
    const bend = pick(next, PATH_BENDS);
    lines[at] = lines[at]!.replace(/([ab]\/)?([\w.-]+\/[\w./-]+)/g, (_m, pre: string | undefined, p: string) => (pre ?? "") + bend(p));
    return lines;
  },
  // Context altered: a character of a context or removed line, or tabs to spaces.
  (next, lines) => {
    const ctx = lines.flatMap((l, i) => (/^[ -]/.test(l) && !l.startsWith("---") ? [i] : []));
    if (ctx.length === 0) return lines;
    const at = pick(next, ctx);
    const l = lines[at]!;
    const pos = 1 + int(next, Math.max(1, l.length - 1));
    lines[at] = next() < 0.3 ? l.replace(/\t/g, "        ") : l.slice(0, pos) + pick(next, ["x", "", ";", "\t", "  "]) + l.slice(pos + 1);
    return lines;
  },
  // A line's prefix changed (context becomes added, added becomes removed...).
  (next, lines) => {
    const at = int(next, lines.length);
    lines[at] = pick(next, [" ", "+", "-", "\\", "@"]) + (lines[at] ?? "").slice(1);
    return lines;
  },
  // Hunk header counts or positions renumbered.
  (next, lines) => {
    const heads = lines.flatMap((l, i) => (l.startsWith("@@") ? [i] : []));
    if (heads.length === 0) return lines;
    const at = pick(next, heads);
    lines[at] = lines[at]!.replace(/\d+/, () => String(pick(next, [0, 1, 2, int(next, 400), 99999, 2 ** 31])));
    return lines;
  },
  // Lines of the kinds that start or end sections, inserted anywhere.
  (next, lines) => {
    lines.splice(int(next, lines.length + 1), 0, pick(next, JUNK_LINES));
    return lines;
  },
  // Binary junk, in a line or as a line.
  (next, lines) => {
    const at = int(next, lines.length);
    const l = lines[at] ?? "";
    const pos = int(next, l.length + 1);
    lines[at] = l.slice(0, pos) + junk(next) + l.slice(pos);
    return lines;
  },
  // Line endings: CRLF for all, or a lone CR.
  (next, lines) => (next() < 0.5 ? lines.map((l) => `${l}\r`) : (lines.splice(int(next, lines.length), 0, "\r"), lines)),
  // The added lines of a hunk change a struct or delete everything.
  (next, lines) => {
    const adds = lines.flatMap((l, i) => (l.startsWith("+") && !l.startsWith("+++") ? [i] : []));
    if (adds.length === 0) return lines;
    lines[pick(next, adds)] = pick(next, ["+struct klp_s { int a; int b; };", "+#include <linux/no_such.h>", "+\tint klp_x = (int)&klp_x;", "+"]);
    return lines;
  },
];

/** One garbled patch: 1 to 4 mutations of a valid one. */
export function garblePatch(next: Rng, valid: string): string {
  let text = valid;
  const rounds = 1 + int(next, 4);
  for (let r = 0; r < rounds; r++) {
    const out = pick(next, MUTATIONS)(next, text.split("\n"), text);
    text = typeof out === "string" ? out : out.join("\n");
  }
  return text;
}

/** One edit of a pristine file; without `before`, a line appended at its end. */
export interface CorpusEdit {
  path: string;
  before?: string;
  after: string;
}

/**
 * The valid patches garbled: each stage's ways through (a change, a new
 * global used across files, a syscall, a header) and its refusals (a changed
 * struct, a Makefile, lib/ without ftrace hooks, boot code).
 */
export const GARBLE_CORPUS: readonly (readonly CorpusEdit[])[] = [
  [{ path: "fs/proc/cmdline.c", before: "\tseq_puts(m, saved_command_line);", after: '\tseq_printf(m, "%s klp=on", saved_command_line);' }],
  [{ path: "fs/proc/version.c", before: "static int version_proc_show(struct seq_file *m, void *v)\n{\n", after: 'static int version_proc_show(struct seq_file *m, void *v)\n{\n\tseq_puts(m, "[klp] ");\n' }],
  [
    { path: "fs/proc/meminfo.c", before: "static int meminfo_proc_show(struct seq_file *m, void *v)\n", after: "int klp_new_helper(void)\n{\n\treturn 42;\n}\n\nstatic int meminfo_proc_show(struct seq_file *m, void *v)\n" },
    { path: "fs/proc/version.c", before: "static int version_proc_show(struct seq_file *m, void *v)\n{\n", after: "extern int klp_new_helper(void);\n\nstatic int version_proc_show(struct seq_file *m, void *v)\n{\n\tklp_new_helper();\n" },
  ],
  [{ path: "fs/proc/consoles.c", before: "if (off++ == *pos)", after: "if (off++ == *pos + 1)" }],
  [{ path: "kernel/sys.c", before: "SYSCALL_DEFINE1(newuname, struct new_utsname __user *, name)\n{\n", after: "SYSCALL_DEFINE1(newuname, struct new_utsname __user *, name)\n{\n\tmight_sleep();\n" }],
  [{ path: "fs/proc/internal.h", before: "struct proc_dir_entry {\n", after: "struct proc_dir_entry {\n\tint klp_new_field;\n" }],
  [{ path: "include/linux/sched.h", before: "struct task_struct {\n", after: "/* klp */\nstruct task_struct {\n" }],
  [{ path: "fs/proc/Makefile", after: "obj-y += klp.o\n" }],
  [{ path: "lib/string.c", after: "int klp_y = 1;\n" }],
  [{ path: "arch/x86/boot/a20.c", after: "int klp_y = 1;\n" }],
];

/** Files of GARBLE_CORPUS the plan refuses by their path alone: any text will do where the tree lacks them. */
export const GARBLE_STAND_INS: ReadonlySet<string> = new Set(["fs/proc/Makefile", "lib/string.c", "arch/x86/boot/a20.c"]);

/** `read`, with a stand-in text for each of GARBLE_STAND_INS it lacks. */
export function withStandIns(read: (path: string) => string | undefined): (path: string) => string | undefined {
  return (path) => read(path) ?? (GARBLE_STAND_INS.has(path) ? "/* stand-in */\nint klp_x;\n" : undefined);
}

/** The files GARBLE_CORPUS edits. */
export const GARBLE_FILES: readonly string[] = [...new Set(GARBLE_CORPUS.flat().map((e) => e.path))];

/** GARBLE_CORPUS as unified diffs against `read`'s files. */
export function corpusPatches(read: (path: string) => string | undefined): string[] {
  return GARBLE_CORPUS.map((edits) => {
    const texts = new Map<string, [string, string]>();
    for (const e of edits) {
      const old = texts.get(e.path)?.[0] ?? read(e.path);
      if (old === undefined) throw new Error(`garble corpus: ${e.path} is not in the tree`);
      const now = texts.get(e.path)?.[1] ?? old;
      if (e.before !== undefined && now.split(e.before).length !== 2) throw new Error(`garble corpus: ${e.path}: the edit's context must occur once: ${e.before}`);
      texts.set(e.path, [old, e.before === undefined ? `${now}${now.endsWith("\n") || now === "" ? "" : "\n"}${e.after}` : now.replace(e.before, () => e.after)]);
    }
    return [...texts].map(([path, [old, now]]) => makeDiff(path, old, now)).join("");
  });
}

export interface PatchGarbleInputs {
  /** Valid patches against `readPristine`'s files, to garble. */
  patches: readonly string[];
  readPristine: (path: string) => string | undefined;
  kbuild: KbuildIndex;
}

/** `count` garbled patches through parse -> apply -> plan. Throws GarbleFinding on the first bug. */
export function garblePatches(inputs: PatchGarbleInputs, seed: number, count: number): GarbleStats {
  const next = seeded(seed);
  const stats = newStats();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const text = garblePatch(next, pick(next, inputs.patches));
    const input = () => text;
    timedInput(stats, input, () => {
      let stage: BuildStage = "parse";
      try {
        const parsed = guard("parse", () => parseDiff(text));
        stage = "apply";
        const applied = guard("apply", () => applyPatch(parsed, inputs.readPristine));
        stage = "plan";
        guard("plan", () => planBuild(applied.files, inputs.kbuild, { readFile: inputs.readPristine }));
        stats.passed++;
      } catch (e) {
        // An empty plan (no-change) has no one place to point at.
        const key = check(stage, e, input, !(e instanceof KlpBuildError && e.code === "no-change"));
        stats.refusals[key] = (stats.refusals[key] ?? 0) + 1;
      }
    });
  }
  stats.ms = performance.now() - t0;
  return stats;
}

// ---- objects ---------------------------------------------------------------

/** One corrupted object: truncated, bytes flipped, a header field or a section header's field bent. */
export function garbleObject(next: Rng, valid: Uint8Array): Uint8Array {
  const out = valid.slice();
  const view = new DataView(out.buffer);
  const u32At = (at: number, v: number) => at + 4 <= out.length && view.setUint32(at, v >>> 0, true);
  const anyValue = (): number => pick(next, [0, 1, 0xffffffff, 0x7fffffff, out.length, out.length + 1, int(next, 0x10000), int(next, out.length + 64)]);
  const shoff = out.length >= 0x34 ? view.getUint32(0x20, true) : 0;
  const shnum = out.length >= 0x34 ? view.getUint16(0x30, true) : 0;
  switch (int(next, 6)) {
    case 0:
      return out.slice(0, int(next, out.length));
    case 1: {
      const n = 1 + int(next, 16);
      for (let i = 0; i < n; i++) out[int(next, out.length)] = int(next, 256);
      return out;
    }
    case 2:
      // An ELF header field: e_shoff, e_shnum, e_shstrndx, e_shentsize, e_ident.
      switch (int(next, 5)) {
        case 0:
          u32At(0x20, anyValue());
          break;
        case 1:
          if (out.length >= 0x34) view.setUint16(0x30, int(next, 0x10000), true);
          break;
        case 2:
          if (out.length >= 0x34) view.setUint16(0x32, int(next, shnum + 4), true);
          break;
        case 3:
          if (out.length >= 0x34) view.setUint16(0x2e, pick(next, [0, 1, 39, 41, 0xffff]), true);
          break;
        default:
          out[int(next, 16)] = int(next, 256);
      }
      return out;
    default: {
      // A section header field: type, offset, size, link, info, entsize.
      if (shnum === 0) return out.slice(0, int(next, out.length));
      const at = shoff + 40 * int(next, shnum);
      const field = pick(next, [4, 16, 20, 24, 28, 36]);
      u32At(at + field, field === 4 ? pick(next, [0, 1, 2, 3, 4, 8, 9, 11, 0x6fffffff]) : field === 24 || field === 28 ? int(next, shnum + 3) : anyValue());
      return out;
    }
  }
}

export interface ObjectGarbleInputs {
  /** Valid compiled pairs (pristine and patched) whose diff assembles. */
  objects: readonly Compiled[];
  vmlinux: VmlinuxSymbols;
  layout: KlpLayout;
  exported: ReadonlySet<string>;
}

/** `count` pairs with a corrupted side through diff -> assemble. Throws GarbleFinding on the first bug. */
export function garbleObjects(inputs: ObjectGarbleInputs, seed: number, count: number): GarbleStats {
  const next = seeded(seed);
  const stats = newStats();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const base = pick(next, inputs.objects);
    const side = next() < 0.75 ? "patched" : "original";
    const c: Compiled = { ...base, [side]: garbleObject(next, base[side]) };
    const input = () => `${c.object} (${side} corrupted): ${Buffer.from(c[side]).toString("base64")}`;
    timedInput(stats, input, () => {
      let stage: BuildStage = "diff";
      try {
        const diffs = diffAll([c], { exported: inputs.exported }, () => () => false);
        stage = "assemble";
        guard("assemble", () => assembleModule({ diffs: diffs.map((d) => d.diff), name: "klp_garble", layout: inputs.layout, vmlinux: inputs.vmlinux, exported: inputs.exported }));
        stats.passed++;
      } catch (e) {
        const key = check(stage, e, input, stage === "diff");
        stats.refusals[key] = (stats.refusals[key] ?? 0) + 1;
      }
    });
  }
  stats.ms = performance.now() - t0;
  return stats;
}

// ---- the bench ---------------------------------------------------------------

export interface GarbleBench {
  patches: GarbleStats;
  objects: GarbleStats;
  /** Bugs found (each stops its run; the seed, the message and the input are logged, to make a test of). */
  findings: number;
}

/** Pristine objects of the image, each diffed against a corrupted copy of itself (or the other way). */
const BENCH_OBJECTS = ["fs/proc/cmdline.o", "fs/proc/consoles.o", "fs/proc/meminfo.o", "fs/proc/version.o", "kernel/sys.o", "fs/readdir.o"];

/** The garble test's runs, bigger, over the images on disk: `klp bench`'s garble_* numbers. */
export async function benchGarble(log: (line: string) => void, patchCount = 100_000, objectCount = 20_000, seed = Date.now() % 2 ** 31): Promise<GarbleBench> {
  const { loadKlpInputs } = await import("../klp/inputs.ts");
  const inputs = loadKlpInputs();
  const readPristine = withStandIns(inputs.readPristine);
  const summary = (s: GarbleStats) =>
    `${s.inputs} in ${(s.ms / 1000).toFixed(1)} s (slowest ${s.maxInputMs.toFixed(1)} ms), ${s.passed} passed; ${Object.entries(s.refusals)
      .sort(([, a], [, b]) => b - a)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}`;
  log(`garble: seed ${seed}`);
  let findings = 0;
  const run = (what: string, go: () => GarbleStats): GarbleStats => {
    try {
      return go();
    } catch (e) {
      if (!(e instanceof GarbleFinding)) throw e;
      findings++;
      log(`garble: ${what}: FINDING with seed ${seed}: ${e.message}\ninput: ${JSON.stringify(e.input)}`);
      return newStats();
    }
  };
  const patches = run("patches", () => garblePatches({ patches: corpusPatches(readPristine), readPristine, kbuild: inputs.kbuild }, seed, patchCount));
  log(`garble: patches: ${summary(patches)}`);
  const objects: Compiled[] = BENCH_OBJECTS.map((object) => {
    const bytes = inputs.files.read(`build/linux/${object}`);
    if (!bytes) throw new Error(`${object} is not in the toolchain image`);
    const source = object.replace(/\.o$/, ".c");
    return { object, source, because: [source], original: bytes, patched: bytes };
  });
  const objectStats = run("objects", () => garbleObjects({ objects, vmlinux: inputs.vmlinux, layout: inputs.layout, exported: inputs.exported }, seed, objectCount));
  log(`garble: objects: ${summary(objectStats)}`);
  return { patches, objects: objectStats, findings };
}
