import type { ImagesManifest } from "../images/manifest.ts";
import type { MachineProfile } from "./profiles.ts";
import { basefsFilesBase } from "../images/basefs.ts";
import type { MachineConfig } from "../../machine/machine.ts";

/** Reads one artifact (decoded) by its manifest name: fetch in a browser, fs in Node. */
export type ArtifactReader = (name: string) => Promise<ArrayBuffer>;

export interface ConfigLocations {
  wasmPath: string;
  /** Where public/images is: a URL prefix in a browser, a directory in Node (ending with "/"). */
  imagesBase: string;
}

/**
 * The one place that says what a machine starts from; the page and Node both
 * use it. With `resume`, and a warm snapshot in the images, the machine
 * resumes it: the kernel and initramfs are then not even downloaded.
 */
export async function machineConfigFrom(
  manifest: ImagesManifest,
  profile: MachineProfile,
  read: ArtifactReader,
  where: ConfigLocations,
  options: { resume?: boolean } = {},
): Promise<MachineConfig> {
  const state = `${profile.role}State`;
  const resume = options.resume === true && manifest.artifacts[state] !== undefined;
  const names = resume ? ["bios", "vgaBios", state] : ["bios", "vgaBios", "bzImage", "initramfs"];
  const [bios, vgaBios, third, fourth] = await Promise.all(names.map(read));
  const config: MachineConfig = {
    memoryMB: profile.memoryMB,
    cmdline: profile.cmdline,
    bios: bios!,
    vgaBios: vgaBios!,
    wasmPath: where.wasmPath,
  };
  if (resume) config.initialState = third!;
  else {
    config.bzImage = third!;
    config.initrd = fourth!;
  }
  if (profile.role === "builder") {
    const basefs = where.imagesBase + manifest.toolchain.basefs;
    config.filesystem = { basefs, baseurl: basefsFilesBase(basefs) };
  }
  return config;
}
