// Phase 3b (classify and verify): which functions and variables changed,
// which are new, and whether each change can be live patched at all. A
// change that cannot is refused here with an error naming the culprit.
// Its passes, in order: compare every symbol with its twin; make the users of
// changed constants part of the change; redirect each changed function (or,
// for code ftrace cannot redirect, its callers); insist on a change that runs;
// apply KPATCH_FORCE_UNSAFE.
import { SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, STB_LOCAL, STT_FUNC, STT_OBJECT, STT_SECTION } from "../../elf/index.ts";
import { compareSymbols, contentsOf, type MovedLine } from "./compare.ts";
import type { Correlation } from "./correlate.ts";
import { KlpDiffError } from "./errors.ts";
import type { ObjectModel, ObjSection, ObjSymbol } from "./model.ts";
import { isPcRelative, resolveReference } from "./references.ts";
import { COMPANION_SECTIONS, isIgnoredReferrer, specialSections } from "./special.ts";
import { isMarkedAway, type Marks } from "./marks.ts";
import { KPATCH_CALLBACKS } from "../kpatch-macros.ts";
import type { ChangedFunction, DiffTrace, IncludedSymbol } from "./types.ts";

export interface Classification {
  /** Functions the patch redirects (klp_func entries), by patched symbol. */
  patched: Map<ObjSymbol, ChangedFunction>;
  /** Everything else the patch carries its own copy of. */
  carried: Map<ObjSymbol, IncludedSymbol>;
  notes: string[];
}

export function isInitSection(name: string): boolean {
  return /^\.(init|exit)\./.test(name) || name === ".ref.text" || name === ".head.text";
}

export function isColdPart(s: ObjSymbol): boolean {
  return /\.cold(\.\d+)?$/.test(s.name);
}

/** Traceable functions start with `call __fentry__` (-pg -mfentry): only those can be redirected. */
export function hasFentry(s: ObjSymbol): boolean {
  const c = contentsOf(s);
  return c.bytes[0] === 0xe8 && c.relocations.some((r) => r.offset === s.value + 1 && r.symbol.name === "__fentry__");
}

/**
 * Who refers to `target`: functions that call it (or, with `reads`, that
 * refer to it in any way, as code reading a constant does), and the data or
 * address-taking code that points at it.
 */
function referrers(model: ObjectModel, target: ObjSymbol, reads = false): { functions: Set<ObjSymbol>; data: string[] } {
  const functions = new Set<ObjSymbol>();
  const data: string[] = [];
  const specials = new Set(specialSections().map((s) => s.name));
  const companions = new Set([...COMPANION_SECTIONS.values()].flat());
  for (const section of model.sections) {
    if (specials.has(section.name) || isIgnoredReferrer(section.name) || companions.has(section.name)) continue;
    for (const r of section.relocations) {
      const ref = resolveReference(r);
      if (ref.kind !== "symbol" || ref.symbol !== target) continue;
      const owner = section.symbols.find((f) => r.offset >= f.value && r.offset < f.value + Math.max(f.size, 1));
      if (section.header.flags & SHF_EXECINSTR) {
        if (owner === target) continue;
        const call = isPcRelative(r.type);
        // A call from __init code never happens again after boot.
        if (call && isInitSection(section.name)) continue;
        // Direct calls can be redirected by patching the caller; an address
        // taken (R_386_32) escapes.
        if (owner && (call || reads)) functions.add(owner);
        else data.push(owner ? `\`${owner.name}\`` : section.name);
      } else if (owner) {
        // Anonymous read-only data (a jump table) belongs to the function that uses it.
        data.push(`\`${owner.name}\``);
      }
    }
  }
  return { functions, data: [...new Set(data)] };
}

function dataSection(s: ObjSymbol): ObjSection {
  if (!s.section) throw new KlpDiffError("internal", `${s.name} has no section`);
  return s.section;
}

const NO_MARKS: Marks = { ignoredFunctions: new Set(), ignoredSections: new Set(), forced: new Set() };

export interface ClassifyOptions {
  movedLine?: MovedLine;
  marks?: Marks;
  trace?: DiffTrace;
  /** DiffOptions.carryNewGlobals. */
  carryNewGlobals?: boolean;
}

