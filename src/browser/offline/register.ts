// The page's side of the service worker (service-worker.ts): registers it in
// the built site, says when a cached file was damaged and repaired, and offers
// a new version when one is installed — the switch is the person's, because a
// reload would throw away the running machine.
import { ACTIVATE_UPDATE, type OfflineMessage } from "../../common/offline/offline-manifest.ts";

export interface OfflineEvents {
  /** A cached file was damaged: set aside and fetched again. */
  repaired(path: string): void;
  /** A new version of the site is ready; `activate` switches to it (and reloads). */
  updateReady(activate: () => void): void;
  /** The server has other bytes than this version lists: it was updated under this page. */
  changedOnServer(path: string): void;
  /** Another tab switched to a new version: this page's code is the old one's, its files now the new one's. */
  updatedElsewhere(): void;
}

// MODE, not PROD: a build run under NODE_ENV=test (the page tests) is a built site all the same.
const enabled = () => import.meta.env.MODE !== "development" && "serviceWorker" in navigator;

/**
 * Listens to the service worker from the page's first moment: it reports a
 * repaired file while the page's first downloads run, and a message that
 * arrives with no listener is lost. Returns `register`, for later.
 */
export function watchOffline(events: OfflineEvents): { register(): Promise<boolean> } {
  /** This page asked for the new version: its controller change is the cue to reload. */
  let switching = false;
  if (enabled()) {
    const container = navigator.serviceWorker;
    container.addEventListener("message", (e: MessageEvent<OfflineMessage>) => {
      if (e.data?.type === "klp-cache-repaired") events.repaired(e.data.path);
      else if (e.data?.type === "klp-file-changed") events.changedOnServer(e.data.path);
    });
    // From the first moment as well: the page registers later (not while a Build runs), and another tab may switch versions before that.
    let controller = container.controller;
    container.addEventListener("controllerchange", () => {
      if (switching) location.reload();
      else if (controller) events.updatedElsewhere();
      controller = container.controller;
    });
  }
  return { register: () => registerOffline(events, () => (switching = true)) };
}

/**
 * Registers sw.js (built sites only: the dev server has none). Resolves when
 * a service worker controls this page, or at once when there will be none;
 * never rejects (without it the page still works online).
 */
async function registerOffline(events: OfflineEvents, switchRequested: () => void): Promise<boolean> {
  if (!enabled()) return false;
  const container = navigator.serviceWorker;
  let registration: ServiceWorkerRegistration;
  try {
    registration = await container.register(new URL("sw.js", document.baseURI), { scope: "./" });
  } catch (e) {
    console.warn(`offline use unavailable: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
  const offer = (waiting: ServiceWorker) =>
    events.updateReady(() => {
      switchRequested();
      waiting.postMessage({ type: ACTIVATE_UPDATE });
    });
  // Only an update waits: the first install activates by itself.
  const watch = (w: ServiceWorker | null) => {
    if (!w || !container.controller) return;
    if (w.state === "installed") offer(w);
    else w.addEventListener("statechange", () => w.state === "installed" && offer(w));
  };
  watch(registration.waiting ?? registration.installing);
  registration.addEventListener("updatefound", () => watch(registration.installing));
  if (container.controller) return true;
  return new Promise<boolean>((resolve) => {
    container.addEventListener("controllerchange", () => resolve(true), { once: true });
    // An install that fails (a download refused) leaves the page as it is.
    const w = registration.installing ?? registration.waiting;
    w?.addEventListener("statechange", () => w.state === "redundant" && resolve(false));
  });
}
