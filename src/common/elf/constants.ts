// ELF32 constants used by the playground. Values follow the System V gABI and
// the i386 psABI; only what an i386 kernel module build needs is listed, plus
// the Linux livepatch extensions.

// --- identification / header ---------------------------------------------

export const ELFMAG = Object.freeze([0x7f, 0x45, 0x4c, 0x46]) as readonly number[];
export const EI_CLASS = 4;
export const EI_DATA = 5;
export const EI_VERSION = 6;
export const EI_OSABI = 7;
export const EI_ABIVERSION = 8;
export const EI_NIDENT = 16;

export const ELFCLASSNONE = 0;
export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;

export const ELFDATANONE = 0;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;

export const EV_NONE = 0;
export const EV_CURRENT = 1;

export const ELFOSABI_SYSV = 0;
export const ELFOSABI_GNU = 3;

export const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

export const EM_NONE = 0;
export const EM_386 = 3;

/** On-disk sizes of the ELF32 structures. */
export const EHDR_SIZE = 52;
export const PHDR_SIZE = 32;
export const SHDR_SIZE = 40;
export const SYM_SIZE = 16;
export const REL_SIZE = 8;
export const RELA_SIZE = 12;

// --- section types ---------------------------------------------------------

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_HASH = 5;
export const SHT_DYNAMIC = 6;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_SHLIB = 10;
export const SHT_DYNSYM = 11;
export const SHT_INIT_ARRAY = 14;
export const SHT_FINI_ARRAY = 15;
export const SHT_PREINIT_ARRAY = 16;
export const SHT_GROUP = 17;
export const SHT_SYMTAB_SHNDX = 18;
export const SHT_LOOS = 0x60000000;
export const SHT_GNU_ATTRIBUTES = 0x6ffffff5;
export const SHT_GNU_HASH = 0x6ffffff6;
export const SHT_GNU_VERDEF = 0x6ffffffd;
export const SHT_GNU_VERNEED = 0x6ffffffe;
export const SHT_GNU_VERSYM = 0x6fffffff;
export const SHT_LOPROC = 0x70000000;
export const SHT_HIPROC = 0x7fffffff;
export const SHT_LOUSER = 0x80000000;
export const SHT_HIUSER = 0xffffffff;

// --- section flags -----------------------------------------------------------
// SHF_EXCLUDE is bit 31: combine flags with `|` and test them with
// `(flags & X) !== 0`, never `> 0`, because JS bitwise results are signed.

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_MERGE = 0x10;
export const SHF_STRINGS = 0x20;
export const SHF_INFO_LINK = 0x40;
export const SHF_LINK_ORDER = 0x80;
export const SHF_OS_NONCONFORMING = 0x100;
export const SHF_GROUP = 0x200;
export const SHF_TLS = 0x400;
export const SHF_COMPRESSED = 0x800;
export const SHF_MASKOS = 0x0ff00000;
/** Linux: a `.klp.rela.<objname>.<section>` section the livepatch core applies itself. */
export const SHF_RELA_LIVEPATCH = 0x00100000;
export const SHF_GNU_RETAIN = 0x00200000;
export const SHF_MASKPROC = 0xf0000000;
export const SHF_EXCLUDE = 0x80000000;

/** Flag word of an SHT_GROUP section. */
export const GRP_COMDAT = 0x1;

// --- special section indexes -------------------------------------------------

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_LOPROC = 0xff00;
export const SHN_HIPROC = 0xff1f;
export const SHN_LOOS = 0xff20;
/** Linux: symbol resolved by the livepatch core (`.klp.sym.<objname>.<name>,<pos>`). */
export const SHN_LIVEPATCH = 0xff20;
export const SHN_HIOS = 0xff3f;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;
export const SHN_HIRESERVE = 0xffff;

