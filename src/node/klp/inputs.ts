// What every klp build needs from the committed images, loaded once per
// process: kbuild's index, vmlinux's symbols and exports, the measured struct
// layouts, and the pristine kernel tree (read lazily out of the toolchain image).
import { parseKlpLayout, parseModuleSymvers, parseVmlinuxSymbols, type KlpLayout, type VmlinuxSymbols } from "../../common/klp/module/index.ts";
import type { KbuildIndex } from "../../common/kbuild/index-format.ts";
import { readArtifact } from "../images/store.ts";
import { loadKbuildIndex, ToolchainFiles } from "../images/toolchain-files.ts";

export interface KlpInputs {
  kbuild: KbuildIndex;
  files: ToolchainFiles;
  vmlinux: VmlinuxSymbols;
  layout: KlpLayout;
  exported: ReadonlySet<string>;
  /** A pristine file of the kernel tree, by tree-relative path. */
  readPristine: (path: string) => string | undefined;
}

let cached: KlpInputs | undefined;

export function loadKlpInputs(): KlpInputs {
  if (cached) return cached;
  const decode = (b: Uint8Array): string => new TextDecoder().decode(b);
  const files = new ToolchainFiles();
  const kbuild = loadKbuildIndex();
  const layout = parseKlpLayout(decode(readArtifact("klpLayout")));
  if (layout.kernelRelease !== kbuild.kernelRelease) {
    throw new Error(`the images disagree: klp-layout is for ${layout.kernelRelease}, kbuild.json for ${kbuild.kernelRelease}; rebuild them with npm run images`);
  }
  const symvers = files.read("build/linux/Module.symvers");
  if (!symvers) throw new Error("the toolchain image lacks build/linux/Module.symvers");
  const texts = new Map<string, string | undefined>();
  cached = {
    kbuild,
    files,
    vmlinux: parseVmlinuxSymbols(decode(readArtifact("vmlinuxSymbols"))),
    layout,
    exported: parseModuleSymvers(decode(symvers)),
    readPristine(path) {
      if (!texts.has(path)) {
        let data: Uint8Array | undefined;
        try {
          data = files.read(`build/linux/${path}`);
        } catch {
          data = undefined; // a directory, or an entry without contents
        }
        texts.set(path, data && decode(data));
      }
      return texts.get(path);
    },
  };
  return cached;
}
