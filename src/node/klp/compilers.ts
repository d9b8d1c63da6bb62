// The compile services behind `--builder`: the WebAssembly compiler (what the
// page uses: Debian's gcc 12 cc1 and binutils as built for wasm32), the
// build-host VM (resumed from its snapshot; the page's fallback) or the native
// fast path (the same i386 GCC and command lines, run on this Linux host).
import { BuildHost } from "../../common/compile/build-host.ts";
import type { Compiler } from "../../common/compile/compiler.ts";
import type { KbuildIndex } from "../../common/kbuild/index-format.ts";
import { BUILDER } from "../../common/machine/profiles.ts";
import { bootMachine } from "../boot.ts";
import { NativeBuildHost } from "../toolchain/native-build-host.ts";
import { openWasmCompiler } from "../toolchain/wasm-compiler.ts";

export type BuilderKind = "wasm" | "vm" | "native";
const BUILDER_KINDS: readonly BuilderKind[] = ["wasm", "vm", "native"];

export interface OpenCompiler {
  compiler: Compiler;
  close(): Promise<void>;
}

export function parseBuilderKind(value: string | boolean | undefined, fallback: BuilderKind = "native"): BuilderKind {
  if (value === undefined) return fallback;
  const kind = BUILDER_KINDS.find((k) => k === value);
  if (kind) return kind;
  throw new Error(`--builder must be one of ${BUILDER_KINDS.join(", ")}, not '${String(value)}'`);
}

export async function openCompiler(kind: BuilderKind, kbuild: KbuildIndex): Promise<OpenCompiler> {
  if (kind === "native") return { compiler: new NativeBuildHost(kbuild), close: async () => undefined };
  if (kind === "wasm") return { compiler: openWasmCompiler(kbuild), close: async () => undefined };
  const { machine } = await bootMachine(BUILDER, { snapshot: true });
  return { compiler: new BuildHost(machine, kbuild), close: () => machine.destroy() };
}
