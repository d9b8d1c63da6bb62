// Turns a staged directory tree into a v86 9p "basefs": an index (fs.json,
// format version 3: [name, size, mtime, mode, uid, gid, sha256|children|target])
// and content-addressed files, zstd-compressed (v86 decompresses "<hash>.zst"
// on first read, so a compile only downloads the files it opens).
//
// usage: tsx make-basefs.ts <stage dir> <out dir>
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";

const [stage, out] = process.argv.slice(2);
if (!stage || !out) {
  console.error("usage: make-basefs.ts <stage dir> <out dir>");
  process.exit(2);
}

type Entry = [string, number, number, number, number, number, string | Entry[]];
const MTIME = Number(process.env.SOURCE_DATE_EPOCH ?? 0);
const filesDir = join(out, "files");
rmSync(out, { recursive: true, force: true });
mkdirSync(filesDir, { recursive: true });

let totalSize = 0;
let fileCount = 0;
const fresh: string[] = [];

function build(dir: string): Entry[] {
  const entries: Entry[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = lstatSync(path);
    const mode = st.mode;
    if (st.isDirectory()) {
      entries.push([name, 0, MTIME, mode, 0, 0, build(path)]);
    } else if (st.isSymbolicLink()) {
      entries.push([name, 0, MTIME, mode, 0, 0, readlinkSync(path)]);
    } else if (st.isFile()) {
      const data = readFileSync(path);
      const hash = createHash("sha256").update(data).digest("hex");
      const stored = `${hash}.zst`;
      if (!existsSync(join(filesDir, stored)) && !existsSync(join(filesDir, hash))) {
        writeFileSync(join(filesDir, hash), data);
        fresh.push(hash);
      }
      entries.push([name, data.length, MTIME, mode, 0, 0, stored]);
      totalSize += data.length;
      fileCount++;
    }
  }
  return entries;
}

const fsroot = build(stage);
// One zstd run for all files: --rm replaces each <hash> with <hash>.zst.
for (let i = 0; i < fresh.length; i += 500) {
  execFileSync("zstd", ["-q", "-19", "-T0", "--rm", "--no-progress", ...fresh.slice(i, i + 500)], { cwd: filesDir });
}
writeFileSync(join(out, "fs.json"), JSON.stringify({ version: 3, size: totalSize, fsroot }));
let stored = 0;
for (const f of readdirSync(filesDir)) stored += statSync(join(filesDir, f)).size;
console.error(`make-basefs: ${fileCount} files (${fresh.length} distinct), ${(totalSize / 1e6).toFixed(1)} MB -> ${(stored / 1e6).toFixed(1)} MB zstd`);
