import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { sourceImports } from "../source-imports.ts";

/**
 * The files the image recipe is made of, relative to images/: every file
 * under images/ except the work dir, and the src/ modules its tools import
 * (type-only imports run nothing). make-snapshots.ts boots the machines with
 * src/'s profiles (memory size, command line), so those are as much the
 * recipe as the scripts. One level only: what those modules import in turn
 * (the v86 façade, the ELF reader) changes with every refactor, and each
 * rebuild adds tens of MB to the history.
 */
export function recipeFiles(imagesDir: string): string[] {
  const own = imagesFiles(imagesDir);
  const root = resolve(imagesDir);
  const imported = new Set<string>();
  for (const f of own) {
    if (!/\.ts$/.test(f)) continue;
    const file = join(imagesDir, f);
    for (const i of sourceImports(readFileSync(file, "utf8"))) {
      if (i.typeOnly || !i.specifier.startsWith(".")) continue;
      const target = resolve(dirname(file), i.specifier);
      if (!target.startsWith(root + "/") && existsSync(target)) imported.add(relative(root, target));
    }
  }
  return [...own, ...imported].sort();
}

/**
 * Hash of the image recipe: its files (recipeFiles) as `sha256sum` would
 * list them, sorted by path, hashed again. The images' manifest records it,
 * and images:check and the images test compare, so stale images cannot slip in.
 */
export function recipeHash(imagesDir: string): string {
  return listingHash(imagesDir, recipeFiles(imagesDir));
}

/**
 * The hash as it was before it covered the src/ modules: images/ alone.
 * Only to tell a manifest written before the wider hash from a stale one.
 */
export function imagesOnlyRecipeHash(imagesDir: string): string {
  return listingHash(imagesDir, imagesFiles(imagesDir));
}

export type RecipeCheck = { ok: true } | { ok: false; why: "stale" | "predates-wider-hash"; message: string };

/** Whether images published with `manifestHash` were built from the recipe as it is now. */
export function checkRecipe(manifestHash: string, imagesDir: string): RecipeCheck {
  if (manifestHash === recipeHash(imagesDir)) return { ok: true };
  if (manifestHash === imagesOnlyRecipeHash(imagesDir)) {
    const src = recipeFiles(imagesDir).filter((f) => f.startsWith("../")).map((f) => f.slice(3));
    const named = src.filter((f) => /profiles|boot/.test(f));
    return {
      ok: false,
      why: "predates-wider-hash",
      message:
        `the images' manifest predates the wider recipe hash: images/ matches it, but the hash now also covers the ${src.length} src/ modules the image tools import ` +
        `(${named.join(", ")}, …), which this manifest cannot vouch for; rebuild the images once (npm run images) to record the wider hash`,
    };
  }
  return { ok: false, why: "stale", message: "the images were not built from the committed recipe (images/ and the src/ modules its tools import): rerun `npm run images`" };
}

function imagesFiles(imagesDir: string): string[] {
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
  return files.sort();
}

function listingHash(imagesDir: string, files: readonly string[]): string {
  const listing = files.map((f) => `${createHash("sha256").update(readFileSync(join(imagesDir, f))).digest("hex")}  ${f}\n`).join("");
  return createHash("sha256").update(listing).digest("hex");
}
