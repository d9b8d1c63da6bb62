import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Hash of the image recipe: every file under images/ except the work dir, as
 * `sha256sum` would list them (sorted by path), hashed again. CI compares it
 * with the committed manifest so stale images cannot slip in.
 */
export function recipeHash(imagesDir: string): string {
  const files: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(imagesDir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (r === ".work") continue;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) files.push(r);
    }
  };
  walk("");
  files.sort();
  const listing = files
    .map((f) => `${createHash("sha256").update(readFileSync(join(imagesDir, f))).digest("hex")}  ${f}\n`)
    .join("");
  return createHash("sha256").update(listing).digest("hex");
}
