// The playground page: wires the editor, the terminal, the panels and the
// target machine together. Each part lives in its own module; this file only
// decides what happens when.
import { byId } from "./dom.ts";
import { RoadsLab } from "./lab/roads-lab.ts";
import { kernelVirtualToPhysical } from "../common/klp/run-pre/for-build.ts";
import { fetchManifest, imagesBaseFor } from "./images.ts";
import { ConsoleTerminal } from "./terminal/console-terminal.ts";
import { TargetClient } from "./target/target-client.ts";
import { LivepatchMonitor } from "./target/livepatch-monitor.ts";
import { applyModule, forcePatch, revertPatch, PatchLoadError, unloadReplaced } from "./target/patch-loader.ts";
import { KernelSources } from "./sources/kernel-sources.ts";
import { SourceBrowser } from "./sources/source-browser.ts";
import { renderStatus } from "./panels/status-pill.ts";
import { Notice } from "./panels/notice.ts";
import { CrashPanel } from "./panels/crash-panel.ts";
import { BuildPanel } from "./panels/build-panel.ts";
import { openWhatChanged } from "./panels/what-changed.ts";
import { renderLivepatchPanel, FORCE_WARNING } from "./panels/livepatch-panel.ts";
import { openSamplesDialog } from "./panels/samples-dialog.ts";
import { backupPrevious, DebouncedSaver, loadPrevious, loadWork } from "./persistence/store.ts";
import { showSetAside } from "./persistence/set-aside-notice.ts";
import { watchOffline } from "./offline/register.ts";
import { LabControls } from "./lab/lab-controls.ts";
import { parseEmbedPanes } from "./panels/embed-dialog.ts";
import { ViewControls, type Pane } from "./panels/view-controls.ts";
import { sampleById, SAMPLES, type Sample } from "../common/samples/index.ts";
import { BuildProgressView } from "./panels/build-progress.ts";
import { BuildFailure, workerBuilder, type BuildResult, type PatchBuilder } from "./build-client.ts";

const params = new URLSearchParams(location.search);
const embed = params.get("embed") === "1";
if (embed) document.body.classList.add("embed");
// Embed options (README "Embedding a lab"): which panes show, a read-only editor.
const embedPanes = embed ? parseEmbedPanes(params.get("panes")) : undefined;
if (embedPanes) {
  document.body.classList.toggle("embed-no-editor", !embedPanes.includes("editor"));
  document.body.classList.toggle("embed-no-terminal", !embedPanes.includes("terminal"));
}

const notice = new Notice(byId("notice"));
// The service worker reports a repaired cache entry during the first downloads: listen from the start.
const offlineUse = watchOffline({
  repaired: (path) => notice.show("warn", `A damaged copy of ${path} in this browser's offline cache was set aside and downloaded again.`),
  changedOnServer: (path) => notice.show("warn", `The site was updated while this page was open (${path} changed). Reload to use the new version; your patch is saved.`),
  updateReady: (activate) => notice.show("info", "A new version of the playground is ready.", { label: "Reload to use it", run: activate }),
  updatedElsewhere: () => notice.show("warn", "The playground was updated in another tab. Reload this one before you build; your patch is saved.", { label: "Reload", run: () => location.reload() }),
});
const statusPill = byId("status");
const bar = byId("progress-bar");
const imagesBase = imagesBaseFor(document.baseURI);
const buildBtn = byId<HTMLButtonElement>("build-btn");
const applyBtn = byId<HTMLButtonElement>("apply-btn");
const revertBtn = byId<HTMLButtonElement>("revert-btn");
const resetBtn = byId<HTMLButtonElement>("reset-btn");

// ---- terminal and target: first, so typing works from the first second ----
let term: ConsoleTerminal | undefined;
/** False until every part exists: the first status events arrive while the page is still being wired. */
let wired = false;
let crash: CrashPanel | undefined;
const target = new TargetClient({
  console: (bytes) => term?.write(bytes),
  progress: onProgress,
  status: (s, detail) => {
    renderStatus(statusPill, s, detail);
    updateButtons();
  },
  crash: (report) => crash?.show(report),
});
term = new ConsoleTerminal(byId("terminal"), (data) => target.send(data));
term.focus();
crash = new CrashPanel(byId("crash"), () => void resetTarget());
// Boot right away: the downloads overlap with setting up the editor.
const booting = target.boot(imagesBase);
booting.catch(() => {}); // reported below, once the page is wired

