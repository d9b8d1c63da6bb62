// driver.json: what the kernel's gcc driver runs for each C object (`gcc -###`
// in the build chroot, images/tools/driver-index.ts), so a compiler without
// the driver (the WebAssembly cc1 + as) runs the very same programs.

/** The assembly file between cc1 and as (the driver's /tmp/ccXXXXXX.s, fixed). */
export const DRIVER_ASM_FILE = "/tmp/klp-cc1.s";

export interface DriverCommands {
  /** cc1's arguments (argv[0] left out), relative paths from the tree's root. */
  cc1: string[];
  /** as's arguments; reads DRIVER_ASM_FILE, writes the object at its kbuild path. */
  as: string[];
}

export interface DriverIndex {
  version: 1;
  /** Keyed like KbuildIndex.objects (tree-relative object path). */
  objects: Record<string, DriverCommands>;
}
