// Moved to src/common/machine/profiles.ts. This path stays only because the
// image recipe names it (images/tools/make-snapshots.ts imports it,
// images/build.sh hashes it into the snapshot stamp); it goes when the recipe
// moves to the new path with the next image rebuild.
export * from "../machine/profiles.ts";
