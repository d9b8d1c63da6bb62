// Every way a live-patch build can fail, as a stable code. kpatch tells an
// error from a fatal diff from "no changes found"; the `kind` does the same,
// so a page, a CLI or a tutorial's CI can act on a failure without reading
// its wording (which is for people and may improve). README's "Refusal
// codes" table is made from this list: keep the two in step.

/** The pipeline's stages, in order; `run-pre` (Ksplice's check of the baseline against the running kernel) runs after them, before a module is loaded. */
export type BuildStage = "parse" | "apply" | "plan" | "compile" | "diff" | "assemble" | "run-pre";

/**
 * - `refused`: a well-formed patch that cannot be live patched (the reason says why, and what to do instead);
 * - `malformed`: the input is wrong (the diff does not parse or apply, GCC rejects the code, a bad name);
 * - `no-change`: the patch changes nothing the running kernel would execute;
 * - `internal`: the playground broke one of its own invariants: a bug here, never the user's fault.
 */
export type ErrorKind = "refused" | "malformed" | "no-change" | "internal";

export interface ErrorCodeInfo {
  kind: ErrorKind;
  /** The stages that raise it. */
  stages: readonly BuildStage[];
  /** What it means, in one line. */
  means: string;
  /** What to try; absent when there is nothing to add to the message. */
  fix?: string;
}

