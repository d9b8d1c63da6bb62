// kbuild.json: what the image script learned from the kernel build, for the
// pipeline's plan and compile stages (written by images/tools/kbuild-index.ts).

/** Where an object ends up: only vmlinux (and module) code can be live patched. */
export type ObjectKind = "vmlinux" | "module" | "boot";

export interface KbuildObject {
  /** Source file, relative to the tree (e.g. fs/proc/cmdline.c). */
  source: string;
  /** kbuild's exact command line, to be run from the tree's root. */
  command: string;
  kind: ObjectKind;
  language: "c" | "asm" | "other";
  /** Indices into KbuildIndex.headers: every file the compile read (kbuild's -MMD data). */
  deps: number[];
}

export interface KbuildIndex {
  version: 1;
  kernelRelease: string;
  /** Absolute path of the tree in the build chroot and in the build-host VM. */
  treePath: string;
  headers: string[];
  /** Keyed by object path relative to the tree (e.g. fs/proc/cmdline.o). */
  objects: Record<string, KbuildObject>;
}
