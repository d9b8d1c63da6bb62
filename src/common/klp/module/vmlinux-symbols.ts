// vmlinux-symbols.json: vmlinux's symbol table in kallsyms order, written at
// image-build time by images/tools/vmlinux-symbols.ts. The assembler uses it
// to tell whether a symbol exists in vmlinux and to compute `sympos`, the
// position of a symbol among same-named ones that the livepatch core uses
// to pick the right static (Documentation/livepatch/module-elf-format.rst).
import { STB_LOCAL } from "../../elf/index.ts";

/** [name, value, size, STT_*, STB_*, index into `files` of the STT_FILE a local follows, or -1]. */
export type VmlinuxSymbolRow = [string, number, number, number, number, number];

export interface VmlinuxSymbolsFile {
  version: 1;
  kernelRelease: string;
  /** STT_FILE names (source basenames, e.g. "cmdline.c"). */
  files: string[];
  /** Sorted like kallsyms: by address, then symtab order. */
  symbols: VmlinuxSymbolRow[];
}

export interface VmlinuxSymbol {
  name: string;
  value: number;
  size: number;
  type: number;
  bind: number;
  /** The STT_FILE this local symbol follows in vmlinux's symtab; undefined for globals. */
  file: string | undefined;
  /**
   * Which STT_FILE block it is in (index into `files`), -1 for globals: two
   * objects may share a file name (arch/x86/events/{amd,intel}/lbr.c).
   */
  block: number;
  /** 1-based position among the symbols of this name, in kallsyms order. */
  position: number;
  /** How many vmlinux symbols carry this name. */
  count: number;
}

/** Indexed view of vmlinux-symbols.json. */
export class VmlinuxSymbols {
  private readonly byName = new Map<string, VmlinuxSymbol[]>();
  private readonly blocks = new Map<number, Map<string, number>>();

  constructor(readonly data: VmlinuxSymbolsFile) {
    for (const [name, value, size, type, bind, file] of data.symbols) {
      let list = this.byName.get(name);
      if (!list) this.byName.set(name, (list = []));
      list.push({ name, value, size, type, bind, file: file >= 0 ? data.files[file] : undefined, block: file, position: list.length + 1, count: 0 });
      if (file >= 0) {
        let names = this.blocks.get(file);
        if (!names) this.blocks.set(file, (names = new Map()));
        names.set(name, size);
      }
    }
    for (const list of this.byName.values()) for (const s of list) s.count = list.length;
  }

  get kernelRelease(): string {
    return this.data.kernelRelease;
  }

  /** Every vmlinux symbol of this name, in kallsyms order. */
  named(name: string): readonly VmlinuxSymbol[] {
    return this.byName.get(name) ?? [];
  }

  /** Names (and sizes) of the local symbols of one STT_FILE block. */
  blockSymbols(block: number): ReadonlyMap<string, number> {
    return this.blocks.get(block) ?? new Map();
  }

  /** Local symbols of this name that follow the STT_FILE `file`. */
  localsIn(name: string, file: string): VmlinuxSymbol[] {
    return this.named(name).filter((s) => s.bind === STB_LOCAL && s.file === file);
  }
}

export function parseVmlinuxSymbols(json: string): VmlinuxSymbols {
  const data = JSON.parse(json) as VmlinuxSymbolsFile;
  if (data.version !== 1 || !Array.isArray(data.symbols) || !Array.isArray(data.files)) {
    throw new Error("vmlinux-symbols.json: unexpected format (expected version 1 with files and symbols)");
  }
  return new VmlinuxSymbols(data);
}
