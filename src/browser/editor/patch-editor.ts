// The editor pane: one Monaco editor, a tab per model (patch.diff and the
// kernel source files opened from the browser), kept in sync both ways by
// sync.ts, with problems shown as markers on the right lines.
import { monaco, setupMonaco } from "./monaco.ts";
import { deriveSources, diffFromSources, pathsOfDiff, type SyncProblem } from "./sync.ts";
import { findFunctions } from "../../common/c/functions.ts";
import type { KernelSources } from "../sources/kernel-sources.ts";
import type { SavedWork } from "../persistence/store.ts";
import type { BuildDiagnostic } from "../build-client.ts";
import { el } from "../dom.ts";

export const DIFF_TAB = "patch.diff";
const SYNC_OWNER = "klp-sync";
const BUILD_OWNER = "klp-build";
const DEBOUNCE_MS = 200;

type Model = monaco.editor.ITextModel;

// In a diff every leading character means something: auto-indent and
// auto-closing would silently turn typed or pasted hunks into different ones.
const DIFF_TYPING: monaco.editor.IEditorOptions = { autoIndent: "none", autoClosingBrackets: "never", autoClosingQuotes: "never", autoSurround: "never", formatOnPaste: false };
const C_TYPING: monaco.editor.IEditorOptions = { autoIndent: "advanced", autoClosingBrackets: "languageDefined", autoClosingQuotes: "languageDefined", autoSurround: "languageDefined" };

export class PatchEditor {
  readonly editor: monaco.editor.IStandaloneCodeEditor;
  private readonly diffModel: Model;
  private readonly sourceModels = new Map<string, Model>();
  /** Current text of every file the patch touches (derived from the diff, or typed by the person). */
  private edited = new Map<string, string>();
  /** Edited sources from storage, used while the saved diff does not apply. */
  private fallback: Record<string, string> = {};
  private tabs: string[] = [];
  private active = DIFF_TAB;
  /** Set while we write into a model ourselves, so the change is not fed back. */
  private syncing = false;
  private diffBroken = false;
  private deriveSeq = 0;
  /** The latest diff -> sources derivation, awaited by lookups that need the edited files. */
  private derivation: Promise<void> = Promise.resolve();
  private diffTimer: ReturnType<typeof setTimeout> | undefined;
  private sourceTimer: ReturnType<typeof setTimeout> | undefined;
  private relatedProblems: SyncProblem[] = [];
  private readonly changeListeners = new Set<() => void>();
  private readonly viewStates = new Map<string, monaco.editor.ICodeEditorViewState | null>();
  /** A read-only embed: the tutorial's patch is shown, not edited. */
  private locked = false;

  constructor(
    host: HTMLElement,
    private readonly tabsHost: HTMLElement,
    private readonly sources: KernelSources,
  ) {
    setupMonaco();
    this.diffModel = monaco.editor.createModel("", "diff", monaco.Uri.parse("file:///patch.diff"));
    this.editor = monaco.editor.create(host, {
      model: this.diffModel,
      theme: "klp-dark",
      automaticLayout: true,
      fontSize: 14,
      fontFamily: "'JetBrains Mono', 'DejaVu Sans Mono', ui-monospace, monospace",
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      renderWhitespace: "selection",
      insertSpaces: false,
      tabSize: 8,
      detectIndentation: false,
      fixedOverflowWidgets: true,
      // A plain textarea rather than Chromium's EditContext: steadier with IMEs,
      // screen readers and test automation.
      editContext: false,
      ...DIFF_TYPING,
      readOnlyMessage: { value: "The diff does not apply yet: fix it in patch.diff (see the red marker) before editing the source." },
    });
    this.diffModel.onDidChangeContent(() => {
      if (this.syncing) return;
      this.emitChange();
      clearTimeout(this.diffTimer);
      this.diffTimer = setTimeout(() => void this.derive(), DEBOUNCE_MS);
    });
    this.renderTabs();
  }

