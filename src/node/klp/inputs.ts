// What every klp build needs from the committed images (src/common/klp/inputs.ts),
// read from disk once per process, and the pristine kernel tree, read lazily
// out of the toolchain image.
import { parseKlpInputs, type KlpInputs as CommonKlpInputs } from "../../common/klp/inputs.ts";
import { readArtifact } from "../images/store.ts";
import { ToolchainFiles } from "../images/toolchain-files.ts";

export interface KlpInputs extends CommonKlpInputs {
  files: ToolchainFiles;
  /** A pristine file of the kernel tree, by tree-relative path. */
  readPristine: (path: string) => string | undefined;
}

let cached: KlpInputs | undefined;

export function loadKlpInputs(): KlpInputs {
  if (cached) return cached;
  const decode = (b: Uint8Array): string => new TextDecoder().decode(b);
  const files = new ToolchainFiles();
  const symvers = files.read("build/linux/Module.symvers");
  const pristine = new Map<string, string | undefined>();
  cached = {
    ...parseKlpInputs({
      kbuild: decode(readArtifact("kbuild")),
      vmlinuxSymbols: decode(readArtifact("vmlinuxSymbols")),
      klpLayout: decode(readArtifact("klpLayout")),
      moduleSymvers: symvers && decode(symvers),
    }),
    files,
    readPristine(path) {
      if (!pristine.has(path)) {
        let data: Uint8Array | undefined;
        try {
          data = files.read(`build/linux/${path}`);
        } catch {
          data = undefined; // a directory, or an entry without contents
        }
        pristine.set(path, data && decode(data));
      }
      return pristine.get(path);
    },
  };
  return cached;
}
