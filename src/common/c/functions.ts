// "Go to function" in a C file without a C parser: each file-scope block
// whose head is `… name(…) [attributes] {` is a function definition, and
// SYSCALL_DEFINEn(name, …) is sys_name. Initializers (`= {`) and struct
// bodies are not.
import { fileScopeBlocks } from "./blocks.ts";
import { isIdentifier, tokenize, type CToken } from "./tokenize.ts";

export interface FunctionLocation {
  name: string;
  /** 1-based line of the definition (the line of its name). */
  line: number;
}

const SYSCALL = /^(?:COMPAT_)?SYSCALL_DEFINE\d$/;

const KEYWORDS = new Set([
  "if", "for", "while", "switch", "return", "sizeof", "do", "else", "case", "goto",
  "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool", "bool",
  "struct", "union", "enum", "typedef", "const", "volatile", "static", "extern", "inline", "register", "typeof", "__typeof__",
]);

// Annotations with arguments that kernel code writes around a function's
// name: `__printf(1, 2) int f(…)`, `void f(void) __releases(lock)`.
const ATTRIBUTES = new Set([
  "__attribute__", "__attribute", "__printf", "__scanf", "__section", "__aligned", "__alloc_size", "__assume_aligned",
  "__releases", "__acquires", "__must_hold", "__cond_acquires", "__cond_releases", "__diagnose_as", "__counted_by",
  "__nonnull", "__no_sanitize_address", "alignas", "_Alignas", "__cleanup",
]);

/** Function definitions in the file, in order. */
export function findFunctions(text: string): FunctionLocation[] {
  const tokens = tokenize(text);
  const found: FunctionLocation[] = [];
  for (const block of fileScopeBlocks(tokens)) {
    const name = functionName(tokens, block.start, block.open);
    if (name) found.push(name);
  }
  return found;
}

/** The name of the function whose body opens at `brace`, or undefined when the block is something else. */
function functionName(tokens: readonly CToken[], from: number, brace: number): FunctionLocation | undefined {
  let depth = 0;
  let candidate: FunctionLocation | undefined;
  for (let j = from; j < brace; j++) {
    const t = tokens[j]!;
    if (t.pp) continue;
    if (t.text === "(") {
      if (depth === 0) {
        const before = previous(tokens, j, from);
        if (before && SYSCALL.test(before.text)) {
          const arg = next(tokens, j, brace);
          if (arg && isIdentifier(arg.text)) candidate = { name: `sys_${arg.text}`, line: before.line };
        } else if (before && isIdentifier(before.text) && !KEYWORDS.has(before.text) && !ATTRIBUTES.has(before.text)) {
          // The last one wins: a macro call left without its `;` may come first.
          candidate = { name: before.text, line: before.line };
        }
      }
      depth++;
    } else if (t.text === ")") {
      // A head may start inside a macro call's arguments (after a `;` there): never below zero.
      depth = Math.max(0, depth - 1);
    } else if (depth === 0 && t.text === "=") {
      // What came before is a declarator being initialised (`x = {`, `DEFINE_PER_CPU(t, x) = {`), or junk
      // the brace counter took for part of this statement (assembly in an #ifdef __ASSEMBLY__ branch).
      candidate = undefined;
    }
  }
  return candidate;
}

function previous(tokens: readonly CToken[], at: number, from: number): CToken | undefined {
  for (let j = at - 1; j >= from; j--) if (!tokens[j]!.pp) return tokens[j];
  return undefined;
}

function next(tokens: readonly CToken[], at: number, limit: number): CToken | undefined {
  for (let j = at + 1; j < limit; j++) if (!tokens[j]!.pp) return tokens[j];
  return undefined;
}