export const ERROR_CODES = {
  // parse
  "empty-patch": { kind: "malformed", stages: ["parse"], means: "the text has no `--- a/file` / `+++ b/file` sections", fix: "paste the whole output of `git diff` or `diff -u`" },
  "malformed-diff": { kind: "malformed", stages: ["parse"], means: "the text is not a well-formed unified diff (the message names the line)", fix: "make the diff with `git diff` or `diff -u` instead of editing hunk headers by hand" },
  "unsupported-diff": { kind: "malformed", stages: ["parse"], means: "a kind of diff this tool does not read: binary, combined (merge), context (`diff -c`), renames or copies", fix: "the message names the option that makes a plain diff (`diff -u`, `git diff --no-renames`)" },
  // apply
  "path-outside-tree": { kind: "malformed", stages: ["apply"], means: "a file path is absolute or climbs out of the source tree with `..`", fix: "use paths relative to the top of the kernel tree (`a/fs/proc/cmdline.c`)" },
  "file-not-found": { kind: "malformed", stages: ["apply"], means: "the diff patches a file the source tree does not have", fix: "check the path; a new file needs `--- /dev/null` as its old name" },
  "extra-leading-directory": { kind: "malformed", stages: ["apply"], means: "the paths have one directory too many in front (`a/linux/fs/…`)", fix: "make the diff from the top of the kernel tree" },
  "file-deleted-earlier": { kind: "malformed", stages: ["apply"], means: "a section patches a file that an earlier section of the same patch deleted" },
  "file-exists": { kind: "malformed", stages: ["apply"], means: "the diff creates a file that already exists", fix: "diff against the existing file instead of `/dev/null`" },
  "delete-missing": { kind: "malformed", stages: ["apply"], means: "the diff deletes a file the source tree does not have" },
  "delete-incomplete": { kind: "malformed", stages: ["apply"], means: "the diff deletes a file but does not remove all of its lines" },
  "hunk-order": { kind: "malformed", stages: ["apply"], means: "a file's hunks overlap or are out of order" },
  "hunk-failed": { kind: "malformed", stages: ["apply"], means: "a hunk's context or removed lines are not in the pristine source (expected vs. found in the detail)", fix: "diff against this kernel's source (6.12, as the page's source browser shows it); check tabs against spaces" },
  // plan
  "not-built": { kind: "refused", stages: ["apply", "plan"], means: "no object of this kernel's configuration compiles or includes the file", fix: "patch code this kernel runs; the message names the CONFIG option when the Makefile says" },
  "not-source": { kind: "refused", stages: ["plan"], means: "the patch changes a build or configuration file, not C code", fix: "that needs a new kernel; a live patch changes C functions only" },
  "deleted-file": { kind: "refused", stages: ["plan"], means: "the patch deletes a source file" },
  assembly: { kind: "refused", stages: ["plan"], means: "the change is in assembly, which has no `__fentry__` hook to redirect", fix: "change a C function that calls or is called by the assembly" },
  vdso: { kind: "refused", stages: ["plan"], means: "vDSO code runs in user space, not in the kernel" },
  "boot-code": { kind: "refused", stages: ["plan"], means: "boot code runs once before the kernel starts" },
  "module-code": { kind: "refused", stages: ["plan"], means: "the file is built into a loadable module; only code built into vmlinux can be patched here" },
  "host-tool": { kind: "refused", stages: ["plan"], means: "the file is a program the kernel build runs on the build machine" },
  "no-ftrace-hooks": { kind: "refused", stages: ["plan"], means: "the object is compiled without ftrace's `__fentry__` hooks (all of `lib/`, ftrace itself)", fix: "change the callers of its functions, outside it" },
  "struct-changed": { kind: "refused", stages: ["plan"], means: "the patch changes a struct or union definition: data the kernel already holds keeps the old layout", fix: "keep the definition and attach new fields with a shadow variable (`klp_shadow_alloc`/`klp_shadow_get`: the shadow-variable sample)" },
  "too-many-objects": { kind: "refused", stages: ["plan"], means: "a header change makes more objects recompile than the limit", fix: "change a narrower header, or the .c files themselves" },
  "no-change": { kind: "no-change", stages: ["plan", "diff"], means: "the compiled code is the same as the running kernel's (comments, whitespace, lines that only moved)" },
  // compile
  "compile-failed": { kind: "malformed", stages: ["compile"], means: "GCC rejected the patched source (its messages, at the file, line and diff line, are in the detail)" },
  "build-host-failed": { kind: "internal", stages: ["compile"], means: "the compile service itself failed (the build host or the WebAssembly gcc crashed or did not answer)", fix: "build again; if it keeps failing, report it" },
  // diff
  "init-code": { kind: "refused", stages: ["diff"], means: "the change is in `__init`/`__exit` code, which has run and been freed", fix: "do the one-time work in a callback (`KPATCH_POST_PATCH_CALLBACK` or the klp callbacks: the callbacks sample)" },
  "init-reference": { kind: "refused", stages: ["diff"], means: "changed code refers to `__init`/`__exit` code or data, freed after boot", fix: "copy what the code needs into the patch instead of calling or reading the `__init` symbol" },
  "data-changed": { kind: "refused", stages: ["diff"], means: "the patch changes the initial value or size of existing writable data", fix: "keep it and use a shadow variable, or set the value from a patched function (the shadow-variable sample)" },
  "constant-in-data": { kind: "refused", stages: ["diff"], means: "a changed read-only constant is referred to only by data (a table), which would keep pointing at the old copy", fix: "change the functions that use the value instead" },
  "inlined-only": { kind: "refused", stages: ["diff"], means: "changed code ftrace cannot redirect (inlined, `notrace`, a `.cold` part) and no caller in the file can be patched in its place", fix: "make the change in a traceable function, or make its callers reach it by direct calls" },
  "unsupported-section": { kind: "refused", stages: ["diff"], means: "a changed function has an entry in a kernel table this tool cannot carry into a module", fix: "avoid the construct that creates the entry in the changed function" },
  "bad-kpatch-mark": { kind: "malformed", stages: ["diff"], means: "a KPATCH_IGNORE_FUNCTION, KPATCH_FORCE_UNSAFE or KPATCH_IGNORE_SECTION names no function (or section) of its file", fix: "name a function defined in the same file, or a section as the compiler writes it" },
  "new-code-unreached": { kind: "no-change", stages: ["diff"], means: "the patch only adds functions that no existing function calls", fix: "call the new code from a function the patch changes" },
  "malformed-object": { kind: "internal", stages: ["diff"], means: "a compiled object is not a valid ELF relocatable (or lacks what the differ needs)" },
  // assemble
  "bad-module-name": { kind: "malformed", stages: ["assemble"], means: "the module name is not letters, digits and `_`, or is too long" },
  "symbol-not-found": { kind: "refused", stages: ["assemble"], means: "the patch refers to a symbol vmlinux neither exports nor has in its symbol table (inlined into every caller, or dropped)", fix: "carry a copy of it in the patch" },
  "ambiguous-symbol": { kind: "refused", stages: ["assemble"], means: "a symbol the patch refers to matches several vmlinux symbols", fix: "call a function whose name is unique" },
  "duplicate-symbol": { kind: "refused", stages: ["assemble"], means: "two files of the patch define, or patch, the same global" },
  "duplicate-callback": { kind: "refused", stages: ["assemble"], means: "two files of the patch set the same kind of callback; a patch has one of each" },
  "bad-callback": { kind: "refused", stages: ["assemble"], means: "a callback macro does not point to a function of the patch" },
  "alternative-unexported": { kind: "refused", stages: ["assemble"], means: "a CPU-feature alternative in changed code refers to an unexported symbol, which livepatch cannot relocate in time", fix: "avoid the alternative (or the call) in the changed function" },
  "layout-missing": { kind: "internal", stages: ["assemble"], means: "the images' measured struct layouts lack a field this patch needs", fix: "rebuild the images (`npm run images`)" },
  // run-pre (Ksplice's run-pre matching, before load)
  "run-pre-mismatch": { kind: "refused", stages: ["run-pre"], means: "a function the patch replaces differs in the running kernel from the source the patch was built from (the function, offset and bytes are in the detail)", fix: "build the patch against the kernel that runs (the same source, configuration and compiler), or boot the kernel the tree builds" },
  "run-pre-not-found": { kind: "malformed", stages: ["run-pre"], means: "a function to check is not in the baseline object, or not in vmlinux's symbol table", fix: "name the function as the object's symbol table does (`foo.constprop.0`); an inlined function has no code of its own to check" },
  "run-pre-ambiguous": { kind: "refused", stages: ["run-pre"], means: "a function to check matches several vmlinux symbols and the object's other statics do not tell which" },
  // any stage
  internal: { kind: "internal", stages: ["parse", "apply", "plan", "compile", "diff", "assemble"], means: "one of the playground's own invariants failed: a bug in the playground", fix: "report it, with the patch" },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes a stage may raise. */
export type StageErrorCode<S extends BuildStage> = {
  [C in ErrorCode]: S extends (typeof ERROR_CODES)[C]["stages"][number] ? C : never;
}[ErrorCode];

export function kindOf(code: ErrorCode): ErrorKind {
  return ERROR_CODES[code].kind;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}

/** Where a failure points, as far as the stage that found it knows. */
export interface ErrorLocation {
  /** Tree-relative source file ("fs/proc/cmdline.c"). */
  file?: string;
  /** 1-based line in `file`. */
  line?: number;
  /** 1-based hunk of `file`'s section of the diff. */
  hunk?: number;
  function?: string;
  variable?: string;
  section?: string;
  /** A symbol the module assembler could not place (a function or a variable). */
  symbol?: string;
  /** 1-based line of the diff text. */
  diffLine?: number;
}
