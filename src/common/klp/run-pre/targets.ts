// Where a relocation of the baseline points in the running kernel. Symbols
// are found as the module assembler finds them (module/sympos.ts: globals
// by name, statics by name within the object's STT_FILE block); what no
// symbol table can tell is left to be learned from the running code.
import { SHF_MERGE, SHN_ABS, SHN_UNDEF, STB_LOCAL, STT_FUNC, STT_OBJECT, STT_SECTION } from "../../elf/index.ts";
import { symbolAt, type ObjectModel, type ObjRelocation, type ObjSection, type ObjSymbol } from "../diff/model.ts";
import { KlpModuleError } from "../module/errors.ts";
import { locate, type LocalSymbol, type VmlinuxLocation } from "../module/sympos.ts";
import type { VmlinuxSymbols } from "../module/vmlinux-symbols.ts";
import type { LearnedTarget } from "./types.ts";

/**
 * - `known`: the address S of the relocation's symbol (section symbols: of their section);
 * - `learn`: unknown; `key` names what is learned: the base of a section or
 *   symbol (`base`: the learned value is S), or, in a merged section, the one
 *   constant at `offset` (the learned value is S + offset, as the linker may
 *   have moved each constant on its own).
 */
export type Target =
  | { kind: "known"; address: number; name: string }
  | { kind: "learn"; key: string; name: string; why: LearnedTarget["why"]; base: boolean; offset: number };

/** The object's own statics, which tell its STT_FILE block from another of the same file name (module/sympos.ts). */
export function objectLocals(model: ObjectModel): LocalSymbol[] {
  return model.symbols.filter((s) => s.bind === STB_LOCAL && s.section && (s.type === STT_FUNC || s.type === STT_OBJECT)).map((s) => ({ name: s.name, size: s.size }));
}

export class TargetResolver {
  private readonly locals: LocalSymbol[];
  private readonly cache = new Map<number, Target>();

  constructor(
    private readonly model: ObjectModel,
    private readonly vmlinux: VmlinuxSymbols,
  ) {
    this.locals = objectLocals(model);
  }

  /** Locates a symbol of this object in vmlinux; KlpModuleError when vmlinux has none, or several. */
  locate(symbol: ObjSymbol): VmlinuxLocation {
    return locate(this.vmlinux, symbol.name, symbol.bind === STB_LOCAL, this.model.file, this.locals);
  }

  resolve(r: ObjRelocation): Target {
    const s = r.symbol;
    if (s.type === STT_SECTION && s.section) return this.sectionTarget(s.section, r.addend + r.bias);
    let t = this.cache.get(s.index);
    if (!t) this.cache.set(s.index, (t = this.symbolTarget(s)));
    return t;
  }

  private symbolTarget(s: ObjSymbol): Target {
    if (s.shndx === SHN_ABS) return { kind: "known", address: s.value >>> 0, name: s.name };
    try {
      return { kind: "known", address: this.locate(s).address, name: s.name };
    } catch (e) {
      if (!(e instanceof KlpModuleError)) throw e;
      // An undefined __weak reference vmlinux never defined links to 0; a
      // static GCC renamed or vmlinux repeats: both are for the running code to tell.
      return { kind: "learn", key: `symbol ${s.name}`, name: s.name, why: e.code === "ambiguous-symbol" ? "ambiguous" : "not-in-vmlinux", base: true, offset: 0 };
    }
  }

  /** A section symbol: where the linker put that input section, or the one constant in it. */
  private sectionTarget(section: ObjSection, offset: number): Target {
    if (section.header.flags & SHF_MERGE) {
      return { kind: "learn", key: `merged ${section.index}+${offset}`, name: `${section.name}+0x${offset.toString(16)}`, why: "merged-section", base: false, offset };
    }
    const cached = this.cache.get(-section.index);
    if (cached) return cached.kind === "known" ? { ...cached, name: nameIn(section, offset) } : cached;
    let t: Target = { kind: "learn", key: `section ${section.index}`, name: section.name, why: "anonymous-section", base: true, offset: 0 };
    // An unmerged input section stays whole in vmlinux: any of its symbols
    // places all of it. The one the reference lands in first, as the likeliest to be named.
    const covering = symbolAt(section, offset);
    for (const anchor of [covering, ...section.symbols].filter((x): x is ObjSymbol => x !== undefined && x.name !== "" && x.shndx !== SHN_UNDEF)) {
      try {
        t = { kind: "known", address: (this.locate(anchor).address - anchor.value) >>> 0, name: section.name };
        break;
      } catch (e) {
        if (!(e instanceof KlpModuleError)) throw e;
      }
    }
    this.cache.set(-section.index, t);
    return t.kind === "known" ? { ...t, name: nameIn(section, offset) } : t;
  }
}

/** How a person knows a place in a section: the symbol there ("foo", "foo+0x8"), else the section. */
function nameIn(section: ObjSection, offset: number): string {
  const s = symbolAt(section, offset);
  if (!s) return `${section.name}+0x${offset.toString(16)}`;
  return offset === s.value ? s.name : `${s.name}+0x${(offset - s.value).toString(16)}`;
}
