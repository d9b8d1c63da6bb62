// The committed images must be exactly what the committed recipe produces:
// the manifest's recipe hash matches images/ and the src/ modules its tools
// run, and every artifact is present with the size and hash the manifest records.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { imagesDir, loadManifest, REPO_DIR } from "../../src/node/images/store.ts";
import { checkRecipe } from "../../src/node/images/recipe-hash.ts";
import { entryType, type BasefsEntry, type BasefsIndex } from "../../src/common/images/basefs.ts";

const dir = imagesDir();
const manifest = loadManifest(dir);

describe("images manifest", () => {
  it("was built from the committed recipe (rerun `npm run images` after changing images/)", () => {
    expect(checkRecipe(manifest.recipeHash, join(REPO_DIR, "images"))).toEqual({ ok: true });
  });

  it("lists artifacts that are present with their recorded size and sha256", () => {
    for (const [name, a] of Object.entries(manifest.artifacts)) {
      const data = readFileSync(join(dir, a.file));
      expect(data.length, name).toBe(a.size);
      expect(createHash("sha256").update(data).digest("hex"), name).toBe(a.sha256);
    }
    for (const name of ["bzImage", "initramfs", "bios", "vgaBios", "kbuild", "vmlinuxSymbols", "klpLayout", "targetState", "builderState"]) expect(manifest.artifacts[name], name).toBeDefined();
  });

  it("names the v86 version the images (and snapshots) were made with", () => {
    const pkg = JSON.parse(
      readFileSync(join(dirname(createRequire(import.meta.url).resolve("v86")), "../package.json"), "utf8"),
    ) as { version: string };
    expect(manifest.v86Version).toBe(pkg.version);
  });

  it("has every file of the toolchain image that its index names, and the counts the manifest records", () => {
    const indexPath = join(dir, manifest.toolchain.basefs);
    const index = JSON.parse(readFileSync(indexPath, "utf8")) as BasefsIndex;
    const filesDir = join(dir, dirname(manifest.toolchain.basefs), "files");
    const files = new Set(readdirSync(filesDir));
    let count = 0;
    const walk = (entries: BasefsEntry[]): void => {
      for (const e of entries) {
        if (Array.isArray(e[6])) walk(e[6]);
        else if (entryType(e) === "file") {
          count++;
          expect(files.has(e[6]), e[0]).toBe(true);
        }
      }
    };
    walk(index.fsroot);
    expect(count).toBeGreaterThan(1000);
    // As publish.ts counted them: a files/ directory left from another build, or a partial copy, differs here.
    let bytes = statSync(indexPath).size;
    for (const f of files) bytes += statSync(join(filesDir, f)).size;
    expect(files.size).toBe(manifest.toolchain.files);
    expect(bytes).toBe(manifest.toolchain.bytes);
    expect(index.size).toBe(manifest.toolchain.decodedBytes);
  });
});