const downloads = new Map<string, [number, number]>();
function onProgress(name: string, done: number, total: number): void {
  downloads.set(name, [done, total]);
  let d = 0;
  let t = 0;
  for (const [a, b] of downloads.values()) {
    d += a;
    t += b;
  }
  bar.style.width = `${Math.min(100, (100 * d) / Math.max(t, 1))}%`;
  if (target.current === "booting") renderStatus(statusPill, "booting", `downloading ${(d / 1e6).toFixed(1)} / ${(t / 1e6).toFixed(1)} MB`);
}

// ---- editor, sources, persistence ----
const manifestPromise = fetchManifest(imagesBase);
const sources = new KernelSources(imagesBase, await manifestPromise);
// Monaco is most of the page's JavaScript: loaded after the terminal is up and the target is downloading.
const { PatchEditor, DIFF_TAB } = await import("./editor/patch-editor.ts");
const editor = new PatchEditor(byId("editor"), byId("tabs"), sources);
if (embed && params.get("readonly") === "1") editor.setLocked(true);
// One control scales every text; an embed starts from the panes its page chose, and remembers nothing.
const embedHidden: Pane[] = embedPanes ? (["build", "livepatch"] as const).filter((p) => !embedPanes.includes(p)) : [];
const view = new ViewControls({ setEditorFontSize: (px) => editor.setFontSize(px), setTerminalFontSize: (px) => term?.setFontSize(px) }, !embed, embed ? { hidden: embedHidden } : {});
const saver = new DebouncedSaver(() => editor.snapshot());
const browser = embed ? undefined : new SourceBrowser(byId("sources"), (path) => void editor.openSource(path));
sources.list().then(
  (entries) => browser?.setEntries(entries),
  (e: unknown) => browser?.failed(`file list unavailable: ${e instanceof Error ? e.message : String(e)}`),
);

const gotoInput = byId<HTMLInputElement>("goto-input");
const gotoList = byId<HTMLDataListElement>("goto-list");
// The build host starts in the background and precompiles the headers of
// the files the patch changes, so that Build compiles little more than the
// person's change. It waits for the target (the first thing a visitor sees);
// an embedded playground waits for the person to touch it, as a tutorial may
// embed several.
let prepareAllowed = false;
let prepareTimer: ReturnType<typeof setTimeout> | undefined;
let prepared: Promise<string[]> = Promise.resolve([]);
function schedulePrepare(delayMs = 1500): void {
  if (!prepareAllowed) return;
  clearTimeout(prepareTimer);
  prepareTimer = setTimeout(() => {
    prepared = builder.prepare(editor.getDiff());
  }, delayMs);
}
function allowPrepare(): void {
  if (prepareAllowed) return;
  prepareAllowed = true;
  schedulePrepare(embed ? 0 : 2000);
}
// Persist only the person's own work: an embedded tutorial sample must not overwrite it.
editor.onChange(() => {
  const text = editor.getDiff();
  if (text !== lastText) {
    lastText = text;
    // GCC's markers point at lines of the text that was built; after an edit they may point anywhere.
    editor.setBuildDiagnostics([]);
    if (hintFor !== undefined && text !== hintFor) {
      build.clearMessage("hint");
      hintFor = undefined;
    }
    showStaleness();
    updateButtons();
  }
  if (!embed) saver.schedule();
  refreshGotoList();
  schedulePrepare();
});
function refreshGotoList(): void {
  const names = editor.functionsOfActive().map((f) => f.name);
  if (gotoList.dataset.names === names.join(",")) return;
  gotoList.dataset.names = names.join(",");
  gotoList.replaceChildren(...names.map((n) => Object.assign(document.createElement("option"), { value: n })));
  gotoInput.placeholder = editor.activeTab() === DIFF_TAB ? "Go to function…" : `Go to function in ${editor.activeTab().split("/").pop()}…`;
}
byId("goto-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const name = gotoInput.value;
  void editor.goToFunction(name).then((found) => {
    if (found) gotoInput.value = "";
    else notice.show("info", `No function named “${name}” in the open files. Open its source file from the list on the left first.`);
  });
});

/** Replaces the patch, keeping the previous one recoverable. */
async function loadPatch(text: string, why: string): Promise<void> {
  const before = editor.snapshot();
  // An unedited sample is nobody's work: nothing to bring back.
  if (before.diff.trim() !== "" && before.diff !== text && !SAMPLES.some((x) => x.diff === before.diff)) {
    backupPrevious(before);
    notice.show("info", `${why} Your previous patch was kept.`, {
      label: "Bring it back",
      run: () => {
        const prev = loadPrevious((s) => showSetAside(notice, s));
        if (prev) void editor.restore(prev);
      },
    });
  } else {
    notice.show("info", why);
  }
  await editor.setDiff(text);
}

