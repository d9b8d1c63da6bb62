// Reads kbuild's saved command files (.<obj>.cmd) from a built kernel tree and
// writes (1) kbuild.json: for every compiled object its exact command line,
// its source and the files it depends on; (2) a copy of just those files plus
// the original objects into the toolchain staging tree.
//
// usage: tsx kbuild-index.ts <kernel build dir> <stage dir> <kbuild.json>
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { KbuildIndex, KbuildObject, ObjectKind } from "../../src/common/kbuild/index-format.ts";

const [kdir, stage, outJson] = process.argv.slice(2);
if (!kdir || !stage || !outJson) {
  console.error("usage: kbuild-index.ts <kernel build dir> <stage dir> <kbuild.json>");
  process.exit(2);
}

function* walk(dir: string, rel = ""): Generator<string> {
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (r === ".git" || r === "Documentation") continue;
      yield* walk(dir, r);
    } else if (e.isFile() && e.name.startsWith(".") && e.name.endsWith(".o.cmd")) {
      yield r;
    }
  }
}

function kindOf(obj: string): ObjectKind {
  if (obj.startsWith("scripts/") || obj.startsWith("tools/")) return "host";
  if (obj.startsWith("arch/x86/boot/") || obj.startsWith("arch/x86/realmode/")) return "boot";
  if (obj.endsWith(".mod.o")) return "modinfo";
  if (obj.startsWith("samples/")) return "module";
  return "vmlinux";
}

/** Parses one .cmd file: `savedcmd_X := …`, `source_X := …`, `deps_X := \` + continuation lines. */
function parseCmd(text: string): { obj: string; command: string; source: string; deps: string[] } | null {
  const saved = /^savedcmd_(\S+) := (.*)$/m.exec(text);
  if (!saved) return null;
  const obj = saved[1]!;
  const source = /^source_\S+ := (.*)$/m.exec(text)?.[1]?.trim() ?? "";
  const deps: string[] = [];
  const depsStart = text.indexOf(`deps_${obj} := \\`);
  if (depsStart >= 0) {
    for (const line of text.slice(depsStart).split("\n").slice(1)) {
      const t = line.trim();
      if (!t) break;
      const name = t.replace(/\s*\\$/, "");
      // $(wildcard include/config/FOO) lines are make bookkeeping for Kconfig symbols, not files.
      if (name && !name.startsWith("$(")) deps.push(name);
      if (!t.endsWith("\\")) break;
    }
  }
  return { obj, command: saved[2]!, source, deps };
}

function copy(rel: string): boolean {
  const from = join(kdir!, rel);
  if (!existsSync(from) || !statSync(from).isFile()) return false;
  const to = join(stage!, rel);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  return true;
}

const objects: Record<string, KbuildObject> = {};
const headerIds = new Map<string, number>();
const headers: string[] = [];
const cmdFiles = [...walk(kdir)].sort();
for (const cmdFile of cmdFiles) {
  const parsed = parseCmd(readFileSync(join(kdir, cmdFile), "utf8"));
  if (!parsed || !parsed.source) continue;
  // Generated link-time objects (.vmlinux.export.o & co) are not anyone's source.
  if (parsed.obj.split("/").pop()!.startsWith(".")) continue;
  const kind = kindOf(parsed.obj);
  if (kind === "host" || kind === "modinfo") continue;
  const language = parsed.source.endsWith(".c") ? "c" : parsed.source.endsWith(".S") ? "asm" : "other";
  const deps: number[] = [];
  // fixdep swaps include/generated/autoconf.h for per-option $(wildcard …)
  // lines; every compile still reads it (through kconfig.h), so put it back.
  if (parsed.deps.includes("include/linux/kconfig.h")) parsed.deps.push("include/generated/autoconf.h");
  for (const d of parsed.deps) {
    if (d === parsed.source) continue;
    let id = headerIds.get(d);
    if (id === undefined) {
      id = headers.length;
      headers.push(d);
      headerIds.set(d, id);
    }
    deps.push(id);
  }
  objects[parsed.obj] = { source: parsed.source, command: parsed.command, kind, language, deps };
}

// Stage: sources and headers of C objects we can rebuild, original objects of everything.
let staged = 0;
const neededHeaders = new Set<number>();
for (const [obj, o] of Object.entries(objects)) {
  if (o.kind === "boot") continue;
  if (copy(o.source)) staged++;
  if (copy(obj)) staged++;
  if (o.language === "c") for (const d of o.deps) neededHeaders.add(d);
}
for (const id of [...neededHeaders].sort((a, b) => a - b)) if (copy(headers[id]!)) staged++;
for (const f of [".config", "Module.symvers", "include/config/kernel.release"]) {
  if (!copy(f)) throw new Error(`${f} missing in ${kdir}`);
  staged++;
}

const release = readFileSync(join(kdir, "include/config/kernel.release"), "utf8").trim();
const index: KbuildIndex = { version: 1, kernelRelease: release, treePath: "/build/linux", headers, objects };
writeFileSync(outJson, JSON.stringify(index));
const counts: Record<string, number> = {};
for (const o of Object.values(objects)) counts[`${o.kind}/${o.language}`] = (counts[`${o.kind}/${o.language}`] ?? 0) + 1;
console.error(`kbuild-index: ${Object.keys(objects).length} objects ${JSON.stringify(counts)}, ${headers.length} dependency files, ${staged} files staged`);