  /** Called after every change to the work (for persistence). */
  onChange(listener: () => void): void {
    this.changeListeners.add(listener);
  }

  private emitChange(): void {
    for (const l of this.changeListeners) l();
  }

  getDiff(): string {
    return this.diffModel.getValue();
  }

  /** Replaces the patch (a sample, a share link); undoable with Ctrl+Z. */
  async setDiff(text: string): Promise<void> {
    this.replaceText(this.diffModel, text);
    this.show(DIFF_TAB);
    this.emitChange();
    await this.derive();
  }

  snapshot(): SavedWork {
    return { diff: this.getDiff(), sources: Object.fromEntries(this.edited), tabs: [...this.tabs], active: this.active };
  }

  async restore(work: SavedWork): Promise<void> {
    this.fallback = work.sources;
    this.replaceText(this.diffModel, work.diff);
    await this.derive();
    for (const path of work.tabs) await this.openSource(path, { focus: false });
    this.show(work.active === DIFF_TAB || this.tabs.includes(work.active) ? work.active : DIFF_TAB);
  }

  /** Opens (or switches to) a kernel source file, optionally at a line. */
  async openSource(path: string, opts: { line?: number; focus?: boolean } = {}): Promise<boolean> {
    let model = this.sourceModels.get(path);
    if (!model) {
      const pristine = await this.sources.load(path);
      if (pristine === undefined) return false;
      model = this.sourceModels.get(path); // opened meanwhile
      if (!model) {
        const text = this.edited.get(path) ?? this.fallback[path] ?? pristine;
        model = monaco.editor.createModel(text, path.endsWith(".c") || path.endsWith(".h") ? "c" : "plaintext", monaco.Uri.parse(`file:///linux/${path}`));
        const m = model;
        model.onDidChangeContent(() => this.onSourceEdited(path, m));
        this.sourceModels.set(path, model);
        this.applyRelatedMarkers();
      }
    }
    if (!this.tabs.includes(path)) this.tabs.push(path);
    if (opts.focus !== false) this.show(path);
    if (opts.line) this.revealLine(opts.line);
    this.renderTabs();
    this.emitChange();
    return true;
  }

  /** Functions defined in the active source file. */
  functionsOfActive(): { name: string; line: number }[] {
    return this.active === DIFF_TAB ? [] : findFunctions(this.editor.getModel()?.getValue() ?? "");
  }

  /** Go to function: in the active file, else in the files the patch touches. */
  async goToFunction(name: string): Promise<boolean> {
    const want = name.trim().replace(/\(\)$/, "");
    if (!want) return false;
    await this.derivation;
    const candidates = [this.active, ...this.tabs, ...this.edited.keys()].filter((p) => p !== DIFF_TAB);
    for (const path of new Set(candidates)) {
      const text = this.sourceModels.get(path)?.getValue() ?? this.edited.get(path) ?? (await this.sources.load(path));
      const hit = text && findFunctions(text).find((f) => f.name === want || f.name === `sys_${want}`);
      if (hit) {
        await this.openSource(path, { line: hit.line });
        return true;
      }
    }
    return false;
  }

  /** Read-only for an embed that shows a patch without letting it be edited. */
  setLocked(locked: boolean): void {
    this.locked = locked;
    this.editor.updateOptions({ readOnly: locked || (this.active !== DIFF_TAB && this.diffBroken), readOnlyMessage: { value: locked ? "This embedded lab's patch is read-only." : "The diff does not apply yet: fix it in patch.diff (see the red marker) before editing the source." } });
  }

  /** The text size (the page's one text-size control). */
  setFontSize(px: number): void {
    this.editor.updateOptions({ fontSize: px });
  }

