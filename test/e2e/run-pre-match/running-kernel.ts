// The running kernel's memory without running it: the committed warm target
// snapshot is v86's saved state (zstd), whose CPU state holds guest RAM as
// its non-zero pages and a bitmap of which pages those are (v86
// src/cpu.js pack_memory). Booted, so ftrace has NOPed its call sites and
// apply_alternatives() has run: the bytes run-pre matching meets on the page.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decompress } from "fzstd";
import { imagesDir, loadManifest } from "../../../src/node/images/store.ts";

/** v86's STATE_MAGIC and the version its restore_state accepts (src/state.js). */
const STATE_MAGIC = 0x86768676;
const STATE_VERSION = 6;
/** Indexes into the CPU's get_state() array: memory size, packed pages, page bitmap (src/cpu.js). */
const MEMORY_SIZE = 0;
const PACKED_MEMORY = 77;
const PAGE_BITMAP = 78;
/** CONFIG_PAGE_OFFSET: vmlinux is linked at physical + 0xc0000000 (VMSPLIT_3G, not relocatable). */
export const PAGE_OFFSET = 0xc0000000;

interface BufferRef {
  __state_type__: string;
  buffer_id: number;
}

export class SnapshotMemory {
  private readonly pages: Int32Array;

  private constructor(
    private readonly packed: Uint8Array,
    pageBitmap: Uint8Array,
    readonly size: number,
  ) {
    this.pages = new Int32Array(size >>> 12).fill(-1);
    let next = 0;
    for (let p = 0; p < this.pages.length; p++) if ((pageBitmap[p >> 3]! >> (p & 7)) & 1) this.pages[p] = next++;
  }

  static fromState(compressed: Uint8Array): SnapshotMemory {
    const raw = decompress(compressed);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (view.getUint32(0, true) !== STATE_MAGIC || view.getInt32(4, true) !== STATE_VERSION) throw new Error("target snapshot: not a v86 version-6 state");
    const infoLength = view.getInt32(12, true);
    const info = JSON.parse(new TextDecoder().decode(raw.subarray(16, 16 + infoLength))) as { buffer_infos: { offset: number; length: number }[]; state: unknown[] };
    const buffersAt = (16 + infoLength + 3) & ~3;
    const buffer = (ref: unknown): Uint8Array => {
      const b = info.buffer_infos[(ref as BufferRef).buffer_id]!;
      return raw.subarray(buffersAt + b.offset, buffersAt + b.offset + b.length);
    };
    return new SnapshotMemory(buffer(info.state[PACKED_MEMORY]), buffer(info.state[PAGE_BITMAP]), info.state[MEMORY_SIZE] as number);
  }

  /** The committed warm target snapshot (manifest artifact `targetState`). */
  static committed(): SnapshotMemory {
    const dir = imagesDir();
    return SnapshotMemory.fromState(readFileSync(join(dir, loadManifest(dir).artifacts.targetState!.file)));
  }

  /** Bytes at a kernel virtual address (lowmem: physical = va - PAGE_OFFSET). */
  read(va: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const pa = va - PAGE_OFFSET + i;
      if (pa < 0 || pa >= this.size) throw new Error(`0x${(va + i).toString(16)} is outside the target's ${this.size >> 20} MB of RAM`);
      const page = this.pages[pa >>> 12]!;
      out[i] = page < 0 ? 0 : this.packed[page * 4096 + (pa & 4095)]!;
    }
    return out;
  }
}
