// "Go to function" in a C file without a C parser: kernel style puts a
// function's name at the start of a line followed by "(" (or the return type
// and the name on one line), and SYSCALL_DEFINEn(name, ...) for syscalls.

export interface FunctionLocation {
  name: string;
  /** 1-based line of the definition. */
  line: number;
}

const DEFINITION = /^(?:[A-Za-z_][\w\s*]*?[\s*])?([A-Za-z_]\w*)\s*\([^;]*$/;
const SYSCALL = /^(?:COMPAT_)?SYSCALL_DEFINE\d\((\w+)/;
const NOT_FUNCTIONS = new Set(["if", "for", "while", "switch", "return", "sizeof", "do", "else"]);

/** Function definitions in the file: a name( line whose body "{" starts on the same or a following line. */
export function findFunctions(text: string): FunctionLocation[] {
  const lines = text.split("\n");
  const found: FunctionLocation[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "" || /^[\s#/*}]/.test(line)) continue;
    const sys = SYSCALL.exec(line);
    const m = sys ?? DEFINITION.exec(line);
    if (!m || NOT_FUNCTIONS.has(m[1]!)) continue;
    // The body must open before a ";" (a prototype) within a few lines.
    for (let j = i; j < Math.min(lines.length, i + 8); j++) {
      const l = lines[j]!;
      if (j > i && l.startsWith("{")) {
        found.push({ name: sys ? `sys_${m[1]}` : m[1]!, line: i + 1 });
        break;
      }
      if (l.includes(";") || (j > i && l === "")) break;
      if (l.trimEnd().endsWith("{") && j === i && !sys) break; // a struct initialiser or macro call
    }
  }
  return found;
}
