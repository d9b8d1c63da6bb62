// One function's machine code out of a relocatable object, with every
// relocated field zeroed and the relocation described by what it points at
// ("saved_command_line", "\"%s\\n\"", "seq_putc"): the form in which two
// builds of a function can be compared, and shown.
import { parseElf32, relocationWidth, STT_FUNC } from "../elf/index.ts";
import { loadObject, type ObjSymbol } from "../klp/diff/model.ts";
import { contentsOf } from "../klp/diff/compare.ts";
import { isPcRelative, resolveReference } from "../klp/diff/references.ts";
import { stableName } from "../klp/diff/names.ts";

export interface CodeRelocation {
  /** Offset in the function. */
  offset: number;
  width: number;
  pcRelative: boolean;
  /** What it points at, for people. */
  target: string;
  /** The same, with the names two builds may number differently made stable. */
  key: string;
}

export interface FunctionCode {
  name: string;
  /** The code, relocated fields zeroed. */
  bytes: Uint8Array;
  relocations: CodeRelocation[];
}

const plus = (n: number): string => (n === 0 ? "" : n > 0 ? `+0x${n.toString(16)}` : `-0x${(-n).toString(16)}`);

function describeFunction(s: ObjSymbol): FunctionCode {
  const c = contentsOf(s);
  const bytes = c.bytes.slice();
  const relocations: CodeRelocation[] = c.relocations.map((r) => {
    const offset = r.offset - c.base;
    const width = relocationWidth(r.type);
    bytes.fill(0, offset, offset + width);
    const ref = resolveReference(r);
    const at = ref.addend + r.bias;
    let target: string;
    let key: string;
    switch (ref.kind) {
      case "symbol":
        target = `${ref.symbol.name}${plus(at)}`;
        key = `${stableName(ref.symbol.name)}${plus(at)}`;
        break;
      case "string": {
        const text = ref.text.length > 40 ? `${ref.text.slice(0, 40)}…` : ref.text;
        target = JSON.stringify(text);
        key = `str:${ref.text}`;
        break;
      }
      case "section":
        target = `${ref.section.name}${plus(at)}`;
        key = `${ref.section.name.replace(/\.\d+$/, "")}${plus(at)}`;
        break;
    }
    return { offset, width, pcRelative: isPcRelative(r.type), target, key };
  });
  return { name: s.name, bytes, relocations };
}

/**
 * The code of function `name` in the object, or undefined when it has none.
 * A GCC clone renumbered between builds (foo.isra.0 / foo.isra.1) is found by
 * its stable name.
 */
export function functionCode(object: Uint8Array, name: string): FunctionCode | undefined {
  const model = loadObject(parseElf32(object), "the object");
  const defined = model.symbols.filter((s) => s.type === STT_FUNC && s.section);
  const s = defined.find((x) => x.name === name) ?? defined.find((x) => stableName(x.name) === stableName(name));
  return s ? describeFunction(s) : undefined;
}
