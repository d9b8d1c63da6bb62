// klp-convert for the image's hand-written test livepatch: every relocation
// against a symbol vmlinux does not export becomes a .klp.rela.vmlinux.<sec>
// (RELA, SHF_RELA_LIVEPATCH) entry against .klp.sym.vmlinux.<name>,<sympos>,
// per Documentation/livepatch/module-elf-format.rst. The livepatch core
// resolves those through kallsyms when the patch loads.
//
// usage: tsx klp-convert.ts <Module.symvers> <System.map> <in.ko> <out.ko>
import { readFileSync, writeFileSync } from "node:fs";
import {
  encodeRel,
  encodeRela,
  encodeSymbols,
  findSectionByType,
  implicitAddend,
  parseElf32,
  readRelocations,
  readSymbols,
  writeElf32,
  writeImplicitAddend,
  SHF_ALLOC,
  SHF_RELA_LIVEPATCH,
  SHN_LIVEPATCH,
  SHN_UNDEF,
  SHT_REL,
  SHT_RELA,
  SHT_SYMTAB,
  type ElfRelocation,
  type ElfSection,
} from "../../src/common/elf/index.ts";

const [symversPath, systemMapPath, inPath, outPath] = process.argv.slice(2);
if (!symversPath || !systemMapPath || !inPath || !outPath) {
  console.error("usage: klp-convert.ts <Module.symvers> <System.map> <in.ko> <out.ko>");
  process.exit(2);
}

const exported = new Set(
  readFileSync(symversPath, "utf8")
    .split("\n")
    .map((l) => l.split("\t")[1])
    .filter((n): n is string => !!n),
);
// How many vmlinux symbols carry each name: sympos 0 only names a unique one.
const nameCount = new Map<string, number>();
for (const line of readFileSync(systemMapPath, "utf8").split("\n")) {
  const name = line.split(" ")[2];
  if (name) nameCount.set(name, (nameCount.get(name) ?? 0) + 1);
}

const elf = parseElf32(new Uint8Array(readFileSync(inPath)));
const symtabIndex = findSectionByType(elf, SHT_SYMTAB);
const symbols = readSymbols(elf, symtabIndex);
const converted = new Set<number>();
for (const s of symbols) {
  if (s.index === 0 || s.shndx !== SHN_UNDEF || exported.has(s.name)) continue;
  const count = nameCount.get(s.name) ?? 0;
  if (count === 0) throw new Error(`${s.name} is neither exported nor a vmlinux symbol`);
  if (count > 1) throw new Error(`${s.name} names ${count} vmlinux symbols; this tool only handles unique ones`);
  converted.add(s.index);
  s.name = `.klp.sym.vmlinux.${s.name},0`;
  s.shndx = SHN_LIVEPATCH;
}
if (converted.size === 0) throw new Error("nothing to convert: the module references only exported symbols");

const added: ElfSection[] = [];
elf.sections.forEach((sec, i) => {
  if (sec.type !== SHT_REL || sec.link !== symtabIndex) return;
  const target = elf.sections[sec.info]!;
  const keep: ElfRelocation[] = [];
  const klp: ElfRelocation[] = [];
  for (const r of readRelocations(sec, target)) {
    if (!converted.has(r.symbol)) {
      keep.push(r);
      continue;
    }
    // RELA: the addend moves into the entry, and the place must hold zero
    // (the kernel checks, to catch relocations applied twice).
    klp.push({ ...r, addend: implicitAddend(target, r.offset, r.type) });
    writeImplicitAddend(target, r.offset, r.type, 0);
  }
  if (klp.length === 0) return;
  sec.data = encodeRel(keep);
  sec.size = sec.data.length;
  const data = encodeRela(klp);
  added.push({
    name: `.klp.rela.vmlinux.${target.name}`,
    type: SHT_RELA,
    flags: SHF_ALLOC | SHF_RELA_LIVEPATCH,
    addr: 0,
    offset: 0,
    size: data.length,
    link: symtabIndex,
    info: sec.info,
    addralign: 4,
    entsize: 12,
    data,
  });
  void i;
});

const encoded = encodeSymbols(symbols);
if (encoded.indexMap.some((to, from) => to !== from)) throw new Error("symbol order changed; relocations would need renumbering");
const symtab = elf.sections[symtabIndex]!;
const strtab = elf.sections[symtab.link]!;
symtab.data = encoded.symtab;
symtab.size = encoded.symtab.length;
strtab.data = encoded.strtab;
strtab.size = encoded.strtab.length;
elf.sections.push(...added);
writeFileSync(outPath, writeElf32(elf));
console.error(`klp-convert: ${[...converted].map((i) => symbols[i]!.name).join(", ")} in ${added.map((s) => s.name).join(", ")}`);