  /** Ctrl/Cmd+Enter inside the editor (Monaco would otherwise insert a line). */
  onBuildShortcut(run: () => void): void {
    this.editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, run);
  }

  /** Every marker of every model, for the page tests. */
  allMarkers(): { resource: string; line: number; message: string }[] {
    return monaco.editor.getModelMarkers({}).map((m) => ({ resource: m.resource.path, line: m.startLineNumber, message: m.message }));
  }

  activeTab(): string {
    return this.active;
  }

  /** Build errors as markers; diff-relative ones go on patch.diff. */
  setBuildDiagnostics(diags: BuildDiagnostic[]): void {
    const byFile = new Map<string, BuildDiagnostic[]>();
    for (const d of diags) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
    for (const [file, model] of [[DIFF_TAB, this.diffModel] as const, ...this.sourceModels]) {
      monaco.editor.setModelMarkers(model, BUILD_OWNER, (byFile.get(file) ?? []).map((d) => this.marker(model, d.line, d.message, d.severity)));
    }
  }

  private show(tab: string): void {
    const model = tab === DIFF_TAB ? this.diffModel : this.sourceModels.get(tab);
    if (!model) return;
    this.viewStates.set(this.active, this.editor.saveViewState());
    this.active = tab;
    this.editor.setModel(model);
    const state = this.viewStates.get(tab);
    if (state) this.editor.restoreViewState(state);
    this.editor.updateOptions({ readOnly: this.locked || (tab !== DIFF_TAB && this.diffBroken), ...(tab === DIFF_TAB ? DIFF_TYPING : C_TYPING) });
    this.renderTabs();
    this.emitChange();
  }

  private close(tab: string): void {
    this.tabs = this.tabs.filter((t) => t !== tab);
    // The model stays while the patch touches the file: its text is the work.
    if (!this.edited.has(tab)) {
      this.sourceModels.get(tab)?.dispose();
      this.sourceModels.delete(tab);
    }
    if (this.active === tab) this.show(DIFF_TAB);
    this.renderTabs();
    this.emitChange();
  }

  private revealLine(line: number): void {
    this.editor.revealLineInCenter(line);
    this.editor.setPosition({ lineNumber: line, column: 1 });
    this.editor.focus();
  }

  private renderTabs(): void {
    const tab = (id: string, label: string, title: string, closable: boolean) => {
      const modified = id !== DIFF_TAB && this.edited.has(id) && this.edited.get(id) !== this.sources.cached(id);
      const b = el("button", { class: `tab${id === this.active ? " active" : ""}${modified ? " modified" : ""}`, title, role: "tab", "data-tab": id }, label);
      b.addEventListener("click", () => this.show(id));
      if (closable) {
        const x = el("span", { class: "tab-close", title: "Close", role: "button" }, "×");
        x.addEventListener("click", (e) => {
          e.stopPropagation();
          this.close(id);
        });
        b.append(x);
      }
      return b;
    };
    this.tabsHost.replaceChildren(
      tab(DIFF_TAB, "patch.diff", "The live patch, as a unified diff", false),
      ...this.tabs.map((p) => tab(p, tabLabel(p, this.tabs), p, true)),
    );
  }

  /** Writes text into a model as one undoable edit, without feeding it back into the sync. */
  private replaceText(model: Model, text: string): void {
    if (model.getValue() === text) return;
    this.syncing = true;
    try {
      model.pushEditOperations([], [{ range: model.getFullModelRange(), text }], () => null);
    } finally {
      this.syncing = false;
    }
  }

  private derive(): Promise<void> {
    this.derivation = this.deriveFromDiff();
    return this.derivation;
  }

  private async deriveFromDiff(): Promise<void> {
    clearTimeout(this.diffTimer);
    const seq = ++this.deriveSeq;
    const text = this.getDiff();
    const paths = pathsOfDiff(text);
    const loads = await Promise.allSettled(paths.map((p) => this.sources.load(p)));
    if (seq !== this.deriveSeq) return; // a newer edit superseded this one
    // A file that could not be downloaded is not "no such file": say what happened, and check again when the network is back.
    const failed = loads.findIndex((r) => r.status === "rejected");
    if (failed >= 0) {
      const why = (loads[failed] as PromiseRejectedResult).reason;
      const path = paths[failed]!;
      const line = Math.max(1, text.split("\n").findIndex((l) => l.startsWith("+++ ") && l.includes(path)) + 1);
      this.diffBroken = true;
      monaco.editor.setModelMarkers(this.diffModel, SYNC_OWNER, [
        this.marker(this.diffModel, line, `Could not download ${path} (${why instanceof Error ? why.message : String(why)}): check the network connection. The diff is checked again when you edit it or the browser is back online.`, "warning"),
      ]);
      this.editor.updateOptions({ readOnly: this.locked || this.active !== DIFF_TAB });
      addEventListener("online", () => void this.derive(), { once: true });
      return;
    }
    // An empty editor is a valid start: no file is touched, every source stays editable.
    const result: ReturnType<typeof deriveSources> = text.trim() === "" ? { ok: true, sources: new Map(), notes: [] } : deriveSources(text, (p) => this.sources.cached(p));
    if (!result.ok) {
      this.diffBroken = true;
      this.relatedProblems = result.related;
      monaco.editor.setModelMarkers(this.diffModel, SYNC_OWNER, [this.marker(this.diffModel, result.problem.line, result.problem.message, "error")]);
      this.applyRelatedMarkers();
      this.editor.updateOptions({ readOnly: this.locked || this.active !== DIFF_TAB });
      return;
    }
    this.diffBroken = false;
    this.relatedProblems = [];
    this.fallback = {};
    monaco.editor.setModelMarkers(this.diffModel, SYNC_OWNER, []);
    this.applyRelatedMarkers();
    this.editor.updateOptions({ readOnly: this.locked });
    const next = new Map<string, string>();
    for (const [path, t] of result.sources) if (t !== undefined) next.set(path, t);
    // Files the patch no longer touches go back to pristine.
    for (const [path, model] of this.sourceModels) {
      const want = next.get(path) ?? this.sources.cached(path);
      if (want !== undefined) this.replaceText(model, want);
    }
    this.edited = next;
    this.renderTabs();
    this.emitChange();
  }

  private onSourceEdited(path: string, model: Model): void {
    if (this.syncing) return;
    this.edited.set(path, model.getValue());
    this.renderTabs();
    this.emitChange();
    clearTimeout(this.sourceTimer);
    this.sourceTimer = setTimeout(() => {
      // makeDiff needs every pristine file: all edited ones were loaded to be shown.
      const diff = diffFromSources(this.edited, (p) => this.sources.cached(p));
      this.replaceText(this.diffModel, diff);
      monaco.editor.setModelMarkers(this.diffModel, SYNC_OWNER, []);
      this.emitChange();
    }, DEBOUNCE_MS);
  }

  private applyRelatedMarkers(): void {
    for (const [path, model] of this.sourceModels) {
      const mine = this.relatedProblems.filter((p) => p.file === path);
      monaco.editor.setModelMarkers(model, SYNC_OWNER, mine.map((p) => this.marker(model, p.line, p.message, "warning")));
    }
  }

  private marker(model: Model, line: number, message: string, severity: "error" | "warning" | "note"): monaco.editor.IMarkerData {
    const l = Math.min(Math.max(1, line), model.getLineCount());
    return {
      severity: severity === "error" ? monaco.MarkerSeverity.Error : severity === "warning" ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Info,
      message,
      startLineNumber: l,
      startColumn: 1,
      endLineNumber: l,
      endColumn: model.getLineMaxColumn(l),
    };
  }
}

/** A file's name, with as many parent directories as tell it apart from the other open files (fs/proc/version.c vs init/version.c). */
function tabLabel(path: string, open: readonly string[]): string {
  const parts = path.split("/");
  for (let n = 1; n < parts.length; n++) {
    const label = parts.slice(-n).join("/");
    if (!open.some((o) => o !== path && (o === label || o.endsWith(`/${label}`)))) return label;
  }
  return path;
}
