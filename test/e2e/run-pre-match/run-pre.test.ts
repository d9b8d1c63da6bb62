// In the e2e project: it reads the committed images (kernel objects, vmlinux
// symbols, the target snapshot's memory), which the unit project must not.
// Ksplice's run-pre matching over real kernel objects: against a running
// kernel the test links by hand (so every byte is known), and against the
// booted target's memory in the committed warm snapshot. Addresses come from
// the committed images, never from here.
import { beforeAll, describe, expect, it } from "vitest";
import { parseElf32, SHN_UNDEF, STB_LOCAL, STB_WEAK, STT_FUNC } from "../../../src/common/elf/index.ts";
import { loadObject } from "../../../src/common/klp/diff/model.ts";
import { refusalOf, runPreMatch, RunPreError, type RunPreResult } from "../../../src/common/klp/run-pre/index.ts";
import { loadX86Decoder } from "../../../src/node/disasm.ts";
import { applyAlternatives, baseline, kernelOf, klpLayout, linkByHand, NOP5, nopFentry, vmlinux, withJumpTable, type HandLinked } from "./fixtures.ts";
import { SnapshotMemory } from "./running-kernel.ts";

/** Three shapes: strings and a global (`__warn`), CPU-feature alternatives in a static (`filldir64`), a static whose every string is used twice (`mode_store`). */
const CASES = [
  { object: "kernel/panic.o", fn: "__warn" },
  { object: "fs/readdir.o", fn: "filldir64" },
  { object: "kernel/reboot.o", fn: "mode_store" },
] as const;

function booted(linked: HandLinked): HandLinked {
  nopFentry(linked);
  applyAlternatives(linked);
  return linked;
}

function match(object: string | Uint8Array, fn: string | string[], readKernel: (va: number, n: number) => Promise<Uint8Array>): Promise<RunPreResult> {
  const bytes = typeof object === "string" ? baseline(object) : object;
  return runPreMatch({ baseline: bytes, functions: typeof fn === "string" ? [fn] : fn, vmlinux: vmlinux(), readKernel, layout: klpLayout(), object: typeof object === "string" ? object : "the baseline" });
}

/** An offset whose byte no relocation and no rewritten site covers, near the middle. */
function plainByte(linked: HandLinked, result: RunPreResult): number {
  const covered = new Set<number>();
  for (const f of linked.fields) for (let i = 0; i < 4; i++) covered.add(f.offset + i);
  for (const s of result.checked[0]!.skipped) for (let i = 0; i < s.length; i++) covered.add(s.offset + i);
  const size = linked.bytes.length;
  for (let d = 0; d < size; d++) {
    const at = (Math.floor(size / 2) + d) % size;
    if (!covered.has(at)) return at;
  }
  throw new Error("no plain byte");
}