export function classify(patched: ObjectModel, corr: Correlation, options: ClassifyOptions = {}): Classification {
  const marks = options.marks ?? NO_MARKS;
  const trace = options.trace ?? (() => undefined);
  const compared = compareAll(patched, corr, options.movedLine, marks, trace);
  const users = usersOfChangedConstants(patched, corr, compared.carried, compared.changedCode, trace);
  const redirected = redirect(patched, corr, [...compared.changedCode, ...users], marks, trace);
  const carried = new Map([...compared.carried, ...redirected.helpers]);
  requireReachableChange(redirected.patched, carried, options.carryNewGlobals === true);
  const forced = markForceUnsafe(redirected.patched, marks);
  return { patched: redirected.patched, carried, notes: [...compared.notes, ...redirected.notes, ...forced] };
}

/** A changed function and why, on its way to being redirected. */
interface ChangedCode {
  s: ObjSymbol;
  twin: ObjSymbol;
  reason: string;
  /** The inlined/notrace functions between this caller and the change, nearest first, so the reason can name the function the person edited. */
  via?: { chain: string[]; reason: string };
}

/**
 * Pass 1: every function and variable against its twin. New ones are
 * carried; changed functions go on to be redirected; changed read-only data
 * is carried as a copy; changed __init code and writable data are refused.
 */
function compareAll(
  patched: ObjectModel,
  corr: Correlation,
  movedLine: MovedLine | undefined,
  marks: Marks,
  trace: DiffTrace,
): { changedCode: ChangedCode[]; carried: Map<ObjSymbol, IncludedSymbol>; notes: string[] } {
  const carried = new Map<ObjSymbol, IncludedSymbol>();
  const notes: string[] = [];
  const changedCode: ChangedCode[] = [];
  for (const s of patched.symbols) {
    if (!s.section || s.name === "" || s.type === STT_SECTION) continue;
    if (s.type !== STT_FUNC && s.type !== STT_OBJECT) continue;
    if (isMarkedAway(marks, s)) continue;
    const twin = corr.symbols.get(s);
    if (marks.ignoredFunctions.has(s)) {
      const why = twin && compareSymbols(s, twin, corr, movedLine);
      notes.push(
        why
          ? `\`${twin.name}\` changed (${why}) but is marked KPATCH_IGNORE_FUNCTION: not patched, the running kernel keeps its own`
          : `KPATCH_IGNORE_FUNCTION(${s.name}): no change found in it; the mark is not needed`,
      );
      continue;
    }
    const section = dataSection(s);
    if (!twin) {
      if (isInitSection(section.name)) continue; // new __init code never runs after boot; refused below if used
      carried.set(s, { name: s.name, kind: s.type === STT_FUNC ? "new-function" : "new-data" });
      trace(`\`${s.name}\` is new (no twin in the original): carried`);
      continue;
    }
    const reason = compareSymbols(s, twin, corr, movedLine);
    if (!reason) continue;
    trace(`\`${twin.name}\` changed: ${reason}`);
    if (isInitSection(section.name) || (twin.section && isInitSection(twin.section.name))) {
      throw new KlpDiffError(
        "init-code",
        `\`${twin.name}\` is boot-time ${section.name.startsWith(".exit") ? "exit" : "init"} code (${section.name}): it has already run and been freed, ` +
          `so a live patch cannot change it (${reason}). Change the code that runs after boot instead.`,
        s.type === STT_FUNC ? { function: twin.name } : { variable: twin.name },
      );
    }
    if (s.type === STT_FUNC) {
      changedCode.push({ s, twin, reason });
      continue;
    }
    // Changed data. Read-only data (a const table, __func__) can be carried as
    // a private copy; writable data lives in vmlinux and has state.
    if (section.header.flags & SHF_WRITE || section.header.type === SHT_NOBITS) {
      throw new KlpDiffError(
        "data-changed",
        `existing data can't be changed by a live patch: \`${twin.name}\` has a new initial value or size (${reason}). ` +
          `The running kernel already holds its current value; keep it as it was and use a shadow variable ` +
          `(klp_shadow_alloc) or set the new value from a patched function instead.`,
        { variable: twin.name },
      );
    }
    carried.set(s, { name: s.name, kind: "changed-rodata", reason });
    notes.push(`read-only \`${twin.name}\` changed (${reason}): the patched functions use a new copy; any unchanged code that reads it keeps the old one`);
  }
  return { changedCode, carried, notes };
}

