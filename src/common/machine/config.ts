import type { ImagesManifest } from "../images/manifest.ts";
import type { MachineProfile } from "./profiles.ts";
import { basefsFilesBase } from "../images/basefs.ts";

/** Everything a machine boots from; buffers so it works the same in Node and in a worker. */
export interface MachineConfig {
  memoryMB: number;
  cmdline: string;
  bios: ArrayBuffer;
  vgaBios: ArrayBuffer;
  /** Kernel and initramfs to boot; not needed when resuming initialState (they are in its memory). */
  bzImage?: ArrayBuffer;
  initrd?: ArrayBuffer;
  /** Where v86.wasm lives (a file path in Node, a URL in the browser). */
  wasmPath: string;
  /** v86 9p filesystem: a basefs JSON index and the base of its content-addressed files. */
  filesystem?: { basefs: string; baseurl: string };
  /**
   * A saved state (zstd or raw) to resume instead of booting. It must come
   * from a machine started with the same config and the same v86 version.
   */
  initialState?: ArrayBuffer;
}

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
