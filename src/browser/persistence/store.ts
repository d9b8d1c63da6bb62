// The work in progress survives reloads: the patch, the edited sources and
// the open tabs, in localStorage (small, synchronous, enough for text).

export interface SavedWork {
  version: 1;
  diff: string;
  /** Edited text per tree path. */
  sources: Record<string, string>;
  /** Open source tabs, and the active one ("patch.diff" or a path). */
  tabs: string[];
  active: string;
}

const KEY = "klp-playground:work";
/** Where the previous patch goes when a share link or sample replaces it. */
const PREVIOUS_KEY = "klp-playground:previous";

function isSavedWork(v: unknown): v is SavedWork {
  if (typeof v !== "object" || v === null) return false;
  const w = v as Partial<SavedWork>;
  return w.version === 1 && typeof w.diff === "string" && typeof w.sources === "object" && Array.isArray(w.tabs) && typeof w.active === "string";
}

export function loadWork(): SavedWork | undefined {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(KEY) ?? "null");
    return isSavedWork(v) ? v : undefined;
  } catch {
    return undefined; // storage disabled or damaged: start fresh rather than fail
  }
}

function write(key: string, work: SavedWork): boolean {
  try {
    localStorage.setItem(key, JSON.stringify(work));
    return true;
  } catch {
    return false; // quota or privacy mode: the page still works, it just won't remember
  }
}

export function backupPrevious(work: SavedWork): void {
  if (work.diff.trim() !== "") write(PREVIOUS_KEY, work);
}

export function loadPrevious(): SavedWork | undefined {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(PREVIOUS_KEY) ?? "null");
    return isSavedWork(v) ? v : undefined;
  } catch {
    return undefined;
  }
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
    write(KEY, this.snapshot());
  }
}