describe("run-pre matching against a kernel linked by hand", () => {
  it.each(CASES)("$fn of $object, linked at vmlinux's address, ftrace NOPed and alternatives applied, matches; merged strings are learned", async ({ object, fn }) => {
    const linked = booted(linkByHand(baseline(object), fn));
    const r = await match(object, fn, kernelOf(linked));
    expect(r.mismatches).toEqual([]);
    expect(refusalOf(r)).toBeUndefined();
    expect(r.checked).toEqual([expect.objectContaining({ name: fn, address: linked.address, size: linked.bytes.length, matches: true, omitted: 0 })]);
    expect(r.checked[0]!.skipped[0]).toEqual({ offset: 0, length: 5, why: "ftrace" });
    // What was learned is exactly where the hand linker put each merged constant.
    expect(new Map(r.learned.filter((l) => l.why === "merged-section").map((l) => [l.target, l.address]))).toEqual(linked.invented);
    expect(r.checked[0]!.references).toBe(linked.fields.filter((f) => f.offset >= 5).length);
  });

  it("the shapes are what they claim: strings in __warn, alternatives that change bytes in filldir64, strings used twice in mode_store (a static)", () => {
    expect(linkByHand(baseline("kernel/panic.o"), "__warn").invented.size).toBeGreaterThan(1);
    const filldir = linkByHand(baseline("fs/readdir.o"), "filldir64");
    const before = filldir.bytes.slice();
    const sites = applyAlternatives(filldir);
    expect(sites.length).toBeGreaterThan(0);
    expect(sites.some((s) => filldir.bytes.subarray(s.offset, s.offset + s.length).some((b, i) => b !== before[s.offset + i]))).toBe(true);
    const mode = linkByHand(baseline("kernel/reboot.o"), "mode_store");
    expect(mode.symbol.bind).toBe(STB_LOCAL);
    const uses = new Map<string, number>();
    for (const f of mode.fields) if (mode.invented.has(f.target)) uses.set(f.target, (uses.get(f.target) ?? 0) + 1);
    expect([...uses.values()].some((n) => n > 1)).toBe(true);
  });

  it.each(CASES)("one byte of $fn changed outside every wildcard is a mismatch at exactly that offset", async ({ object, fn }) => {
    const linked = booted(linkByHand(baseline(object), fn));
    const clean = await match(object, fn, kernelOf(linked));
    const at = plainByte(linked, clean);
    const was = linked.bytes[at]!;
    linked.bytes[at]! ^= 0x5a;
    const r = await match(object, fn, kernelOf(linked));
    expect(r.mismatches).toHaveLength(1);
    const m = r.mismatches[0]!;
    expect(m).toMatchObject({ function: fn, offset: at, kind: "bytes", expected: new Uint8Array([was]), found: new Uint8Array([was ^ 0x5a]) });
    expect(m.detail).toBe(`the running kernel's ${fn} differs from the source this patch was built from at +0x${at.toString(16)}: byte ${was.toString(16).padStart(2, "0")} expected, ${(was ^ 0x5a).toString(16).padStart(2, "0")} found`);
    expect(r.checked[0]!.matches).toBe(false);
    const refusal = refusalOf(r)!;
    expect(refusal).toBeInstanceOf(RunPreError);
    expect(refusal).toMatchObject({ code: "run-pre-mismatch", kind: "refused", functionName: fn });
    expect(refusal.message).toBe(`the source this patch was built from does not match the running kernel: ${fn} differs at +0x${at.toString(16)}`);
    expect(refusal.detail).toBe(m.detail);
  });

  it.each(CASES)("a reference of $fn that leads elsewhere than vmlinux has its target is a mismatch at the field", async ({ object, fn }) => {
    const linked = booted(linkByHand(baseline(object), fn));
    const field = linked.fields.find((f) => f.offset >= 5 && !linked.invented.has(f.target))!;
    expect(field).toBeDefined();
    const view = new DataView(linked.bytes.buffer);
    view.setUint32(field.offset, (view.getUint32(field.offset, true) + 0x40) >>> 0, true);
    const r = await match(object, fn, kernelOf(linked));
    expect(r.mismatches).toHaveLength(1);
    expect(r.mismatches[0]).toMatchObject({ function: fn, offset: field.offset, kind: "reference" });
    expect(r.mismatches[0]!.found).toEqual(linked.bytes.slice(field.offset, field.offset + 4));
    expect(r.mismatches[0]!.detail).toContain(`differs from the source this patch was built from at +0x${field.offset.toString(16)}: its `);
    expect(r.mismatches[0]!.detail).toContain(` to ${field.target} should lead to 0x`);
  });

  it("a learned string must be where every later reference finds it", async () => {
    const linked = booted(linkByHand(baseline("kernel/reboot.o"), "mode_store"));
    const [first, second] = linked.fields.filter((f) => f.target === linked.fields.find((g) => linked.invented.has(g.target))!.target);
    expect(second).toBeDefined();
    const view = new DataView(linked.bytes.buffer);
    view.setUint32(second!.offset, (view.getUint32(second!.offset, true) + 1) >>> 0, true);
    const r = await match("kernel/reboot.o", "mode_store", kernelOf(linked));
    expect(r.mismatches).toHaveLength(1);
    expect(r.mismatches[0]).toMatchObject({ function: "mode_store", offset: second!.offset, kind: "learned" });
    expect(r.mismatches[0]!.detail).toContain(`at mode_store+0x${first!.offset.toString(16)}`);
    // The first reference taught it; the broken one is not counted as agreeing.
    expect(r.learned.find((l) => l.target === first!.target)).toMatchObject({ address: linked.invented.get(first!.target), from: { function: "mode_store", offset: first!.offset }, uses: 1 });
  });

  it("a learned target is shared by every function checked together", async () => {
    // __warn shares a merged string with another function of panic.o (found, not named here: the source decides which).
    const object = baseline("kernel/panic.o");
    const model = loadObject(parseElf32(object), "panic.o");
    const warn = booted(linkByHand(object, "__warn"));
    const sharing = model.symbols
      .filter((s) => s.type === STT_FUNC && s.section && s.name !== "__warn" && s.section.name.startsWith(".text") && vmlinux().named(s.name).length === 1)
      .map((s) => linkByHand(object, s.name))
      .find((l) => [...l.invented.keys()].some((k) => warn.invented.has(k)));
    expect(sharing).toBeDefined();
    const other = sharing!.symbol.name;
    const key = [...sharing!.invented.keys()].find((k) => warn.invented.has(k))!;

    // Linked with __warn's addresses: one string, one place, learned once and confirmed by the other function.
    const agreeing = booted(linkByHand(object, other, { preset: warn.invented }));
    const r = await match("kernel/panic.o", ["__warn", other], kernelOf(warn, agreeing));
    expect(r.mismatches).toEqual([]);
    const learned = r.learned.find((l) => l.target === key)!;
    expect(learned).toMatchObject({ address: warn.invented.get(key), from: { function: "__warn" } });
    expect(learned.uses).toBeGreaterThanOrEqual(2);

    // Linked with addresses of its own: the same string in two places, as no one kernel has it.
    const disagreeing = booted(linkByHand(object, other, { inventedBase: 0xc7e00000 }));
    const bad = await match("kernel/panic.o", ["__warn", other], kernelOf(warn, disagreeing));
    expect(bad.mismatches.filter((m) => m.kind === "learned").map((m) => m.function)).toContain(other);
    expect(bad.mismatches.every((m) => m.function === other)).toBe(true);
  });

  it("jump labels: 5-byte and 2-byte sites listed in __jump_table are skipped whichever way they point", async () => {
    const decoder = await loadX86Decoder();
    const plain = linkByHand(baseline("kernel/panic.o"), "__warn");
    const fields = new Set(plain.fields.flatMap((f) => [0, 1, 2, 3].map((i) => f.offset + i)));
    const insns = decoder.decode(plain.symbol.section!.header.data.subarray(plain.symbol.value, plain.symbol.value + plain.symbol.size));
    const free = (i: { offset: number; size: number }) => i.offset >= 5 && [...Array(i.size).keys()].every((k) => !fields.has(i.offset + k));
    const long = insns.find((i) => i.size === 5 && free(i))!;
    const short = insns.find((i) => i.size === 2 && i.mnemonic === "jmp" && plain.bytes[i.offset] === 0xeb && free(i))!;
    expect(long).toBeDefined();
    expect(short).toBeDefined();
    const flip = (l: HandLinked) => {
      l.bytes.set([0xe9, 0x10, 0x00, 0x00, 0x00], long.offset); // a NOP5 turned into `jmp` (or back): any 5 bytes
      l.bytes.set([0x66, 0x90], short.offset); // `jmp rel8` turned into the 2-byte NOP
      return l;
    };
    const without = await match("kernel/panic.o", "__warn", kernelOf(flip(booted(linkByHand(baseline("kernel/panic.o"), "__warn")))));
    expect(without.mismatches.map((m) => m.offset)).toEqual([long.offset, short.offset].sort((a, b) => a - b));

    const object = withJumpTable(baseline("kernel/panic.o"), "__warn", [long.offset, short.offset]);
    const r = await match(object, "__warn", kernelOf(flip(booted(linkByHand(object, "__warn")))));
    expect(r.mismatches).toEqual([]);
    expect(r.checked[0]!.skipped).toEqual(expect.arrayContaining([
      { offset: long.offset, length: 5, why: "jump-label" },
      { offset: short.offset, length: 2, why: "jump-label" },
    ]));
  });

  it("runtime constants (d_hash's table pointer and shift, written once at boot) are skipped", async () => {
    const linked = booted(linkByHand(baseline("fs/dcache.o"), "__d_lookup_rcu"));
    const clean = await match("fs/dcache.o", "__d_lookup_rcu", kernelOf(linked));
    const consts = clean.checked[0]!.skipped.filter((s) => s.why === "runtime-const");
    expect(consts.map((s) => s.length).sort()).toEqual([1, 4]);
    for (const s of consts) linked.bytes.fill(0x12, s.offset, s.offset + s.length);
    expect((await match("fs/dcache.o", "__d_lookup_rcu", kernelOf(linked))).mismatches).toEqual([]);
  });

  it("a name the baseline has no function of, or vmlinux has not, is a typed error before the kernel is read", async () => {
    const never = async (): Promise<Uint8Array> => {
      throw new Error("the kernel must not be read");
    };
    for (const name of ["no_such_function", "panic_on_oops" /* a variable */]) {
      const e = await match("kernel/panic.o", ["__warn", name], never).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RunPreError);
      expect(e).toMatchObject({ code: "run-pre-not-found", kind: "malformed", functionName: name });
      expect((e as Error).message).toContain(`\`${name}\` is not a function of kernel/panic.o`);
    }
    // vDSO code runs in user space: its object is not linked into vmlinux.
    const e = await match("arch/x86/entry/vdso/vdso32/vgetcpu.o", "__vdso_getcpu", never).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "run-pre-not-found", functionName: "__vdso_getcpu" });
    expect((e as Error).message).toContain("is not in vmlinux's symbol table");
  });
});

