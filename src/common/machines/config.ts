import type { ImagesManifest } from "../images/manifest.ts";
import type { MachineProfile } from "./profiles.ts";
import type { MachineConfig } from "../../machine/machine.ts";

/** Reads one artifact (decoded) by its manifest name: fetch in a browser, fs in Node. */
export type ArtifactReader = (name: string) => Promise<ArrayBuffer>;

export interface ConfigLocations {
  wasmPath: string;
  /** Where public/images is: a URL prefix in a browser, a directory in Node (ending with "/"). */
  imagesBase: string;
}

/** The one place that says what a machine boots from; the page and Node both use it. */
export async function machineConfigFrom(
  manifest: ImagesManifest,
  profile: MachineProfile,
  read: ArtifactReader,
  where: ConfigLocations,
): Promise<MachineConfig> {
  const [bios, vgaBios, bzImage, initrd] = await Promise.all(["bios", "vgaBios", "bzImage", "initramfs"].map(read));
  const config: MachineConfig = {
    memoryMB: profile.memoryMB,
    cmdline: profile.cmdline,
    bios: bios!,
    vgaBios: vgaBios!,
    bzImage: bzImage!,
    initrd: initrd!,
    wasmPath: where.wasmPath,
  };
  if (profile.role === "builder") {
    const basefs = where.imagesBase + manifest.toolchain.basefs;
    config.filesystem = { basefs, baseurl: basefs.replace(/[^/]*$/, "") + "files/" };
  }
  return config;
}
