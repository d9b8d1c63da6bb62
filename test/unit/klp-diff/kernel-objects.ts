// Test fixtures for the object differ, the module assembler and the other
// tests over real kernel data: a kernel source file edited by a small text
// diff, compiled with its exact kbuild command next to the pristine original
// object from the image; vmlinux's symbols, exports and layouts.
//
// Like kpatch's test/unit/objs, the unit tests run on committed copies
// (test/fixtures/kernel/, blobs by content hash, index.json by what a test
// asked for), so they need no images, no native toolchain and no `unshare`.
// `npm run fixtures` records them again from the images and the native
// toolchain (after the kernel or a test's edits change); the e2e project
// sets KLP_FIXTURES=live and computes them there and then.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import type { KbuildIndex } from "../../../src/common/kbuild/index-format.ts";

/** One hunk of a text diff: `before` must occur exactly once in the file. */
export interface Edit {
  before: string;
  after: string;
}

/** KLP_FIXTURES_DIR: where `npm run fixtures` records before it replaces the committed store. */
const STORE = process.env.KLP_FIXTURES_DIR ?? join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/kernel");
type Mode = "replay" | "record" | "live";
const MODE: Mode = process.env.KLP_RECORD_FIXTURES ? "record" : process.env.KLP_FIXTURES === "live" ? "live" : "replay";

/** What a test asked for (e.g. "tree:fs/proc/cmdline.o") -> the blob holding it. */
type StoreIndex = Record<string, string>;

function indexPath(): string {
  return join(STORE, "index.json");
}

function loadIndex(): StoreIndex {
  return existsSync(indexPath()) ? (JSON.parse(readFileSync(indexPath(), "utf8")) as StoreIndex) : {};
}

let index: StoreIndex | undefined;

function blobPath(hash: string): string {
  return join(STORE, "blobs", `${hash}.gz`);
}

function replay(key: string): Uint8Array {
  const hash = (index ??= loadIndex())[key];
  if (hash === undefined) {
    throw new Error(`no committed kernel fixture for ${key}: record the fixtures with \`npm run fixtures\` (needs the images and unshare), and commit test/fixtures/kernel`);
  }
  return new Uint8Array(gunzipSync(readFileSync(blobPath(hash))));
}

