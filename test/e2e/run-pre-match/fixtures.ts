// Run-pre fixtures: the kernel's own objects (the committed toolchain image's
// build tree) and vmlinux's symbols and layouts from the committed images,
// read as they are now (the images may be rebuilt: nothing here is pinned),
// and a "running kernel" the test links by hand from a
// baseline function (vmlinux's addresses for named targets, made-up ones
// for merged constants), then rewrites as the kernel would at boot.
import {
  encodeRel,
  findSectionByType,
  parseElf32,
  writeElf32,
  R_386_PC32,
  R_386_PLT32,
  SHF_ALLOC,
  SHF_INFO_LINK,
  SHF_MERGE,
  SHF_WRITE,
  SHN_UNDEF,
  SHT_PROGBITS,
  SHT_REL,
  SHT_SYMTAB,
  STB_LOCAL,
  STT_FUNC,
  STT_SECTION,
  type ElfSection,
} from "../../../src/common/elf/index.ts";
import { loadObject, symbolAt, type ObjectModel, type ObjSymbol } from "../../../src/common/klp/diff/model.ts";
import { objectLocals } from "../../../src/common/klp/run-pre/targets.ts";
import { locate, parseKlpLayout, parseVmlinuxSymbols, type KlpLayout, type VmlinuxSymbols } from "../../../src/common/klp/module/index.ts";
import { readArtifact } from "../../../src/node/images/store.ts";
import { ToolchainFiles } from "../../../src/node/images/toolchain-files.ts";

const text = (artifact: string) => new TextDecoder().decode(readArtifact(artifact));

let symbols: VmlinuxSymbols | undefined;
export function vmlinux(): VmlinuxSymbols {
  return (symbols ??= parseVmlinuxSymbols(text("vmlinuxSymbols")));
}

let layout: KlpLayout | undefined;
export function klpLayout(): KlpLayout {
  return (layout ??= parseKlpLayout(text("klpLayout")));
}

let tree: ToolchainFiles | undefined;
const objects = new Map<string, Uint8Array>();

/** The kernel's object as the image built it ("kernel/panic.o"): a fresh copy, free to edit. */
export function baseline(object: string): Uint8Array {
  let data = objects.get(object);
  if (!data) {
    data = (tree ??= new ToolchainFiles()).read(`build/linux/${object}`);
    if (!data) throw new Error(`${object} is not in the toolchain image`);
    objects.set(object, data);
  }
  return data.slice();
}

/** i386's 5-byte NOP (x86_nops[5] on 32-bit), what ftrace leaves at an idle call site. */
export const NOP5 = [0x3e, 0x8d, 0x74, 0x26, 0x00];

export interface HandLinked {
  address: number;
  bytes: Uint8Array;
  /** The made-up address of each merged constant ("<section>+0x<offset>"), as run-pre matching names what it learns. */
  invented: Map<string, number>;
  /** Offsets (from the function's start) of the relocated fields, with what they point at. */
  fields: { offset: number; pc: boolean; target: string }[];
  model: ObjectModel;
  symbol: ObjSymbol;
}

/**
 * Links `fn` of `object` at the address vmlinux has it, as ld did: S + A or
 * S + A - P, S from vmlinux for every named target and for sections that
 * hold one; a merged string or constant gets its `preset` address, else one
 * from `inventedBase` up, which only the running bytes can tell (so run-pre
 * must learn it).
 */
export function linkByHand(object: Uint8Array, fn: string, options: { inventedBase?: number; preset?: ReadonlyMap<string, number> } = {}): HandLinked {
  const model = loadObject(parseElf32(object), "baseline");
  const symbol = model.symbols.find((s) => s.name === fn && s.type === STT_FUNC && s.section);
  if (!symbol?.section) throw new Error(`${fn} is not in the object`);
  const at = (s: ObjSymbol) => locate(vmlinux(), s.name, s.bind === STB_LOCAL, model.file, objectLocals(model)).address;
  const address = at(symbol);
  const section = symbol.section;
  const bytes = section.header.data.slice(symbol.value, symbol.value + symbol.size);
  const view = new DataView(bytes.buffer);
  const invented = new Map<string, number>();
  const fields: HandLinked["fields"] = [];
  let next = options.inventedBase ?? 0xc7f00000;
  for (const r of section.relocations) {
    const offset = r.offset - symbol.value;
    if (offset < 0 || offset >= symbol.size) continue;
    const s = r.symbol;
    let S: number;
    let target: string;
    if (s.type === STT_SECTION && s.section && s.section.header.flags & SHF_MERGE) {
      const key = `${s.section.name}+0x${(r.addend + r.bias).toString(16)}`;
      if (!invented.has(key)) invented.set(key, options.preset?.get(key) ?? (next += 0x40));
      S = invented.get(key)! - (r.addend + r.bias);
      target = key;
    } else if (s.type === STT_SECTION && s.section) {
      const named = symbolAt(s.section, r.addend + r.bias) ?? s.section.symbols[0];
      if (!named) throw new Error(`${fn}+0x${offset.toString(16)}: ${s.section.name} has no symbol to place it by; choose another function`);
      S = at(named) - named.value;
      target = named.name;
    } else {
      S = s.shndx === SHN_UNDEF || s.section ? at(s) : s.value;
      target = s.name;
    }
    const pc = r.type === R_386_PC32 || r.type === R_386_PLT32;
    const P = address + offset;
    view.setUint32(offset, (pc ? S + r.addend - P : S + r.addend) >>> 0, true);
    fields.push({ offset, pc, target });
  }
  return { address, bytes, invented, fields, model, symbol };
}

