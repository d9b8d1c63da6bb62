// Writes vmlinux-symbols.json (format: src/common/klp/module/vmlinux-symbols.ts):
// vmlinux's symbols in kallsyms order (by address; symtab order breaks
// ties), each local one with the STT_FILE it follows, the way kpatch picks
// the right static among same-named ones and computes sympos.
//
// usage: tsx vmlinux-symbols.ts <vmlinux> <out.json>
import { readFileSync, writeFileSync } from "node:fs";
import {
  findSectionByType,
  parseElf32,
  readSymbols,
  SHT_SYMTAB,
  STB_LOCAL,
  STT_FILE,
  STT_SECTION,
} from "../../src/common/elf/index.ts";
import type { VmlinuxSymbolRow, VmlinuxSymbolsFile } from "../../src/common/klp/module/vmlinux-symbols.ts";

const [vmlinuxPath, outPath] = process.argv.slice(2);
if (!vmlinuxPath || !outPath) {
  console.error("usage: vmlinux-symbols.ts <vmlinux> <out.json>");
  process.exit(2);
}
const elf = parseElf32(new Uint8Array(readFileSync(vmlinuxPath)));
const symbols = readSymbols(elf, findSectionByType(elf, SHT_SYMTAB));
const files: string[] = [];
const rows: { row: VmlinuxSymbolRow; order: number }[] = [];
let file = -1;
for (const s of symbols) {
  if (s.index === 0) continue;
  if (s.type === STT_FILE) {
    files.push(s.name);
    file = files.length - 1;
    continue;
  }
  if (s.type === STT_SECTION || s.name === "") continue;
  rows.push({ row: [s.name, s.value, s.size, s.type, s.bind, s.bind === STB_LOCAL ? file : -1], order: s.index });
}
rows.sort((a, b) => a.row[1] - b.row[1] || a.order - b.order);
// kernelRelease: vmlinux's own "Linux version X" banner.
const banner = /Linux version (\S+)/.exec(new TextDecoder("latin1").decode(readFileSync(vmlinuxPath)));
const out: VmlinuxSymbolsFile = {
  version: 1,
  kernelRelease: banner?.[1] ?? "unknown",
  files,
  symbols: rows.map((r) => r.row),
};
// One symbol a line: readable in a diff, still compact.
writeFileSync(
  outPath,
  `{"version":1,"kernelRelease":${JSON.stringify(out.kernelRelease)},"files":${JSON.stringify(files)},"symbols":[\n` +
    out.symbols.map((r) => JSON.stringify(r)).join(",\n") +
    "\n]}\n",
);
console.error(`vmlinux-symbols: ${out.symbols.length} symbols, ${files.length} files -> ${outPath}`);
