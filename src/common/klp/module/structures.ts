// The module's own parts, written as bytes for OUR kernel's layouts
// (klp-layout.json): klp_func[] -> klp_object[] -> klp_patch, struct module
// (.gnu.linkonce.this_module), .modinfo, and the init/exit functions.
import { R_386_32, R_386_PC32, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHN_UNDEF, SHT_PROGBITS, STB_GLOBAL, STB_LOCAL, STT_FUNC, STT_NOTYPE, STT_OBJECT } from "../../elf/index.ts";
import type { ElfBuilder } from "../../elf/index.ts";
import type { KlpLayout } from "./layout.ts";

export interface PatchedFunction {
  /** Name in vmlinux: klp_func.old_name. */
  oldName: string;
  old_sympos: number;
  /** Symbol index (builder) of the new function: klp_func.new_func. */
  newFunc: number;
}

/** A klp_object.callbacks slot: where in the klp_object, and the function it points to. */
export interface Callback {
  offset: number;
  symbol: number;
  addend: number;
}

const encoder = new TextEncoder();

function u32(data: Uint8Array, at: number, value: number): void {
  new DataView(data.buffer, data.byteOffset, data.byteLength).setUint32(at, value >>> 0, true);
}

/** klp_func[n+1], klp_object[2] (vmlinux only), klp_patch; returns the klp_patch symbol. */
export function addKlpStructures(
  b: ElfBuilder,
  layout: KlpLayout,
  funcs: readonly PatchedFunction[],
  thisModule: number,
  replace = false,
  callbacks: readonly Callback[] = [],
): number {
  // old_name strings.
  const names: number[] = [];
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (const f of funcs) {
    names.push(size);
    const bytes = encoder.encode(`${f.oldName}\0`);
    chunks.push(bytes);
    size += bytes.length;
  }
  const nameData = new Uint8Array(size);
  chunks.reduce((at, c) => (nameData.set(c, at), at + c.length), 0);
  const nameSec = b.addSection({ name: ".rodata.klp_names", type: SHT_PROGBITS, flags: SHF_ALLOC, addralign: 1, data: nameData });

  const F = layout.klp_func;
  const funcData = new Uint8Array(F.size * (funcs.length + 1)); // zeroed terminator
  const funcSec = b.addSection({ name: ".data.klp_funcs", type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, addralign: F.align, data: funcData });
  funcs.forEach((f, i) => {
    const at = i * F.size;
    b.relocate(funcSec, { offset: at + F.old_name, type: R_386_32, symbol: b.sectionSymbol(nameSec), addend: names[i]! });
    b.relocate(funcSec, { offset: at + F.new_func, type: R_386_32, symbol: f.newFunc, addend: 0 });
    u32(funcData, at + F.old_sympos, f.old_sympos);
  });

  const O = layout.klp_object;
  // objs[0]: name NULL = vmlinux; objs[1]: terminator.
  const objSec = b.addSection({ name: ".data.klp_objects", type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, addralign: O.align, data: new Uint8Array(O.size * 2) });
  b.relocate(objSec, { offset: O.funcs, type: R_386_32, symbol: b.sectionSymbol(funcSec), addend: 0 });
  for (const c of callbacks) b.relocate(objSec, { offset: c.offset, type: R_386_32, symbol: c.symbol, addend: c.addend });

  const P = layout.klp_patch;
  const patchData = new Uint8Array(P.size);
  // bool replace: the livepatch core then disables and frees every patch loaded before this one.
  if (replace) patchData[P.replace] = 1;
  const patchSec = b.addSection({ name: ".data.klp_patch", type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, addralign: P.align, data: patchData });
  b.relocate(patchSec, { offset: P.mod, type: R_386_32, symbol: thisModule, addend: 0 });
  b.relocate(patchSec, { offset: P.objs, type: R_386_32, symbol: b.sectionSymbol(objSec), addend: 0 });
  return b.addSymbol({ name: "klp_patch", value: 0, size: P.size, bind: STB_LOCAL, type: STT_OBJECT, visibility: 0, shndx: patchSec });
}

/**
 * init_module: `return klp_enable_patch(&klp_patch);`, hand-assembled.
 * -mregparm=3: the first argument goes in %eax, the result comes back in
 * %eax. A frame (push %ebp) keeps the frame-pointer unwinder happy.
 */
export function addInitExit(b: ElfBuilder, patch: number): { init: number; exit: number } {
  const init = new Uint8Array([
    0x55, //                         push %ebp
    0x89, 0xe5, //                   mov  %esp,%ebp
    0xb8, 0, 0, 0, 0, //             mov  $klp_patch,%eax      (R_386_32 at 4)
    0xe8, 0, 0, 0, 0, //             call klp_enable_patch     (R_386_PC32 at 9, addend -4)
    0x5d, //                         pop  %ebp
    0xc3, //                         ret
  ]);
  const initSec = b.addSection({ name: ".text.klp_init", type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR, addralign: 4, data: init });
  const enable = b.addSymbol({ name: "klp_enable_patch", value: 0, size: 0, bind: STB_GLOBAL, type: STT_NOTYPE, visibility: 0, shndx: SHN_UNDEF });
  b.relocate(initSec, { offset: 4, type: R_386_32, symbol: patch, addend: 0 });
  b.relocate(initSec, { offset: 9, type: R_386_PC32, symbol: enable, addend: -4 });
  const initSym = b.addSymbol({ name: "init_module", value: 0, size: init.length, bind: STB_GLOBAL, type: STT_FUNC, visibility: 0, shndx: initSec });
  // cleanup_module: nothing to do (the livepatch core disabled the patch
  // before rmmod is allowed), but without an exit function the module could
  // never be unloaded.
  const exitSec = b.addSection({ name: ".text.klp_exit", type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR, addralign: 4, data: new Uint8Array([0xc3]) });
  const exitSym = b.addSymbol({ name: "cleanup_module", value: 0, size: 1, bind: STB_GLOBAL, type: STT_FUNC, visibility: 0, shndx: exitSec });
  return { init: initSym, exit: exitSym };
}

/** struct module __this_module: name, init, exit; all else zero, as modpost's .mod.c leaves it. */
export function addThisModule(b: ElfBuilder, layout: KlpLayout, name: string): { section: number; symbol: number } {
  const M = layout.module;
  const data = new Uint8Array(M.size);
  data.set(encoder.encode(name), M.name);
  const section = b.addSection({ name: ".gnu.linkonce.this_module", type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, addralign: M.align, data });
  const symbol = b.addSymbol({ name: "__this_module", value: 0, size: M.size, bind: STB_GLOBAL, type: STT_OBJECT, visibility: 0, shndx: section });
  return { section, symbol };
}

export function setModuleInitExit(b: ElfBuilder, layout: KlpLayout, section: number, init: number, exit: number): void {
  b.relocate(section, { offset: layout.module.init, type: R_386_32, symbol: init, addend: 0 });
  b.relocate(section, { offset: layout.module.exit, type: R_386_32, symbol: exit, addend: 0 });
}

/** .modinfo: livepatch=Y makes the loader treat it as a live patch (and keep its .klp.rela sections). */
export function addModinfo(b: ElfBuilder, entries: Record<string, string>): void {
  const data = encoder.encode(Object.entries(entries).map(([k, v]) => `${k}=${v}\0`).join(""));
  b.addSection({ name: ".modinfo", type: SHT_PROGBITS, flags: SHF_ALLOC, addralign: 1, data });
}