/**
 * Pass 2: functions using a changed read-only object must use the patch's
 * copy, so they change too. Data pointing at it (a sysctl table's bound)
 * would keep the old one: refused.
 */
function usersOfChangedConstants(
  patched: ObjectModel,
  corr: Correlation,
  carried: ReadonlyMap<ObjSymbol, IncludedSymbol>,
  changedCode: readonly ChangedCode[],
  trace: DiffTrace,
): ChangedCode[] {
  const added: ChangedCode[] = [];
  for (const [obj, info] of carried) {
    if (info.kind !== "changed-rodata") continue;
    const users = referrers(patched, obj, true);
    if (users.functions.size === 0 && users.data.length > 0) {
      const name = corr.symbols.get(obj)?.name ?? obj.name;
      throw new KlpDiffError(
        "constant-in-data",
        `read-only \`${name}\` changed (${info.reason ?? "contents differ"}), but only data refers to it (${users.data.join(", ")}), ` +
          `and that data keeps pointing at the running kernel's copy: a live patch cannot make this change. ` +
          `Change the functions that use the value instead (a new constant in a patched function).`,
        { variable: name },
      );
    }
    for (const fn of users.functions) {
      const twin = corr.symbols.get(fn);
      if (!twin || changedCode.some((c) => c.s === fn) || added.some((c) => c.s === fn)) continue;
      added.push({ s: fn, twin, reason: `uses \`${obj.name}\`, whose contents changed` });
      trace(`\`${twin.name}\` changed because it uses \`${obj.name}\`, whose contents changed`);
    }
  }
  return added;
}

/**
 * Pass 3: each changed function with an __fentry__ hook is redirected (a
 * klp_func). Changed code that ftrace cannot redirect (`inline`, `notrace`,
 * .cold parts) is carried as a private copy and its callers in this object
 * are patched instead, transitively.
 */
function redirect(
  patched: ObjectModel,
  corr: Correlation,
  changedCode: readonly ChangedCode[],
  marks: Marks,
  trace: DiffTrace,
): { patched: Map<ObjSymbol, ChangedFunction>; helpers: Map<ObjSymbol, IncludedSymbol>; notes: string[] } {
  const patchedFns = new Map<ObjSymbol, ChangedFunction>();
  const helpers = new Map<ObjSymbol, IncludedSymbol>();
  const notes: string[] = [];
  const queue: ChangedCode[] = [...changedCode];
  const seen = new Set<ObjSymbol>();
  while (queue.length > 0) {
    const { s, twin, reason, via } = queue.shift()!;
    if (seen.has(s) || marks.ignoredFunctions.has(s)) continue;
    seen.add(s);
    if (hasFentry(s)) {
      if (!patchedFns.has(s)) {
        patchedFns.set(s, { name: twin.name, patchedName: s.name, reason, local: twin.bind === STB_LOCAL });
        trace(`\`${twin.name}\` patched (redirected by ftrace): ${reason}`);
      }
      continue;
    }
    const why = isColdPart(s) ? "is the cold part of a function" : "has no __fentry__ call (it is `inline` or `notrace`)";
    const { functions, data } = referrers(patched, s);
    if (twin.bind !== STB_LOCAL) {
      throw new KlpDiffError(
        "inlined-only",
        `\`${twin.name}\` changed (${reason}) but ${why}, so ftrace cannot redirect it, and it is global: ` +
          `callers in other files would keep calling the old code. Make the change in a traceable function instead.`,
        { function: twin.name },
      );
    }
    if (data.length > 0 || functions.size === 0) {
      throw new KlpDiffError(
        "inlined-only",
        `\`${twin.name}\` changed (${reason}) but ${why}, so ftrace cannot redirect it` +
          (data.length > 0
            ? `, and its address is taken in ${data.join(", ")}, so patching its callers would not be enough.`
            : `, and no function in this file calls it whose patched copy could call the new version.`) +
          ` Make the change in a traceable function instead.`,
        { function: twin.name },
      );
    }
    helpers.set(s, { name: s.name, kind: "helper", reason });
    const callers = [...functions];
    trace(`\`${twin.name}\` ${why}: carried as a private copy, and its callers are patched instead: ${callers.map((c) => `\`${c.name}\``).join(", ")}`);
    notes.push(
      isColdPart(s)
        ? `\`${twin.name}\` is the cold part of ${callers.map((c) => `\`${c.name}\``).join(", ")}: patched with it`
        : `\`${twin.name}\` ${why}, so it cannot be patched by itself: its callers ${callers.map((c) => `\`${corr.symbols.get(c)?.name ?? c.name}\``).join(", ")} were patched instead, each calling a new copy of it`,
    );
    const chain = [twin.name, ...(via?.chain ?? [])];
    const origin = via?.reason ?? reason;
    for (const caller of callers) {
      const callerTwin = corr.symbols.get(caller);
      if (!callerTwin) continue; // a new function: carried anyway
      queue.push({
        s: caller,
        twin: callerTwin,
        reason: isColdPart(s)
          ? `its cold part \`${twin.name}\` changed`
          : chain.length === 1
            ? `calls \`${twin.name}\`, which changed (${origin}) but cannot be patched by itself (inlined/notrace)`
            : `calls ${chain.map((n) => `\`${n}\``).join(" → ")}, which cannot be patched by themselves (inlined/notrace); \`${chain[chain.length - 1]}\` changed (${origin})`,
        via: isColdPart(s) ? via : { chain, reason: origin },
      });
    }
  }
  return { patched: patchedFns, helpers, notes };
}

