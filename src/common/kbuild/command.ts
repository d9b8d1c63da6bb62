import { shellWords } from "./shell-words.ts";

/**
 * A recorded kbuild compile command, with its outputs moved elsewhere: the
 * object (-o) and the dependency file (-Wp,-MMD,…). The source path and every
 * other flag stay as recorded, so the object comes out byte-identical.
 */
export function retargetCompile(command: string, outPath: string): string[] {
  return retargetArgv(shellWords(command), outPath);
}

/** retargetCompile for an argv that is already split; returns a new array. */
export function retargetArgv(words: readonly string[], outPath: string): string[] {
  const argv = [...words];
  const o = argv.indexOf("-o");
  if (o < 0 || o + 1 >= argv.length) throw new Error("not a compile command: no -o");
  argv[o + 1] = outPath;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i]!.startsWith("-Wp,-MMD,") || argv[i]!.startsWith("-Wp,-MD,")) {
      argv[i] = argv[i]!.replace(/^(-Wp,-M?MD,).*$/, `$1${outPath}.d`);
    }
  }
  return argv;
}

/** Quotes argv for /bin/sh: plain words stay as they are, the rest in single quotes. */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}
