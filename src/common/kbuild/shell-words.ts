/**
 * Splits a kbuild command line into argv the way /bin/sh would. kbuild's
 * saved commands use only words, single and double quotes and backslashes
 * (e.g. -DKBUILD_MODNAME='"proc"'); anything needing a real shell (pipes,
 * expansions, redirections) is rejected rather than guessed at.
 */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === " " || c === "\t" || c === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' at column ${i + 1}`);
      word += command.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      i++;
      for (; i < command.length && command[i] !== '"'; i++) {
        const d = command[i]!;
        if (d === "\\" && i + 1 < command.length && '"\\$`'.includes(command[i + 1]!)) word += command[++i];
        else if (d === "$" || d === "`") throw new Error(`shell expansion at column ${i + 1} is not supported`);
        else word += d;
      }
      if (i >= command.length) throw new Error('unterminated " in command');
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 < command.length) word += command[++i];
      inWord = true;
    } else if ("|&;<>()$`*?[]#~".includes(c) && !(c === "#" && inWord) && !(c === "~" && inWord)) {
      throw new Error(`'${c}' at column ${i + 1} needs a shell; kbuild compile commands do not use it`);
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
