// Test fixtures for the object differ and the module assembler: a kernel
// source file edited by a small text diff, compiled natively with its exact
// kbuild command next to the pristine original object from the image.
import { readFileSync } from "node:fs";
import { compileNative } from "../../../src/node/toolchain/native-compiler.ts";
import { nativeToolchainRoot } from "../../../src/node/toolchain/native-root.ts";
import { loadKbuildIndex, ToolchainFiles } from "../../../src/node/images/toolchain-files.ts";
import { loadManifest, readArtifact } from "../../../src/node/images/store.ts";
import type { KbuildIndex } from "../../../src/common/kbuild/index-format.ts";

/** One hunk of a text diff: `before` must occur exactly once in the file. */
export interface Edit {
  before: string;
  after: string;
}

let files: ToolchainFiles | undefined;
let kbuild: KbuildIndex | undefined;
let root: string | undefined;

function toolchain(): { files: ToolchainFiles; kbuild: KbuildIndex; root: string } {
  files ??= new ToolchainFiles();
  kbuild ??= loadKbuildIndex();
  root ??= nativeToolchainRoot();
  return { files, kbuild, root };
}

export function readTreeFile(path: string): Uint8Array {
  const data = toolchain().files.read(`build/linux/${path}`);
  if (!data) throw new Error(`${path} is not in the toolchain image`);
  return data;
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

export interface ObjectPair {
  original: Uint8Array;
  patched: Uint8Array;
}

async function compileEdited(object: string, source: string, edits: readonly Edit[]): Promise<Uint8Array> {
  const { kbuild, root } = toolchain();
  const text = applyEdits(new TextDecoder().decode(readTreeFile(source)), edits, source);
  const r = await compileNative(root, kbuild, { object, overrides: { [source]: text } });
  if (r.exitCode !== 0 || !r.object) throw new Error(`compile of ${object} failed:\n${r.stderr}`);
  return r.object;
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
  const text = new TextDecoder().decode(readTreeFile("Module.symvers"));
  return new Set(text.split("\n").map((l) => l.split("\t")[1]).filter((n): n is string => !!n));
}

export function manifestVermagic(): string {
  return loadManifest().kernel.vermagic;
}

// Both come from the image build (images/40-klp-layout.sh), as the page gets them.
export function vmlinuxSymbolsJson(): string {
  return new TextDecoder().decode(readArtifact("vmlinuxSymbols"));
}
export function klpLayoutJson(): string {
  return new TextDecoder().decode(readArtifact("klpLayout"));
}