/** Pass 4: kpatch's "no changed functions found": nothing redirected means nothing the running kernel would execute. */
function requireReachableChange(patchedFns: ReadonlyMap<ObjSymbol, ChangedFunction>, carried: ReadonlyMap<ObjSymbol, IncludedSymbol>, carryNewGlobals: boolean): void {
  if (patchedFns.size > 0) return;
  // Callbacks are a change (kpatch builds such a patch): the livepatch core runs them.
  if ([...carried.keys()].some((s) => Object.hasOwn(KPATCH_CALLBACKS, s.name))) return;
  // New globals another object may call (kpatch's kpatch_include_new_globals): diffAll checks that one does.
  if (carryNewGlobals && [...carried.keys()].some(isNewGlobal)) return;
  const added = [...carried.values()].filter((c) => c.kind === "new-function");
  if (added.length === 0) {
    throw new KlpDiffError(
      "no-change",
      `no functional change: the patched object's code is the same as the original's` +
        ` (comments, whitespace and moved lines do not change the compiled code). Nothing to patch.`,
    );
  }
  throw new KlpDiffError(
    "new-code-unreached",
    `no functional change: the patch only adds ${added.map((c) => `\`${c.name}\``).join(", ")}, ` +
      `which no existing function calls, so the running kernel would never reach it.`,
  );
}

/** A new function or variable other objects can refer to by name. */
export function isNewGlobal(s: ObjSymbol): boolean {
  return s.bind !== STB_LOCAL && (s.type === STT_FUNC || s.type === STT_OBJECT);
}

/** Pass 5: KPATCH_FORCE_UNSAFE on the functions it names; returns the notes. */
function markForceUnsafe(patchedFns: ReadonlyMap<ObjSymbol, ChangedFunction>, marks: Marks): string[] {
  const notes: string[] = [];
  for (const fn of marks.forced) {
    const entry = patchedFns.get(fn);
    if (entry) {
      entry.forceUnsafe = true;
      notes.push(`\`${entry.name}\` is marked KPATCH_FORCE_UNSAFE: a task that has it on its stack does not hold up the transition`);
    } else {
      notes.push(`KPATCH_FORCE_UNSAFE(${fn.name}): the patch does not replace it, so the mark changes nothing`);
    }
  }
  return notes;
}
