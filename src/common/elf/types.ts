/** The ELF header fields that are not derived from the rest of the file. */
export interface ElfHeader {
  /** e_ident[EI_OSABI]; 0 (System V) for everything gcc and ld produce here. */
  osabi: number;
  /** e_ident[EI_ABIVERSION]. */
  abiVersion: number;
  /** e_type: ET_REL for .o and .ko files. */
  type: number;
  /** e_machine: EM_386. */
  machine: number;
  /** e_version. */
  version: number;
  entry: number;
  flags: number;
  /**
   * Index of the section-name string table, already resolved through
   * section 0's sh_link when the file uses extended numbering (SHN_XINDEX).
   * 0 means the file has no section names.
   */
  shstrndx: number;
}

export interface ElfSection {
  name: string;
  /**
   * sh_name as read from the file. The writer keeps the original .shstrtab
   * (and so stays byte-identical) as long as every section's name can still be
   * found at its nameIndex; leave it undefined for new sections.
   */
  nameIndex?: number;
  type: number;
  flags: number;
  addr: number;
  /** sh_offset in the file this came from; informational, the writer recomputes it. */
  offset: number;
  /**
   * sh_size. For SHT_NOBITS it is the only record of the size (data is
   * empty); for every other type except SHT_NULL it must equal data.length.
   */
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
  /** A copy of the section contents; empty for SHT_NOBITS and SHT_NULL. */
  data: Uint8Array;
}

export interface ElfProgramHeader {
  type: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  flags: number;
  align: number;
}

export interface ElfFile {
  header: ElfHeader;
  /** Indexed like the section header table: sections[0] is the null section. */
  sections: ElfSection[];
  /**
   * Parsed so ET_EXEC/ET_DYN files can be inspected; the writer only lays out
   * files without program headers.
   */
  programHeaders?: ElfProgramHeader[];
}
