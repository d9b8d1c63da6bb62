// Stored work is versioned: an older record loads, a damaged one or one from a
// newer page is set aside under its own key (never written over) with a message.
import { describe, expect, it } from "vitest";
import { loadWork, parseStored, saveWork, SET_ASIDE_PREFIX, type KeyValueStore, type SavedWork, type SetAside } from "../../../src/browser/persistence/store.ts";

class MemoryStore implements KeyValueStore {
  readonly items = new Map<string, string>();
  getItem(k: string): string | null {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.items.set(k, v);
  }
  removeItem(k: string): void {
    this.items.delete(k);
  }
}

const KEY = "klp-playground:work";
const work: SavedWork = { diff: "--- a/fs/proc/cmdline.c\n+++ b/fs/proc/cmdline.c\n", sources: { "fs/proc/cmdline.c": "int x;\n" }, tabs: ["fs/proc/cmdline.c"], active: "patch.diff" };

describe("stored work", () => {
  it("loads a record saved by the first version of the page (version 1, the work itself)", () => {
    const store = new MemoryStore();
    store.setItem(KEY, JSON.stringify({ version: 1, ...work }));
    const asides: SetAside[] = [];
    expect(loadWork((s) => asides.push(s), store)).toEqual(work);
    expect(asides).toEqual([]);
  });

  it("saves as version 2 and reads it back", () => {
    const store = new MemoryStore();
    expect(saveWork(work, store, 1234)).toBe(true);
    expect(JSON.parse(store.getItem(KEY)!)).toEqual({ version: 2, savedAt: 1234, work });
    expect(loadWork(undefined, store)).toEqual(work);
  });

  it("sets a damaged record aside with a message, and saving afterwards does not touch it", () => {
    for (const damaged of ['{"version":2,"work":{"diff":', '{"version":2,"work":{"diff":3}}', "null", '"text"', '{"version":1,"diff":"x","sources":{"a":1},"tabs":[],"active":""}']) {
      const store = new MemoryStore();
      store.setItem(KEY, damaged);
      const asides: SetAside[] = [];
      expect(loadWork((s) => asides.push(s), store, 99)).toBeUndefined();
      expect(asides).toHaveLength(1);
      expect(asides[0]).toMatchObject({ reason: "damaged", key: `${SET_ASIDE_PREFIX}work:99`, text: damaged });
      expect(asides[0]!.message).toContain(`${SET_ASIDE_PREFIX}work:99`);
      expect(store.getItem(`${SET_ASIDE_PREFIX}work:99`)).toBe(damaged);
      saveWork(work, store);
      expect(store.getItem(`${SET_ASIDE_PREFIX}work:99`)).toBe(damaged);
    }
  });

  it("sets aside a record from a newer page instead of reading it wrongly", () => {
    const newer = JSON.stringify({ version: 3, savedAt: 1, work: { patches: [] } });
    expect(parseStored(newer)).toEqual({ reason: "newer-version" });
    const store = new MemoryStore();
    store.setItem(KEY, newer);
    const asides: SetAside[] = [];
    expect(loadWork((s) => asides.push(s), store, 5)).toBeUndefined();
    expect(asides[0]).toMatchObject({ reason: "newer-version", text: newer });
    expect(asides[0]!.message).toContain("newer version");
  });

  // Last: the page then refuses to save for the rest of the session (module state), as it must.
  it("keeps a record it cannot move (storage full) and then never saves over it", () => {
    const store = new MemoryStore();
    store.setItem(KEY, "{broken");
    const full: KeyValueStore = {
      getItem: (k) => store.getItem(k),
      setItem: () => {
        throw new DOMException("quota", "QuotaExceededError");
      },
      removeItem: (k) => store.removeItem(k),
    };
    const asides: SetAside[] = [];
    expect(loadWork((s) => asides.push(s), full)).toBeUndefined();
    expect(asides[0]?.reason).toBe("damaged");
    expect(store.getItem(KEY)).toBe("{broken");
    expect(saveWork(work, store)).toBe(false);
    expect(store.getItem(KEY)).toBe("{broken");
  });
});