// --- symbols -----------------------------------------------------------------

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
export const STB_GNU_UNIQUE = 10;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STT_COMMON = 5;
export const STT_TLS = 6;
export const STT_GNU_IFUNC = 10;

export const STV_DEFAULT = 0;
export const STV_INTERNAL = 1;
export const STV_HIDDEN = 2;
export const STV_PROTECTED = 3;

// --- program headers -----------------------------------------------------------

export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_EH_FRAME = 0x6474e550;
export const PT_GNU_STACK = 0x6474e551;
export const PT_GNU_RELRO = 0x6474e552;

// --- i386 relocation types -------------------------------------------------------

export const R_386_NONE = 0;
export const R_386_32 = 1;
export const R_386_PC32 = 2;
export const R_386_GOT32 = 3;
export const R_386_PLT32 = 4;
export const R_386_COPY = 5;
export const R_386_GLOB_DAT = 6;
export const R_386_JMP_SLOT = 7;
export const R_386_RELATIVE = 8;
export const R_386_GOTOFF = 9;
export const R_386_GOTPC = 10;
export const R_386_32PLT = 11;
export const R_386_TLS_TPOFF = 14;
export const R_386_TLS_IE = 15;
export const R_386_TLS_GOTIE = 16;
export const R_386_TLS_LE = 17;
export const R_386_TLS_GD = 18;
export const R_386_TLS_LDM = 19;
export const R_386_16 = 20;
export const R_386_PC16 = 21;
export const R_386_8 = 22;
export const R_386_PC8 = 23;
export const R_386_TLS_GD_32 = 24;
export const R_386_TLS_GD_PUSH = 25;
export const R_386_TLS_GD_CALL = 26;
export const R_386_TLS_GD_POP = 27;
export const R_386_TLS_LDM_32 = 28;
export const R_386_TLS_LDM_PUSH = 29;
export const R_386_TLS_LDM_CALL = 30;
export const R_386_TLS_LDM_POP = 31;
export const R_386_TLS_LDO_32 = 32;
export const R_386_TLS_IE_32 = 33;
export const R_386_TLS_LE_32 = 34;
export const R_386_TLS_DTPMOD32 = 35;
export const R_386_TLS_DTPOFF32 = 36;
export const R_386_TLS_TPOFF32 = 37;
export const R_386_SIZE32 = 38;
export const R_386_TLS_GOTDESC = 39;
export const R_386_TLS_DESC_CALL = 40;
export const R_386_TLS_DESC = 41;
export const R_386_IRELATIVE = 42;
export const R_386_GOT32X = 43;

// --- names, for messages and UIs ---------------------------------------------------

const SECTION_TYPE_NAMES: Readonly<Record<number, string>> = {
  [SHT_NULL]: "SHT_NULL",
  [SHT_PROGBITS]: "SHT_PROGBITS",
  [SHT_SYMTAB]: "SHT_SYMTAB",
  [SHT_STRTAB]: "SHT_STRTAB",
  [SHT_RELA]: "SHT_RELA",
  [SHT_HASH]: "SHT_HASH",
  [SHT_DYNAMIC]: "SHT_DYNAMIC",
  [SHT_NOTE]: "SHT_NOTE",
  [SHT_NOBITS]: "SHT_NOBITS",
  [SHT_REL]: "SHT_REL",
  [SHT_SHLIB]: "SHT_SHLIB",
  [SHT_DYNSYM]: "SHT_DYNSYM",
  [SHT_INIT_ARRAY]: "SHT_INIT_ARRAY",
  [SHT_FINI_ARRAY]: "SHT_FINI_ARRAY",
  [SHT_PREINIT_ARRAY]: "SHT_PREINIT_ARRAY",
  [SHT_GROUP]: "SHT_GROUP",
  [SHT_SYMTAB_SHNDX]: "SHT_SYMTAB_SHNDX",
  [SHT_GNU_ATTRIBUTES]: "SHT_GNU_ATTRIBUTES",
  [SHT_GNU_HASH]: "SHT_GNU_HASH",
  [SHT_GNU_VERDEF]: "SHT_GNU_VERDEF",
  [SHT_GNU_VERNEED]: "SHT_GNU_VERNEED",
  [SHT_GNU_VERSYM]: "SHT_GNU_VERSYM",
};