function chooseSample(sample: Sample): void {
  void loadPatch(sample.diff, `Loaded the lab “${sample.title}”: its steps are above the console.`).then(() => {
    labs.show(sample, "gallery");
    // The hint is about this text: an edit clears it (editor.onChange).
    hintFor = sample.diff;
    build.message("info", sample.refused ? `This lab's patch is refused on purpose: ${sample.refused}` : `Then: ${[...(sample.before ?? []).map((c) => `${c} (before Apply)`), ...sample.tryIt].join(" · ")} — the lab's steps and its Check are above the console.`, "hint");
  });
}

function newPatch(): void {
  labs.hide();
  void loadPatch("", "A new, empty patch: open a source file from the list and edit it (the diff writes itself), or type a diff into patch.diff.");
}

async function loadInitialWork(): Promise<void> {
  const saved = embed ? undefined : loadWork((s) => showSetAside(notice, s));
  const labId = params.get("lab") ?? params.get("sample");
  // A first visit opens on the first lab; saved work (an empty patch too) is the person's own.
  if (saved) await editor.restore(saved);
  else if (!labId && !embed) await editor.setDiff(SAMPLES[0]!.diff);
  if (labId) {
    const s = sampleById(labId);
    if (s) {
      await editor.setDiff(s.diff);
      labs.show(s, "gallery");
    } else notice.show("warn", `There is no lab “${labId}”. Available: ${SAMPLES.map((x) => x.id).join(", ")}.`);
  }
  await labs.loadFragment();
}

// ---- labs: the steps above the console, Check, and what travels with them ----
const labs = new LabControls({
  notice,
  diff: () => editor.getDiff(),
  loadPatch,
  type: (command) => {
    target.send(`${command}\r`);
    term?.focus();
  },
  exec: (command) => target.exec(command, 60_000),
  applied: () => applied !== undefined,
  embedPanes,
});

// ---- build, apply, revert ----
const build = new BuildPanel(byId("build"));
const builder: PatchBuilder = workerBuilder(imagesBase, (name, loaded, total) => BuildProgressView.current?.download(name, loaded, total));
build.onWhatChanged = () => openWhatChanged(() => builder.machineCode());

/** The diff text `built` was built from, and the editor's text at the last change. */
let builtFrom: string | undefined;
let lastText = "";
/** The diff a sample's "Then:" hint is about. */
let hintFor: string | undefined;
const isStale = (): boolean => built !== undefined && builtFrom !== editor.getDiff();
function showStaleness(): void {
  build.markStale(isStale() ? "the patch changed since this build; Apply builds the current text first" : undefined);
}

// Module names must differ between builds: the new patch replaces the loaded
// one atomically (klp_patch.replace), and both modules exist for a moment.
let buildCount = 0;
let built: BuildResult | undefined;
let building = false;
/** Apply or Revert running, or a replaced module waiting to be unloaded: neither button until it ends. */
let applying = false;
let reverting = false;
let replacing: string | undefined;
/** The builder worker has started once (downloads and resume are behind us). */
let builderStarted = false;
let applied: string | undefined;
/** A patch whose transition the summary line waits for (to say "applied" only when every task switched). */
let switching: string | undefined;
let monitor: LivepatchMonitor;

/** Builds the editor's text; true when it built. */
async function runBuild(): Promise<boolean> {
  if (building) return false;
  building = true;
  updateButtons();
  build.start();
  editor.setBuildDiagnostics([]);
  const diff = editor.getDiff();
  const progress = new BuildProgressView(build, { diff, cached: (p) => sources.cached(p), prepared: () => prepared, started: builderStarted });
  try {
    const r = await progress.watch(
      builder.build(diff, `playground_${++buildCount}`, {
        onStage: (s) => progress.stage(s),
        onLog: (t) => progress.log(t),
      }),
    );
    builderStarted = true;
    built = r;
    builtFrom = diff;
    build.succeeded(r);
    editor.setBuildDiagnostics(r.warnings);
    showStaleness();
    return true;
  } catch (e) {
    built = undefined;
    builtFrom = undefined;
    // Outside the pipeline (the worker or its build host did not start, or died): not the patch's fault, and no stage of it failed.
    const failure =
      e instanceof BuildFailure ? e : new BuildFailure({ stage: undefined, kind: "internal", code: "build-host-failed", message: `the build host is not available: ${e instanceof Error ? e.message : String(e)}`, detail: "" });
    build.failed(failure);
    editor.setBuildDiagnostics(failure.diagnostics);
    if (failure.code === "build-host-failed") {
      // A stalled or failed download, a build host that died: a fresh builder on the next try.
      builder.restart();
      builderStarted = false;
      notice.show("error", `The build did not run: ${failure.message}. Check the network connection, then retry.`, { label: "Retry the build", run: () => void runBuild() });
    }
    return false;
  } finally {
    progress.end();
    building = false;
    updateButtons();
  }
}

