// The two compile services behind `--builder`: the build-host VM (what the
// page uses; resumed from its snapshot) or the native fast path (the same
// i386 GCC and command lines, run on this Linux host).
import { BuildHost } from "../../machine/build-host.ts";
import type { Compiler } from "../../common/klp/pipeline.ts";
import type { KbuildIndex } from "../../common/kbuild/index-format.ts";
import { BUILDER } from "../../common/machines/profiles.ts";
import { bootMachine } from "../boot.ts";
import { NativeBuildHost } from "../toolchain/native-build-host.ts";

export type BuilderKind = "vm" | "native";

export interface OpenCompiler {
  compiler: Compiler;
  close(): Promise<void>;
}

export function parseBuilderKind(value: string | boolean | undefined, fallback: BuilderKind = "native"): BuilderKind {
  if (value === undefined) return fallback;
  if (value === "vm" || value === "native") return value;
  throw new Error(`--builder must be vm or native, not '${String(value)}'`);
}

export async function openCompiler(kind: BuilderKind, kbuild: KbuildIndex): Promise<OpenCompiler> {
  if (kind === "native") return { compiler: new NativeBuildHost(kbuild), close: async () => undefined };
  const { machine } = await bootMachine(BUILDER, { snapshot: true });
  return { compiler: new BuildHost(machine, kbuild), close: () => machine.destroy() };
}
