#!/usr/bin/env node
// `npm run images:check`: were the committed images built from the committed
// recipe? Compares the manifest's recipe hash with images/ and the src/
// modules the image tools import (src/node/images/recipe-hash.ts).
import { register } from "tsx/esm/api";

register();
const { imagesDir, loadManifest, REPO_DIR } = await import("../src/node/images/store.ts");
const { checkRecipe } = await import("../src/node/images/recipe-hash.ts");
const { join } = await import("node:path");

const manifest = loadManifest();
const check = checkRecipe(manifest.recipeHash, join(REPO_DIR, "images"));
if (check.ok) {
  console.log(`images:check: ${imagesDir()} matches the recipe (${manifest.recipeHash.slice(0, 16)})`);
} else {
  console.error(`images:check: ${check.message}`);
  process.exitCode = 1;
}
