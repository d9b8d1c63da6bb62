// The work in progress survives reloads: the patch, the edited sources and
// the open tabs, in localStorage (small, synchronous, enough for text).
//
// Stored records are versioned. A record of an older version is read and
// upgraded; one that is damaged, or written by a newer version of the page
// (an older page served from the offline cache after a newer one ran), is
// never overwritten silently: it is moved to its own key, the page starts
// without it and says so, and the person can save it as a file.

export interface SavedWork {
  diff: string;
  /** Edited text per tree path. */
  sources: Record<string, string>;
  /** Open source tabs, and the active one ("patch.diff" or a path). */
  tabs: string[];
  active: string;
}

/** The record as stored. Version 1 was the work itself with `version: 1` in it; 2 wraps it and says when it was saved. */
interface StoredWorkV2 {
  version: 2;
  savedAt: number;
  work: SavedWork;
}
export const STORE_VERSION = 2;

const KEY = "klp-playground:work";
/** Where the previous patch goes when a share link or sample replaces it. */
const PREVIOUS_KEY = "klp-playground:previous";
/** Records that could not be read are kept under this prefix + their key + the time they were set aside. */
export const SET_ASIDE_PREFIX = "klp-playground:set-aside:";

/** Why a stored record was set aside (stable: tests and messages key on it). */
export type SetAsideReason = "damaged" | "newer-version";

export interface SetAside {
  reason: SetAsideReason;
  /** The key it now lives under. */
  key: string;
  /** Its text, unchanged. */
  text: string;
  message: string;
}

/** The few Storage methods used: localStorage, or a stand-in in tests. */
export type KeyValueStore = Pick<Storage, "getItem" | "setItem" | "removeItem">;

const storage = (): KeyValueStore | undefined => {
  try {
    return localStorage;
  } catch {
    return undefined; // storage disabled (a sandboxed frame, privacy settings): the page works, it just won't remember
  }
};

function isWork(v: unknown): v is SavedWork {
  if (typeof v !== "object" || v === null) return false;
  const w = v as Partial<SavedWork>;
  return (
    typeof w.diff === "string" &&
    typeof w.sources === "object" &&
    w.sources !== null &&
    Object.values(w.sources).every((t) => typeof t === "string") &&
    Array.isArray(w.tabs) &&
    w.tabs.every((t) => typeof t === "string") &&
    typeof w.active === "string"
  );
}

const workOf = (w: SavedWork): SavedWork => ({ diff: w.diff, sources: w.sources, tabs: w.tabs, active: w.active });

/** A stored record's work, upgraded from older versions; a reason when it cannot be read. */
export function parseStored(text: string): { work: SavedWork } | { reason: SetAsideReason } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { reason: "damaged" };
  }
  const version = typeof v === "object" && v !== null ? (v as { version?: unknown }).version : undefined;
  if (typeof version === "number" && version > STORE_VERSION) return { reason: "newer-version" };
  if (version === 1 && isWork(v)) return { work: workOf(v) };
  if (version === 2 && isWork((v as Partial<StoredWorkV2>).work)) return { work: workOf((v as StoredWorkV2).work) };
  return { reason: "damaged" };
}

function setAside(store: KeyValueStore, key: string, text: string, reason: SetAsideReason, now: number): SetAside {
  let aside = `${SET_ASIDE_PREFIX}${key.replace(/^klp-playground:/, "")}:${now}`;
  try {
    store.setItem(aside, text);
    store.removeItem(key);
  } catch {
    // Full storage: leave the record where it is (this page then never saves over it, see write()) rather than lose it.
    aside = key;
  }
  const what = reason === "damaged" ? "could not be read (it is damaged)" : "was saved by a newer version of the playground";
  const where = aside === key ? `under “${key}”, and this page will not save over it` : `as “${aside}”`;
  return { reason, key: aside, text, message: `Your saved work ${what}. It is kept, untouched, in this browser's storage ${where}; the page started without it.` };
}

/** Keys whose record could not be read this session: never written over. */
const unreadable = new Set<string>();

function read(key: string, onSetAside?: (s: SetAside) => void, store = storage(), now = Date.now()): SavedWork | undefined {
  let text: string | null;
  try {
    text = store?.getItem(key) ?? null;
  } catch {
    return undefined;
  }
  if (text === null || !store) return undefined;
  const parsed = parseStored(text);
  if ("work" in parsed) return parsed.work;
  const aside = setAside(store, key, text, parsed.reason, now);
  if (store.getItem(key) !== null) unreadable.add(key);
  onSetAside?.(aside);
  return undefined;
}

function write(key: string, work: SavedWork, store = storage(), now = Date.now()): boolean {
  if (!store || unreadable.has(key)) return false;
  const record: StoredWorkV2 = { version: 2, savedAt: now, work: workOf(work) };
  try {
    store.setItem(key, JSON.stringify(record));
    return true;
  } catch {
    return false; // quota or privacy mode: the page still works, it just won't remember
  }
}

/** The saved work; a record that cannot be read is set aside and reported. */
export function loadWork(onSetAside?: (s: SetAside) => void, store?: KeyValueStore, now?: number): SavedWork | undefined {
  return read(KEY, onSetAside, store, now);
}

export function saveWork(work: SavedWork, store?: KeyValueStore, now?: number): boolean {
  return write(KEY, work, store, now);
}

export function backupPrevious(work: SavedWork): void {
  if (work.diff.trim() !== "") write(PREVIOUS_KEY, work);
}

export function loadPrevious(onSetAside?: (s: SetAside) => void): SavedWork | undefined {
  return read(PREVIOUS_KEY, onSetAside);
}

/** Saves at most every `delayMs`, and at once when the page is hidden or closed. */
export class DebouncedSaver {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly snapshot: () => SavedWork,
    private readonly delayMs = 400,
  ) {
    addEventListener("pagehide", () => this.flush());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.flush();
    });
  }

  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    saveWork(this.snapshot());
  }
}
