import { shellWords } from "../kbuild/shell-words.ts";
import { retargetArgv } from "../kbuild/command.ts";
import { treePath } from "../kbuild/tree-path.ts";

/**
 * Command lines for compiling a kernel file through a precompiled header of
 * its include preamble (kbuild's -include files + the file's own #includes).
 *
 * The -include options become #include lines of the preamble header, found
 * through `-iquote <dir of the source> -iquote .` so every header is reached
 * by the same path string as in the plain compile (__FILE__ and the include
 * stack are unchanged). The body is the source with its preamble blanked out,
 * compiled at the source's own path so line numbers and .file stay the same.
 */
export interface PchCommands {
  /** Builds `${header}.gch` from the preamble header. */
  buildPch: string[];
  /** Compiles the (blanked) source through the PCH into outPath. */
  compileBody(outPath: string): string[];
  /** The preamble header's text: #include lines for the -include files, then the file's preamble. */
  headerText: string;
}

export function pchCommands(command: string, source: string, preamble: string, header: string): PchCommands {
  const argv = shellWords(command);
  const includes: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "-include" && i + 1 < argv.length) includes.push(argv[++i]!);
    else rest.push(argv[i]!);
  }
  const srcIndex = rest.lastIndexOf(source);
  if (srcIndex < 0) throw new Error(`the command does not compile ${source}`);
  const dir = source.includes("/") ? source.slice(0, source.lastIndexOf("/")) : ".";
  const search = ["-iquote", dir, "-iquote", "."];
  const headerText = includes.map((f) => `#include "${treePath(f) ?? f}"\n`).join("") + preamble;

  const build = rest.filter((_, i) => i !== srcIndex);
  build.splice(1, 0, ...search);
  const o = build.indexOf("-o");
  build[o + 1] = `${header}.gch`;
  for (let i = 0; i < build.length; i++) {
    if (/^-Wp,-M?MD,/.test(build[i]!)) build[i] = `-Wp,-MMD,${header}.d`;
  }
  build.push("-x", "c-header", header);

  return {
    buildPch: build,
    headerText,
    compileBody(outPath: string): string[] {
      const body = retargetArgv(rest, outPath);
      // -Winvalid-pch: if GCC ever refuses the PCH we want to know, not silently compile slower.
      body.splice(1, 0, ...search, "-include", header, "-Winvalid-pch");
      return body;
    },
  };
}
