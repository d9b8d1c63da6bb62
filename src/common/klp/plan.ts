// Pipeline stage 3, the plan: which kernel objects a patch makes us rebuild,
// from kbuild's own data (kbuild.json), and what we refuse before spending
// any compile time on it. Whether a change lands only in __init code, or in
// data, is for the object differ to tell: it sees what the compiler made.
import { changedStructs } from "./struct-changes.ts";
import type { StageErrorCode } from "../errors/codes.ts";
import { normalizeTreePath } from "../kbuild/tree-path.ts";
import type { KbuildIndex, KbuildObject } from "../kbuild/index-format.ts";

/** A file the patch touched, as the apply stage hands it over. */
export interface PlanFile {
  path: string;
  /** Pristine text; undefined when the patch creates the file. */
  oldText: string | undefined;
  /** Patched text; undefined when the patch deletes the file. */
  newText: string | undefined;
}

export interface PlannedObject {
  /** Object path relative to the tree, e.g. fs/proc/cmdline.o. */
  object: string;
  /** Its source file. */
  source: string;
  /** The changed files that make it rebuild (its own source and/or headers it includes). */
  because: string[];
}

export interface Plan {
  objects: PlannedObject[];
  /** For the person: what each changed file pulled in ("include/linux/x.h: 12 objects include it"). */
  notes: string[];
}

export type KlpPlanReason = "assembly" | "not-built" | "vdso" | "host-tool" | "no-ftrace" | "changed-struct" | "boot-code" | "module" | "deleted-file" | "not-source" | "no-change";

export type KlpPlanCode = Exclude<StageErrorCode<"plan">, "too-many-objects" | "internal">;

// The plan's own names for its codes, from before codes were shared by every stage.
const REASONS: Record<KlpPlanCode, KlpPlanReason> = {
  "not-built": "not-built",
  "not-source": "not-source",
  "deleted-file": "deleted-file",
  assembly: "assembly",
  vdso: "vdso",
  "boot-code": "boot-code",
  "module-code": "module",
  "host-tool": "host-tool",
  "no-ftrace-hooks": "no-ftrace",
  "struct-changed": "changed-struct",
  "no-change": "no-change",
};

export class KlpPlanError extends Error {
  override readonly name = "KlpPlanError";
  constructor(
    readonly code: KlpPlanCode,
    /** The file at fault, relative to the tree. */
    readonly file: string,
    message: string,
    /** 1-based line in the patched file, when the refusal is about one place. */
    readonly line?: number,
  ) {
    super(message);
  }

  get reason(): KlpPlanReason {
    return REASONS[this.code];
  }
}

export interface PlanOptions {
  /** Reads a pristine tree file (for the Makefile hint on files not built); optional. */
  readFile?: (path: string) => string | undefined;
}

export { normalizeTreePath };

// Which objects read each file: inverted kbuild deps, built once per index.
const dependents = new WeakMap<KbuildIndex, Map<string, string[]>>();

function readersOf(kbuild: KbuildIndex, path: string): string[] {
  let map = dependents.get(kbuild);
  if (!map) {
    map = new Map();
    const names = kbuild.headers.map(normalizeTreePath);
    for (const [object, entry] of Object.entries(kbuild.objects)) {
      for (const d of entry.deps) {
        const name = names[d];
        if (name === undefined) continue;
        let list = map.get(name);
        if (!list) map.set(name, (list = []));
        list.push(object);
      }
    }
    dependents.set(kbuild, map);
  }
  return map.get(path) ?? [];
}

// The objects linked into the vDSO image. The rest of arch/x86/entry/vdso/
// (vma.c, vdso32-setup.c, extable.c) is kernel code that maps it.
const VDSO = /^arch\/x86\/entry\/vdso\/vdso(32|64|x32)\//;

/** Programs kbuild builds to run on the build machine (relocs, …): no -D__KERNEL__. */
function isHostTool(entry: KbuildObject): boolean {
  return !/(^|\s)-D__KERNEL__(\s|$)/.test(entry.command);
}

/**
 * Objects whose Makefile strips ftrace's flags (all of lib/, ftrace itself,
 * early boot and entry code): without the __fentry__ call at the start of
 * each function, none of their functions can be redirected.
 */
function lacksFtrace(entry: KbuildObject): boolean {
  return !/(^|\s)-pg(\s|$)/.test(entry.command);
}

/** Why an object cannot be rebuilt into a live patch, or undefined when it can. */
function refusal(object: string, entry: KbuildObject, file: string): KlpPlanError | undefined {
  if (VDSO.test(object)) {
    return new KlpPlanError("vdso", file, `${file}: vDSO code runs in user space, mapped into every process; a live patch can only replace kernel functions`);
  }
  if (entry.kind === "boot") {
    return new KlpPlanError("boot-code", file, `${file}: boot code (${object}) runs once before the kernel starts and is gone afterwards; there is nothing to live patch`);
  }
  if (entry.kind === "module") {
    return new KlpPlanError("module-code", file, `${file}: ${object} is part of a loadable module, not vmlinux; live patching modules is not supported yet, only code built into the kernel`);
  }
  if (isHostTool(entry)) {
    return new KlpPlanError("host-tool", file, `${file}: ${object} is a program the kernel build runs on the build machine, not part of the kernel; there is nothing to live patch`);
  }
  if (entry.language !== "c") {
    return new KlpPlanError("assembly", file, `${file}: assembly cannot be live patched (the patch tools compare compiled C functions, and assembly has no __fentry__ hook to redirect)`);
  }
  if (lacksFtrace(entry)) {
    return new KlpPlanError(
      "no-ftrace-hooks",
      file,
      `${file}: ${object} is compiled without ftrace's __fentry__ hooks (its Makefile removes them${object.startsWith("lib/") ? ", as for all of lib/" : ""}), so none of its functions can be live patched; change their callers outside it instead`,
    );
  }
  return undefined;
}

