// `klp inspect`'s text: a person reading what a module will do to the kernel.
import type { ModuleInspection } from "./inspect.ts";

export function formatInspection(m: ModuleInspection): string[] {
  const lines: string[] = [];
  const kb = (n: number): string => (n >= 10_240 ? `${(n / 1024).toFixed(1)} KiB` : `${n} bytes`);
  lines.push(`module ${m.name}: ${kb(m.size.file)} on disk, ${kb(m.size.loaded)} loaded (${kb(m.size.text)} of code)`);
  const info = Object.entries(m.modinfo).filter(([k]) => k !== "name");
  if (info.length) lines.push(`  modinfo: ${info.map(([k, v]) => `${k}=${v}`).join(", ")}`);
  lines.push(`  klp_patch: replace=${m.replace ? "true (supersedes every patch loaded before it)" : "false"}`);
  lines.push(`klp_func (${m.functions.length}):`);
  for (const f of m.functions) lines.push(`  ${f.object}: ${f.oldName}  old_sympos=${f.oldSympos}${f.oldSympos === 0 ? " (unique name)" : ""}  -> ${f.newFunc}`);
  if (m.callbacks.length) {
    lines.push(`callbacks (${m.callbacks.length}):`);
    for (const c of m.callbacks) lines.push(`  ${c.object}: ${c.kind} -> ${c.function}`);
  }
  lines.push(`.klp.rela entries (${m.klpRelocations.length}), resolved by the livepatch core through kallsyms:`);
  for (const r of m.klpRelocations) {
    const addend = r.addend === 0 ? "" : r.addend > 0 ? ` + ${r.addend}` : ` - ${-r.addend}`;
    lines.push(`  ${r.section} @ ${r.place}: ${r.type} -> ${r.target.object}:${r.target.name},${r.target.sympos}${addend}`);
  }
  if (m.exportedReferences.length) lines.push(`exported symbols, resolved by the module loader (${m.exportedReferences.length}): ${m.exportedReferences.join(", ")}`);
  if (m.specialSections.length) {
    lines.push(`special sections (${m.specialSections.length}):`);
    for (const s of m.specialSections) lines.push(`  ${s.name}: ${s.entries !== undefined ? `${s.entries} entr${s.entries === 1 ? "y" : "ies"}` : `${s.size} bytes`} (${s.purpose})`);
  } else {
    lines.push("special sections: none");
  }
  return lines;
}