async function runApply(): Promise<void> {
  if (applying) return;
  applying = true;
  updateButtons();
  try {
    // A build belongs to its text: Apply never loads a module built from an older one.
    if (!built || isStale()) {
      if (!(await runBuild())) {
        build.note("Apply did not run: the current text does not build (see above).");
        return;
      }
    }
    const module = built!;
    const previous = applied;
    await target.act(`loading ${module.name}`, () => applyModule(target, module.name, module.module.slice()));
    applied = module.name;
    switching = module.name;
    build.message("info", `${module.name} loaded: each task switches to the new code once it is outside the patched functions. Watch the Live patch panel.`);
    // klp_patch.replace: the new patch supersedes the loaded one atomically (no moment without either);
    // the old module is unloaded once its patch is gone. Meanwhile the panel shows the new patch's transition.
    if (previous && previous !== module.name) {
      replacing = previous;
      void unloadReplaced(target, previous).finally(() => {
        replacing = undefined;
        monitor.follow();
        updateButtons();
      });
    }
  } catch (e) {
    build.message("error", e instanceof PatchLoadError ? e.message : `Apply failed: ${e instanceof Error ? e.message : String(e)}`);
    if (e instanceof PatchLoadError && e.detail) build.append(`${e.detail}\n`);
  } finally {
    applying = false;
    monitor.follow();
    updateButtons();
  }
}

async function runRevert(): Promise<void> {
  const name = applied ?? monitor.last.patches[0]?.name;
  if (!name || reverting) return;
  reverting = true;
  updateButtons();
  monitor.follow();
  build.message("info", `reverting ${name}: each task switches back once it is outside the patched functions…`);
  try {
    await target.act(`reverting ${name}`, () => revertPatch(target, name));
    applied = undefined;
    build.message("ok", `${name} reverted and unloaded: the original code runs again.`);
  } catch (e) {
    build.message("error", e instanceof Error ? e.message : String(e));
  }
  reverting = false;
  monitor.follow();
  updateButtons();
}

async function resetTarget(): Promise<void> {
  crash?.hide();
  monitor.clear();
  applied = undefined;
  term?.clear();
  try {
    await target.reset();
    term?.focus();
  } catch (e) {
    notice.show("error", `The target could not be restored: ${e instanceof Error ? e.message : String(e)}. Reload the page (your patch is saved).`);
  }
  updateButtons();
}

// ---- live patch panel ----
const lpHost = byId("livepatch");
monitor = new LivepatchMonitor(target, (state) => {
  if (switching) {
    const p = state.patches.find((x) => x.name === switching);
    if (!p) switching = undefined;
    else if (!p.transition && p.enabled) {
      build.message("ok", `${p.name} applied: every task now runs the new code.`);
      switching = undefined;
    } else if (p.transition) {
      const pending = state.tasks.filter((t) => t.pending).length;
      build.message("info", `${p.name} loaded, transition in progress: ${pending} task${pending === 1 ? "" : "s"} still in the patched functions (see the Live patch panel).`);
    }
  }
  renderLivepatchPanel(lpHost, state, {
    replacing,
    force: (p) => {
      if (confirm(FORCE_WARNING)) void target.act("forcing the transition", () => forcePatch(target, p)).finally(() => monitor.follow());
    },
  });
  byId("lp-refresh").textContent = state.transition ? "· refreshing every second" : "";
  if (!state.patches.some((p) => p.name === applied)) applied = undefined;
  if (!applied) applied = state.patches[0]?.name;
  updateButtons();
});
renderLivepatchPanel(lpHost, monitor.last, { force: () => {} });

// ---- header buttons and shortcuts ----