/** kbuild's Makefile line for a file not built here, to name the CONFIG option that would build it. */
function configHint(file: string, readFile: PlanOptions["readFile"]): string {
  const slash = file.lastIndexOf("/");
  const dir = slash < 0 ? "" : file.slice(0, slash);
  const base = file.slice(slash + 1).replace(/\.[^.]+$/, "");
  const makefile = readFile?.(dir ? `${dir}/Makefile` : "Makefile");
  const m = makefile
    ?.replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => new RegExp(`^\\s*[\\w-]+-\\$\\((CONFIG_\\w+)\\)\\s*[+:]?=.*\\b${base.replace(/[^\w]/g, "\\$&")}\\.o\\b`).exec(l))
    .find((x) => x);
  return m ? `${m[1]}=y?` : "CONFIG_…?";
}

/** From the files a patch changed to the objects to rebuild; throws KlpPlanError naming the file. */
export function planBuild(files: readonly PlanFile[], kbuild: KbuildIndex, options: PlanOptions = {}): Plan {
  const bySource = new Map<string, string[]>();
  for (const [object, entry] of Object.entries(kbuild.objects)) {
    const list = bySource.get(entry.source) ?? [];
    list.push(object);
    bySource.set(entry.source, list);
  }
  const planned = new Map<string, PlannedObject>();
  const add = (object: string, because: string): void => {
    const p = planned.get(object);
    if (p) {
      if (!p.because.includes(because)) p.because.push(because);
    } else planned.set(object, { object, source: kbuild.objects[object]!.source, because: [because] });
  };
  const notes: string[] = [];

  for (const f of files) {
    const path = normalizeTreePath(f.path);
    if (f.oldText === f.newText) continue;
    if (f.newText === undefined) {
      throw new KlpPlanError("deleted-file", path, `${path}: the patch deletes this file; a live patch can only change functions, not remove sources`);
    }
    if (/\.(S|s)$/.test(path)) {
      throw new KlpPlanError("assembly", path, `${path}: assembly cannot be live patched (the patch tools compare compiled C functions, and assembly has no __fentry__ hook to redirect)`);
    }
    // Nothing in the compiled code shows a changed layout reliably (every
    // function using the struct just "changes"), so the source says it.
    const struct = f.oldText !== undefined && /\.(c|h)$/.test(path) ? changedStructs(f.oldText, f.newText)[0] : undefined;
    if (struct) {
      throw new KlpPlanError(
        "struct-changed",
        path,
        `${path}:${struct.newLine}: the patch changes the definition of ${struct.name} (line ${struct.oldLine} before the patch). ` +
          `A live patch replaces functions, not data: every ${struct.name} already in the running kernel keeps its old layout, and code compiled for the new one would misread it. ` +
          `Keep the definition as it is and attach new data to existing objects with a shadow variable (klp_shadow_alloc / klp_shadow_get).`,
        struct.newLine,
      );
    }
    const own = bySource.get(path) ?? [];
    for (const object of own) {
      const why = refusal(object, kbuild.objects[object]!, path);
      if (why) throw why;
      add(object, path);
    }
    if (own.length > 0) continue;

    // A header, or a .c file another .c includes: every C object of vmlinux
    // that read it while the kernel was built.
    const readers = readersOf(kbuild, path);
    if (readers.length === 0) {
      if (f.oldText === undefined && /\.h$/.test(path)) {
        notes.push(`${path}: new header (only the changed sources that include it are rebuilt)`);
        continue;
      }
      if (/\.(c|h)$/.test(path)) {
        throw new KlpPlanError("not-built", path, `${path}: not part of this kernel's build (${configHint(path, options.readFile)}): no object of this configuration compiles or includes it`);
      }
      throw new KlpPlanError("not-source", path, `${path}: only C sources and headers can be live patched; a change to a build or configuration file needs a new kernel`);
    }
    const usable = readers.filter((o) => {
      const e = kbuild.objects[o]!;
      return e.kind === "vmlinux" && e.language === "c" && !VDSO.test(o) && !isHostTool(e) && !lacksFtrace(e);
    });
    const skipped = readers.length - usable.length;
    if (usable.length === 0) {
      const first = readers[0]!;
      throw refusal(first, kbuild.objects[first]!, path) ?? new KlpPlanError("not-built", path, `${path}: no C object of vmlinux includes it`);
    }
    for (const o of usable) add(o, path);
    notes.push(
      `${path}: ${usable.length} object${usable.length === 1 ? "" : "s"} of vmlinux include${usable.length === 1 ? "s" : ""} it` +
        (skipped ? ` (${skipped} more in assembly, boot code, the vDSO, host programs, code without ftrace hooks or modules left alone)` : ""),
    );
  }
  if (planned.size === 0) {
    const names = files.map((f) => f.path).join(", ");
    throw new KlpPlanError("no-change", names, `no functional change: the patch leaves ${names || "every file"} as it was`);
  }
  return { objects: [...planned.values()].sort((a, b) => a.object.localeCompare(b.object)), notes };
}
