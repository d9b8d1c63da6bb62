// Module.symvers: "<crc>\t<symbol>\t<module>\t<export type>[\t<namespace>]".
// Only what vmlinux exports can be resolved by the module loader.

export function parseModuleSymvers(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split("\n")) {
    const [, name, module] = line.split("\t");
    if (name && module === "vmlinux") out.add(name);
  }
  return out;
}