function updateButtons(): void {
  if (!wired) return;
  const up = target.current === "ready" || target.current === "busy";
  // One transition at a time: the kernel refuses a second while one runs, and the panel shows it.
  const inTransition = applying || reverting || replacing !== undefined || monitor.last.transition !== null;
  const loaded = built !== undefined && !isStale() && monitor.last.patches.some((p) => p.name === built!.name);
  buildBtn.disabled = building;
  applyBtn.disabled = building || !up || inTransition || loaded || editor.getDiff().trim() === "";
  applyBtn.title = inTransition
    ? "Wait for the transition to end (Live patch panel)"
    : !built || isStale()
      ? "Build the current text, then load it into the running kernel"
      : "Load the built module into the running kernel";
  revertBtn.disabled = !up || inTransition || (!applied && monitor.last.patches.length === 0);
  resetBtn.disabled = target.current === "booting" || target.current === "restoring";
}

buildBtn.addEventListener("click", () => void runBuild());
applyBtn.addEventListener("click", () => void runApply());
revertBtn.addEventListener("click", () => void runRevert());
resetBtn.addEventListener("click", () => void resetTarget());
byId("samples-btn").addEventListener("click", () => openSamplesDialog(byId<HTMLDialogElement>("samples-dialog"), chooseSample, openRoads));
byId("share-btn").addEventListener("click", () => void labs.share());
byId("new-btn").addEventListener("click", newPatch);
byId("embed-btn").addEventListener("click", () => labs.openEmbed());
// The "Three roads" lab: the same patch under each consistency model, side by side.
let roadsLab: RoadsLab | undefined;
byId("roads-btn").addEventListener("click", () => openRoads());
function openRoads(labId?: string): void {
  roadsLab ??= new RoadsLab({
    target: {
      reset: async () => void (await target.reset()),
      exec: (command, options) => target.exec(command, options?.timeoutMs ?? 120_000),
      putFile: (name, bytes) => target.putFile(name, bytes),
    },
    build: async (diff, name, onLine) => (await builder.build(diff, name, { onStage: (s) => onLine(s.name), onLog: (t) => onLine(t.trim().split("\n").pop() ?? "") })).module,
    runPre: async () => {
      const r = await builder.runPre((va, length) => target.readMemory(kernelVirtualToPhysical(va), length));
      return { checked: r.checked, ...(r.refusal ? { refusal: new Error(`${r.refusal.message}\n${r.refusal.detail}`) } : {}) };
    },
    editorDiff: () => editor.getDiff(),
    onTargetReset: () => {
      applied = undefined;
      monitor.follow();
      updateButtons();
    },
  });
  roadsLab.open(labId);
}
window.addEventListener(
  "keydown",
  (e) => {
    // Only Ctrl/Cmd+Enter: Ctrl+Alt+Enter is Monaco's Replace All, Shift variants are the editor's too.
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && !e.altKey && !e.shiftKey) {
      e.preventDefault();
      void runBuild();
    }
  },
  { capture: true },
);
editor.onBuildShortcut(() => void runBuild());


addEventListener("hashchange", () => void labs.loadFragment());

// ---- start ----
wired = true;
await loadInitialWork();
updateButtons();
booting.then(
  (r) => {
    bar.style.width = "0";
    byId("progress").classList.add("done");
    renderStatus(statusPill, "ready", `Linux ${r.kernelRelease}${r.restored ? ` · resumed in ${(r.startMs / 1000).toFixed(1)} s` : ""}`);
    (window as unknown as { klpReady: boolean }).klpReady = true;
    void monitor.refresh();
    // Offline use: once the target's downloads are done (the service worker's install then finds them in the HTTP cache),
    // and not while a Build runs: the install's precaching took 4 s of CPU and disk from a cold kernel/sys.c build.
    const offline = new Promise<boolean>((resolve) => {
      const whenIdle = () => (build.running ? setTimeout(whenIdle, 500) : resolve(offlineUse.register()));
      setTimeout(whenIdle, 1000);
    });
    const startPrepare = () => void Promise.race([offline, new Promise((r) => setTimeout(r, 10_000))]).then(allowPrepare);
    if (!embed) startPrepare();
    else for (const type of ["pointerdown", "keydown"]) byId("editor").addEventListener(type, startPrepare, { once: true });
  },
  (e: unknown) => {
    term?.write(`\r\n\x1b[31m${e instanceof Error ? e.message : String(e)}\x1b[0m\r\n`);
    notice.show("error", "The target machine failed to start. Reload the page to try again; your patch is saved.");
  },
);

// For the page tests: read the editor without scraping Monaco's DOM.
(window as unknown as { klpPage: object }).klpPage = {
  diff: () => editor.getDiff(),
  markers: () => editor.allMarkers(),
  /** The objects the build host last prepared in the background (for the page bench). */
  prepared: () => prepared,
  /** The effective text scale (View ▸ Text × present). */
  textScale: () => view.scale,
};
