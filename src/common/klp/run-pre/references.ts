// One relocated field of a replaced function: what the linker would have
// written there, against what the running kernel has. A target vmlinux
// places is checked; one it cannot is learned the first time it is met and
// checked at every later reference (Ksplice's run-pre matching).
import type { ObjRelocation } from "../diff/model.ts";
import { differsAt, hex } from "./describe.ts";
import type { LearnedTargets } from "./learned.ts";
import { FIELD_SIZE, fieldValue, isPcRelative, readU32, symbolFromField, u32Bytes } from "./link.ts";
import type { Target } from "./targets.ts";
import type { RunPreMismatch } from "./types.ts";

export interface Field {
  function: string;
  /** Offset of the field from the function's start. */
  at: number;
  /** The field's runtime address. */
  P: number;
  relocation: ObjRelocation;
  /** The running function's bytes. */
  found: Uint8Array;
}

export function checkReference(field: Field, target: Target, learned: LearnedTargets): RunPreMismatch | undefined {
  const { at, P, relocation: r, found } = field;
  const value = readU32(found, at);
  // Where a field leads (a call's destination, a pointer's address): comparable across both types, and what a person can look up.
  const leadsTo = (v: number) => (symbolFromField(r.type, v, r.addend, P) + r.addend + r.bias) >>> 0;
  const mismatch = (expected: number, kind: RunPreMismatch["kind"], says: string): RunPreMismatch => ({
    function: field.function,
    offset: at,
    expected: u32Bytes(expected),
    found: found.slice(at, at + FIELD_SIZE),
    kind,
    detail: `${differsAt(field.function, at)}: ${says}`,
  });

  if (target.kind === "known") {
    const expected = fieldValue(r.type, target.address, r.addend, P);
    if (expected === value) return undefined;
    const what = isPcRelative(r.type) ? "call or jump" : "reference";
    return mismatch(expected, "reference", `its ${what} to ${target.name} should lead to ${hex(leadsTo(expected))}, the running kernel's leads to ${hex(leadsTo(value))}`);
  }

  const S = symbolFromField(r.type, value, r.addend, P);
  const address = (target.base ? S : S + target.offset) >>> 0;
  const known = learned.get(target.key);
  if (!known) {
    learned.learn(target.key, { target: target.name, address, why: target.why, from: { function: field.function, offset: at } });
    return undefined;
  }
  if (known.address === address) {
    known.uses++;
    return undefined;
  }
  const expected = fieldValue(r.type, (target.base ? known.address : known.address - target.offset) >>> 0, r.addend, P);
  return mismatch(
    expected,
    "learned",
    `its reference to ${target.name} leads to ${hex(leadsTo(value))}, but the reference at ${known.from.function}+${hex(known.from.offset)} ` +
      `puts that target where this one would lead to ${hex(leadsTo(expected))}`,
  );
}