/** Rewrites as ftrace does at boot: the `call __fentry__` at the entry becomes a 5-byte NOP. */
export function nopFentry(linked: HandLinked): void {
  const call = linked.symbol.section!.relocations.find((r) => r.symbol.name === "__fentry__" && r.offset - 1 === linked.symbol.value);
  if (!call) throw new Error(`${linked.symbol.name} has no __fentry__ call at its entry`);
  linked.bytes.set(NOP5, 0);
}

/**
 * Rewrites as apply_alternatives() does when the CPU has every feature: each
 * site of the function gets its replacement, padded with NOPs to instrlen.
 * Returns the sites, offsets from the function's start.
 */
export function applyAlternatives(linked: HandLinked): { offset: number; length: number }[] {
  const { model, symbol } = linked;
  const table = model.sections.find((s) => s.name === ".altinstructions");
  if (!table) return [];
  const size = klpLayout().alt_instr.size;
  const sites: { offset: number; length: number }[] = [];
  for (let e = 0; e < table.header.size; e += size) {
    const site = table.relocations.find((r) => r.offset === e);
    const repl = table.relocations.find((r) => r.offset === e + 4);
    if (!site || !repl || site.symbol.section !== symbol.section) continue;
    const offset = site.addend - symbol.value;
    if (offset < 0 || offset >= symbol.size) continue;
    const instrlen = table.header.data[e + size - 2]!;
    const replacementlen = table.header.data[e + size - 1]!;
    const code = repl.symbol.section!.header.data.subarray(repl.addend, repl.addend + replacementlen);
    linked.bytes.fill(0x90, offset, offset + instrlen);
    linked.bytes.set(code, offset);
    sites.push({ offset, length: instrlen });
  }
  return sites;
}

/** A reader of `linked`'s bytes at its address, for runPreMatch; nothing else is mapped. */
export function kernelOf(...linked: HandLinked[]): (va: number, length: number) => Promise<Uint8Array> {
  return async (va, length) => {
    const f = linked.find((l) => va >= l.address && va + length <= l.address + l.bytes.length);
    if (!f) throw new Error(`nothing mapped at 0x${va.toString(16)}`);
    return f.bytes.slice(va - f.address, va - f.address + length);
  };
}

/**
 * The object with a __jump_table added (struct jump_entry {s32 code; s32
 * target; long key;}, 12 bytes): this kernel is built without jump labels,
 * so the table is made here, one entry per site of `fn` given.
 */
export function withJumpTable(object: Uint8Array, fn: string, sites: readonly number[]): Uint8Array {
  const elf = parseElf32(object);
  const symtab = findSectionByType(elf, SHT_SYMTAB);
  const model = loadObject(elf, "baseline");
  const symbol = model.symbols.find((s) => s.name === fn && s.type === STT_FUNC && s.section)!;
  const data = new Uint8Array(sites.length * 12);
  const view = new DataView(data.buffer);
  const relocations = sites.flatMap((_, i) => [
    { offset: i * 12, type: R_386_PC32, symbol: symbol.index, addend: 0 },
    { offset: i * 12 + 4, type: R_386_PC32, symbol: symbol.index, addend: 0 },
  ]);
  // REL, so the addends live in the entries, relative to the function symbol:
  // code = the site, target = just after it (any place will do), key left 0.
  sites.forEach((site, i) => {
    view.setInt32(i * 12, site, true);
    view.setInt32(i * 12 + 4, site + 2, true);
  });
  const table: ElfSection = { name: "__jump_table", type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, addr: 0, offset: 0, size: data.length, link: 0, info: 0, addralign: 4, entsize: 0, data };
  elf.sections.push(table);
  const rel = encodeRel(relocations);
  elf.sections.push({ name: ".rel__jump_table", type: SHT_REL, flags: SHF_INFO_LINK, addr: 0, offset: 0, size: rel.length, link: symtab, info: elf.sections.length - 1, addralign: 4, entsize: 8, data: rel });
  return writeElf32(elf, { rebuildShstrtab: true });
}
