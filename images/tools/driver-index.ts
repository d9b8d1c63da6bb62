// Asks the build chroot's own gcc driver (`gcc -###`) what it runs for every
// C object of kbuild.json: the exact cc1 and as command lines. The
// WebAssembly compiler runs those two programs directly, so its objects come
// out byte-identical without re-implementing the driver's spec language.
//
// usage: tsx driver-index.ts <chroot> <kbuild.json> <driver.json>
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import type { KbuildIndex } from "../../src/common/kbuild/index-format.ts";
import { DRIVER_ASM_FILE, type DriverIndex } from "../../src/common/compile/driver-index.ts";

const [chroot, kbuildJson, outJson] = process.argv.slice(2);
if (!chroot || !kbuildJson || !outJson) {
  console.error("usage: driver-index.ts <chroot> <kbuild.json> <driver.json>");
  process.exit(2);
}

/** One line of `gcc -###`: words, double-quoted when they hold anything special. */
function driverWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " ") i++;
    if (i >= line.length) break;
    let word = "";
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\" && i + 1 < line.length) i++;
        word += line[i++];
      }
      i++;
    } else {
      while (i < line.length && line[i] !== " ") word += line[i++];
    }
    words.push(word);
  }
  return words;
}

function driverCommands(command: string): Promise<{ cc1: string[]; as: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "chroot",
      [chroot!, "/usr/bin/env", "-i", "PATH=/usr/bin:/bin", "LANG=C", "setarch", "i686", "sh", "-c", `cd /build/linux && ${command} -###`],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`gcc -### exited ${code}: ${err.slice(-400)}`));
      const lines = err.split("\n").filter((l) => l.startsWith(" "));
      const cc1 = lines.map(driverWords).find((w) => w[0]?.endsWith("/cc1"));
      const as = lines.map(driverWords).find((w) => w[0] === "as" || w[0]?.endsWith("/as"));
      if (!cc1 || !as) return reject(new Error(`no cc1/as in gcc -### output: ${err.slice(0, 400)}`));
      // The driver's temporary assembly file gets one fixed name.
      const temp = cc1[cc1.indexOf("-o") + 1];
      if (!temp || !temp.startsWith("/tmp/")) return reject(new Error(`cc1 writes no /tmp file: ${cc1.join(" ")}`));
      const swap = (w: string[]) => w.slice(1).map((a) => (a === temp ? DRIVER_ASM_FILE : a));
      resolve({ cc1: swap(cc1), as: swap(as) });
    });
  });
}

const kbuild = JSON.parse(readFileSync(kbuildJson, "utf8")) as KbuildIndex;
const names = Object.keys(kbuild.objects).filter((o) => kbuild.objects[o]!.language === "c").sort();
const index: DriverIndex = { version: 1, objects: {} };
let next = 0;
let failed = 0;
async function worker(): Promise<void> {
  while (next < names.length) {
    const name = names[next++]!;
    try {
      index.objects[name] = await driverCommands(kbuild.objects[name]!.command);
    } catch (e) {
      failed++;
      console.error(`driver-index: ${name}: ${(e as Error).message}`);
    }
  }
}
await Promise.all([worker(), worker(), worker(), worker()]);
if (failed) {
  console.error(`driver-index: ${failed} of ${names.length} objects failed`);
  process.exit(1);
}
// Stable key order, so an unchanged kernel gives an identical file.
const sorted: DriverIndex = { version: 1, objects: {} };
for (const name of names) sorted.objects[name] = index.objects[name]!;
writeFileSync(outJson, JSON.stringify(sorted));
console.error(`driver-index: ${names.length} objects`);