describe("run-pre matching against the booted target (the committed warm snapshot's memory)", () => {
  let memory: SnapshotMemory;
  beforeAll(() => {
    memory = SnapshotMemory.committed();
  });
  const read = async (va: number, n: number) => memory.read(va, n);

  /** The functions of the object vmlinux has: defined, not boot-only (freed), not a __weak default (another object may override it). */
  function functionsOf(object: string): string[] {
    const model = loadObject(parseElf32(baseline(object)), object);
    return model.symbols
      .filter((s) => s.type === STT_FUNC && s.shndx !== SHN_UNDEF && s.section && s.size > 0 && !/^\.(init|exit)\./.test(s.section.name) && s.bind !== STB_WEAK)
      .filter((s) => vmlinux().named(s.name).length > 0)
      .map((s) => s.name);
  }

  it.each(["fs/proc/cmdline.o", "kernel/panic.o", "fs/readdir.o", "kernel/reboot.o", "fs/dcache.o", "kernel/sys.o"])("every function of %s matches the running kernel", async (object) => {
    const functions = functionsOf(object);
    expect(functions.length).toBeGreaterThan(0);
    const r = await match(object, functions, read);
    expect(r.mismatches.map((m) => m.detail)).toEqual([]);
    expect(r.checked).toHaveLength(functions.length);
    // Booted and nothing traced: ftrace has NOPed every entry call it skipped, so the wildcard was needed.
    for (const c of r.checked.filter((c) => c.skipped.some((s) => s.why === "ftrace" && s.offset === 0))) {
      expect([...memory.read(c.address, 5)], c.name).toEqual(NOP5);
    }
  });

  it("what was learned is what the object has there: every merged string read back from the running kernel", async () => {
    const object = "kernel/panic.o";
    const model = loadObject(parseElf32(baseline(object)), object);
    const r = await match(object, functionsOf(object), read);
    const strings = r.learned.filter((l) => l.why === "merged-section" && /\.str1\.1\+/.test(l.target));
    expect(strings.length).toBeGreaterThan(3);
    for (const l of strings) {
      const [name, offset] = l.target.split("+0x");
      const data = model.sections.find((s) => s.name === name)!.header.data;
      const at = parseInt(offset!, 16);
      const text = data.subarray(at, data.indexOf(0, at) + 1);
      expect(memory.read(l.address, text.length), l.target).toEqual(text);
    }
  });

  it("a function longer or shorter in vmlinux is a size mismatch; a __weak default vmlinux overrides says so", async () => {
    // fs/proc/meminfo.c's arch_report_meminfo is __weak; x86's pat code defines the one vmlinux has.
    const object = baseline("fs/proc/meminfo.o");
    const weak = loadObject(parseElf32(object), "meminfo.o").symbols.find((s) => s.name === "arch_report_meminfo")!;
    expect(weak.bind).toBe(STB_WEAK);
    const running = vmlinux().named("arch_report_meminfo")[0]!;
    const r = await match("fs/proc/meminfo.o", "arch_report_meminfo", read);
    const size = r.mismatches.find((m) => m.kind === "size")!;
    expect(size).toMatchObject({ function: "arch_report_meminfo", offset: Math.min(weak.size, running.size) });
    expect(size.detail).toContain(`vmlinux's arch_report_meminfo is ${running.size} bytes, the source this patch was built from makes ${weak.size}`);
    expect(size.detail).toContain("__weak");
  });

  it("a deliberately mismatched baseline is refused, naming the function and the offset", async () => {
    const object = baseline("kernel/panic.o");
    const elf = parseElf32(object);
    const model = loadObject(elf, "panic.o");
    const warn = model.symbols.find((s) => s.name === "__warn" && s.type === STT_FUNC)!;
    const clean = await match(object, "__warn", read);
    const linked = linkByHand(object, "__warn");
    const at = plainByte(linked, clean);
    const edited = object.slice();
    edited[warn.section!.header.offset + warn.value + at]! ^= 0x01;
    const refusal = refusalOf(await match(edited, "__warn", read));
    expect(refusal).toMatchObject({ code: "run-pre-mismatch", kind: "refused", functionName: "__warn" });
    expect(refusal!.message).toBe(`the source this patch was built from does not match the running kernel: __warn differs at +0x${at.toString(16)}`);
  });
});