function record(key: string, data: Uint8Array): void {
  const hash = createHash("sha256").update(data).digest("hex").slice(0, 20);
  mkdirSync(join(STORE, "blobs"), { recursive: true });
  if (!existsSync(blobPath(hash))) writeFileSync(blobPath(hash), gzipSync(data, { level: 9 }));
  // Re-read: `npm run fixtures` records one test file after the other, each in its own worker.
  const current = loadIndex();
  current[key] = hash;
  const sorted = Object.fromEntries(Object.entries(current).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(indexPath(), `${JSON.stringify(sorted, null, 1)}\n`);
  index = sorted;
}

function fixture(key: string, make: () => Uint8Array): Uint8Array {
  if (MODE === "replay") return replay(key);
  const data = make();
  if (MODE === "record") record(key, data);
  return data;
}

async function fixtureAsync(key: string, make: () => Promise<Uint8Array>): Promise<Uint8Array> {
  if (MODE === "replay") return replay(key);
  const data = await make();
  if (MODE === "record") record(key, data);
  return data;
}

/** A short, stable name for a test's inputs. */
function keyOf(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// The images and the native toolchain, only when live or recording: the
// modules are imported then, so a replaying run never touches them.
async function toolchain() {
  const [{ compileNative }, { nativeToolchainRoot }, images, store] = await Promise.all([
    import("../../../src/node/toolchain/native-compiler.ts"),
    import("../../../src/node/toolchain/native-root.ts"),
    import("../../../src/node/images/toolchain-files.ts"),
    import("../../../src/node/images/store.ts"),
  ]);
  return { compileNative, nativeToolchainRoot, images, store };
}
type Toolchain = Awaited<ReturnType<typeof toolchain>>;
// Loaded at module evaluation (top-level await) so that the synchronous readers below can use it.
const live: Toolchain | undefined = MODE === "replay" ? undefined : await toolchain();
let liveFiles: InstanceType<Toolchain["images"]["ToolchainFiles"]> | undefined;
let liveRoot: string | undefined;

function needLive(): Toolchain {
  if (!live) throw new Error("unreachable: the toolchain is only needed when live or recording");
  return live;
}

function liveTreeFile(path: string): Uint8Array {
  const t = needLive();
  liveFiles ??= new t.images.ToolchainFiles();
  const data = liveFiles.read(`build/linux/${path}`);
  if (!data) throw new Error(`${path} is not in the toolchain image`);
  return data;
}

/** A file of the kernel build tree (source, object, Module.symvers), as the image has it. */
export function readTreeFile(path: string): Uint8Array {
  return fixture(`tree:${path}`, () => liveTreeFile(path));
}

/** A text file of the kernel build tree. */
export function readTreeText(path: string): string {
  return decoder.decode(readTreeFile(path));
}

export function applyEdits(text: string, edits: readonly Edit[], path: string): string {
  let out = text;
  for (const e of edits) {
    const at = out.indexOf(e.before);
    if (at < 0 || out.indexOf(e.before, at + 1) >= 0) throw new Error(`${path}: edit context must occur exactly once: ${JSON.stringify(e.before)}`);
    out = out.slice(0, at) + e.after + out.slice(at + e.before.length);
  }
  return out;
}

/** kbuild's index of this kernel (the image's kbuild.json). */
export function kbuildIndex(): KbuildIndex {
  return JSON.parse(decoder.decode(fixture("artifact:kbuild", () => needLive().store.readArtifact("kbuild")))) as KbuildIndex;
}

/**
 * An object compiled natively with its kbuild command, `overrides` swapped
 * in for the tree's files (tree-relative path -> text).
 */
export function compileObject(object: string, overrides: Readonly<Record<string, string>>): Promise<Uint8Array> {
  return fixtureAsync(`compile:${object}:${keyOf(Object.entries(overrides).sort())}`, async () => {
    const t = needLive();
    liveRoot ??= t.nativeToolchainRoot();
    const r = await t.compileNative(liveRoot, kbuildIndex(), { object, overrides: { ...overrides } });
    if (r.exitCode !== 0 || !r.object) throw new Error(`compile of ${object} failed:\n${r.stderr}`);
    return r.object;
  });
}

async function compileEdited(object: string, source: string, edits: readonly Edit[]): Promise<Uint8Array> {
  const text = applyEdits(readTreeText(source), edits, source);
  return compileObject(object, { [source]: text });
}

export interface ObjectPair {
  original: Uint8Array;
  patched: Uint8Array;
}

export interface PairOptions {
  /**
   * Edits that make the "original" too (compiled instead of using the
   * image's pristine object): lets a test set up a situation (an inline
   * helper, an initialised static) the file does not have.
   */
  base?: readonly Edit[];
  source?: string;
}

/** The original object (pristine, or `base` applied) and the one compiled with `edits` applied on top. */
export async function compilePair(object: string, edits: readonly Edit[], options: PairOptions = {}): Promise<ObjectPair> {
  const source = options.source ?? object.replace(/\.o$/, ".c");
  const base = options.base ?? [];
  const original = base.length > 0 ? await compileEdited(object, source, base) : readTreeFile(object);
  const patched = await compileEdited(object, source, [...base, ...edits]);
  return { original, patched };
}

/** Names vmlinux exports, from the image's Module.symvers. */
export function exportedSymbols(): Set<string> {
  const text = readTreeText("Module.symvers");
  return new Set(text.split("\n").map((l) => l.split("\t")[1]).filter((n): n is string => !!n));
}

export function manifestVermagic(): string {
  return decoder.decode(fixture("manifest:vermagic", () => encoder.encode(needLive().store.loadManifest().kernel.vermagic)));
}

// Both come from the image build (images/40-klp-layout.sh), as the page gets them.
export function vmlinuxSymbolsJson(): string {
  return decoder.decode(fixture("artifact:vmlinuxSymbols", () => needLive().store.readArtifact("vmlinuxSymbols")));
}
export function klpLayoutJson(): string {
  return decoder.decode(fixture("artifact:klpLayout", () => needLive().store.readArtifact("klpLayout")));
}
