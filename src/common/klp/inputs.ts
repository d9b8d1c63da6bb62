// What every klp build needs besides the patch and a compiler: kbuild's
// index, vmlinux's symbols and exports, and the struct layouts measured on
// our kernel. The page's worker fetches the texts and Node reads them from
// disk; both hand them here, so both parse them the same way and refuse
// images whose parts describe different kernels.
import type { KbuildIndex } from "../kbuild/index-format.ts";
import { parseKlpLayout, parseModuleSymvers, parseVmlinuxSymbols, type KlpLayout, type VmlinuxSymbols } from "./module/index.ts";

/** The images' texts, as read: kbuild.json, vmlinux-symbols.json, klp-layout.json and the build tree's Module.symvers. */
export interface KlpInputTexts {
  kbuild: string;
  vmlinuxSymbols: string;
  klpLayout: string;
  /** undefined when the toolchain image has no build/linux/Module.symvers. */
  moduleSymvers: string | undefined;
}

export interface KlpInputs {
  kbuild: KbuildIndex;
  vmlinux: VmlinuxSymbols;
  layout: KlpLayout;
  /** vmlinux's exports (Module.symvers). */
  exported: ReadonlySet<string>;
}

export class KlpInputsError extends Error {
  override readonly name = "KlpInputsError";
}

export function parseKlpInputs(texts: KlpInputTexts): KlpInputs {
  const kbuild = JSON.parse(texts.kbuild) as KbuildIndex;
  const layout = parseKlpLayout(texts.klpLayout);
  const vmlinux = parseVmlinuxSymbols(texts.vmlinuxSymbols);
  // A module built against one kernel's layouts and symbols and loaded into another would misread them.
  for (const [what, release] of [
    ["klp-layout.json", layout.kernelRelease],
    ["vmlinux-symbols.json", vmlinux.kernelRelease],
  ] as const) {
    if (release !== kbuild.kernelRelease) {
      throw new KlpInputsError(`the images disagree: ${what} is for ${release}, kbuild.json for ${kbuild.kernelRelease}; rebuild them with npm run images`);
    }
  }
  if (texts.moduleSymvers === undefined) throw new KlpInputsError("the toolchain image lacks build/linux/Module.symvers");
  return { kbuild, vmlinux, layout, exported: parseModuleSymvers(texts.moduleSymvers) };
}