const RELOC_TYPE_NAMES: Readonly<Record<number, string>> = {
  [R_386_NONE]: "R_386_NONE",
  [R_386_32]: "R_386_32",
  [R_386_PC32]: "R_386_PC32",
  [R_386_GOT32]: "R_386_GOT32",
  [R_386_PLT32]: "R_386_PLT32",
  [R_386_COPY]: "R_386_COPY",
  [R_386_GLOB_DAT]: "R_386_GLOB_DAT",
  [R_386_JMP_SLOT]: "R_386_JMP_SLOT",
  [R_386_RELATIVE]: "R_386_RELATIVE",
  [R_386_GOTOFF]: "R_386_GOTOFF",
  [R_386_GOTPC]: "R_386_GOTPC",
  [R_386_32PLT]: "R_386_32PLT",
  [R_386_TLS_TPOFF]: "R_386_TLS_TPOFF",
  [R_386_TLS_IE]: "R_386_TLS_IE",
  [R_386_TLS_GOTIE]: "R_386_TLS_GOTIE",
  [R_386_TLS_LE]: "R_386_TLS_LE",
  [R_386_TLS_GD]: "R_386_TLS_GD",
  [R_386_TLS_LDM]: "R_386_TLS_LDM",
  [R_386_16]: "R_386_16",
  [R_386_PC16]: "R_386_PC16",
  [R_386_8]: "R_386_8",
  [R_386_PC8]: "R_386_PC8",
  [R_386_TLS_GD_32]: "R_386_TLS_GD_32",
  [R_386_TLS_GD_PUSH]: "R_386_TLS_GD_PUSH",
  [R_386_TLS_GD_CALL]: "R_386_TLS_GD_CALL",
  [R_386_TLS_GD_POP]: "R_386_TLS_GD_POP",
  [R_386_TLS_LDM_32]: "R_386_TLS_LDM_32",
  [R_386_TLS_LDM_PUSH]: "R_386_TLS_LDM_PUSH",
  [R_386_TLS_LDM_CALL]: "R_386_TLS_LDM_CALL",
  [R_386_TLS_LDM_POP]: "R_386_TLS_LDM_POP",
  [R_386_TLS_LDO_32]: "R_386_TLS_LDO_32",
  [R_386_TLS_IE_32]: "R_386_TLS_IE_32",
  [R_386_TLS_LE_32]: "R_386_TLS_LE_32",
  [R_386_TLS_DTPMOD32]: "R_386_TLS_DTPMOD32",
  [R_386_TLS_DTPOFF32]: "R_386_TLS_DTPOFF32",
  [R_386_TLS_TPOFF32]: "R_386_TLS_TPOFF32",
  [R_386_SIZE32]: "R_386_SIZE32",
  [R_386_TLS_GOTDESC]: "R_386_TLS_GOTDESC",
  [R_386_TLS_DESC_CALL]: "R_386_TLS_DESC_CALL",
  [R_386_TLS_DESC]: "R_386_TLS_DESC",
  [R_386_IRELATIVE]: "R_386_IRELATIVE",
  [R_386_GOT32X]: "R_386_GOT32X",
};

/** "SHT_REL", or the number in hex when the type is not one we know. */
export function sectionTypeName(type: number): string {
  return SECTION_TYPE_NAMES[type] ?? `0x${(type >>> 0).toString(16)}`;
}

/** "R_386_PC32", or the number when the type is not an i386 one we know. */
export function relocTypeName(type: number): string {
  return RELOC_TYPE_NAMES[type] ?? `R_386_<${type}>`;
}
