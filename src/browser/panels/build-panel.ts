// The build panel: stages with their times as they happen, the streaming
// log, and the result or the error in words a newcomer understands.
import type { BuildFailure, BuildResult, BuildStage, BuildStageName } from "../build-client.ts";
import { el } from "../dom.ts";
import { failureFooter, INTERNAL_NOTE } from "../../common/klp/build/error.ts";

const STAGES: { name: BuildStageName; label: string }[] = [
  { name: "parse", label: "parse" },
  { name: "apply", label: "apply" },
  { name: "plan", label: "plan" },
  { name: "compile", label: "compile" },
  { name: "diff", label: "diff" },
  { name: "assemble", label: "assemble" },
];

export class BuildPanel {
  private readonly stages: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly log: HTMLElement;
  private readonly stageEls = new Map<BuildStageName, HTMLElement>();
  /** Opens "what changed" (the machine code, side by side) for the last successful build. */
  onWhatChanged: (() => void) | undefined;
  /** Ticks the running stage's time: a first compile in the VM takes a minute or more. */
  private ticker: ReturnType<typeof setInterval> | undefined;
  /** Ticks the elapsed time of what the build waits on before and between stages (download, resume, compile). */
  private phaseTicker: ReturnType<typeof setInterval> | undefined;
  private phaseKey = "";
  private phaseStart = 0;
  private readonly phaseLine: HTMLElement;
  private readonly staleLine: HTMLElement;
  /** True from start() to succeeded()/failed(): stage events arriving later are a finished build's, not shown. */
  private active = false;
  private readonly done = new Set<BuildStageName>();

  constructor(host: HTMLElement) {
    this.stages = el("ol", { class: "stages" });
    for (const s of STAGES) {
      const li = el("li", { class: "stage", "data-stage": s.name }, el("span", { class: "stage-name" }, s.label), el("span", { class: "stage-time" }, ""));
      this.stageEls.set(s.name, li);
      this.stages.append(li);
    }
    this.summary = el("div", { class: "build-summary" }, el("span", { class: "muted" }, "Press Build (Ctrl+Enter) to compile the patch into a live patch module."));
    this.log = el("pre", { class: "build-log", "aria-live": "polite" });
    this.phaseLine = el("div", { class: "build-phase", hidden: "" });
    this.staleLine = el("div", { class: "build-stale", hidden: "" });
    host.replaceChildren(this.staleLine, this.stages, this.summary, this.phaseLine, this.log);
  }

  start(): void {
    this.stopTicker();
    this.active = true;
    this.done.clear();
    this.markStale(undefined);
    for (const li of this.stageEls.values()) {
      li.className = "stage";
      li.querySelector(".stage-time")!.textContent = "";
    }
    this.summary.replaceChildren(el("span", { class: "muted" }, "Building…"));
    this.log.textContent = "";
  }

  stage(s: BuildStage): void {
    const li = this.stageEls.get(s.name);
    if (!li || !this.active) return;
    // A stage's start and end travel on different channels from the worker: a start after its end is old news.
    if (s.ms === undefined && this.done.has(s.name)) return;
    if (s.ms !== undefined) this.done.add(s.name);
    this.stopTicker();
    li.className = `stage ${s.ms === undefined ? "running" : "done"}`;
    const time = li.querySelector(".stage-time")!;
    if (s.ms === undefined) {
      const t0 = performance.now();
      time.textContent = "…";
      this.ticker = setInterval(() => {
        time.textContent = `${Math.floor((performance.now() - t0) / 1000)} s…`;
      }, 1000);
    } else {
      time.textContent = s.ms < 1000 ? `${Math.round(s.ms)} ms` : `${(s.ms / 1000).toFixed(1)} s`;
    }
    if (s.detail) li.title = s.detail;
  }

  private stopTicker(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /**
   * What the build waits on now, with its elapsed time ("resuming the build
   * host · 4 s"); the same key keeps its clock while the text changes
   * (download bytes). Undefined clears it.
   */
  phase(key: string | undefined, text = ""): void {
    if (key === undefined || !this.active) {
      if (this.phaseTicker !== undefined) clearInterval(this.phaseTicker);
      this.phaseTicker = undefined;
      this.phaseKey = "";
      this.phaseLine.hidden = true;
      return;
    }
    if (key !== this.phaseKey) {
      this.phaseKey = key;
      this.phaseStart = performance.now();
      if (this.phaseTicker !== undefined) clearInterval(this.phaseTicker);
      this.phaseTicker = setInterval(() => this.renderPhase(), 1000);
    }
    this.phaseLine.dataset.text = text;
    this.phaseLine.dataset.phase = key;
    this.phaseLine.hidden = false;
    this.renderPhase();
  }

  private renderPhase(): void {
    const s = Math.floor((performance.now() - this.phaseStart) / 1000);
    this.phaseLine.textContent = `${this.phaseLine.dataset.text ?? ""} · ${s} s`;
  }

  /** Marks the shown build as out of date (the text changed since), or clears the mark. */
  markStale(why: string | undefined): void {
    this.staleLine.hidden = why === undefined;
    this.staleLine.textContent = why ? `⚠ out of date: ${why}` : "";
  }

  get running(): boolean {
    return this.active;
  }

  private finish(): void {
    this.active = false;
    this.stopTicker();
    this.phase(undefined);
    // A stage still marked running stopped with the build.
    for (const li of this.stageEls.values()) if (li.classList.contains("running")) li.className = "stage";
  }

  /** A transient status (downloads): shown in the summary while building. */
  progress(text: string): void {
    this.summary.replaceChildren(el("span", { class: "muted" }, text));
  }

  append(text: string): void {
    this.log.textContent += text;
    this.log.scrollTop = this.log.scrollHeight;
  }

  succeeded(r: BuildResult): void {
    // The last stage's end travels on its own channel and can arrive after the
    // result: the result's own timings are the record, shown before finishing.
    for (const s of r.stages) this.stage(s);
    this.finish();
    const list = (label: string, names: string[]) => (names.length ? el("div", {}, `${label}: `, ...names.map((n) => el("code", {}, n))) : null);
    const whatChanged = el("button", { type: "button", class: "what-changed-btn", title: "The original and patched machine code of each changed function, side by side" }, "What changed ▸");
    whatChanged.addEventListener("click", () => this.onWhatChanged?.());
    const parts = [
      el("div", { class: "ok-line" }, `✓ ${r.name}.ko · ${(r.module.length / 1024).toFixed(1)} KB · patches ${r.objects.join(", ")} `, this.onWhatChanged ? whatChanged : null),
      list("changed", r.changedFunctions.map((f) => `${f.name}()`)),
      list("new", r.newFunctions.map((f) => `${f}()`)),
      list("new data", r.newData),
    ];
    this.summary.replaceChildren(...parts.filter((p): p is HTMLDivElement => p !== null));
    if (r.notes.length) this.append(r.notes.map((n) => `note: ${n}\n`).join(""));
  }

  failed(e: BuildFailure): void {
    this.finish();
    const li = e.stage && this.stageEls.get(e.stage);
    if (li) {
      li.className = "stage failed";
      li.querySelector(".stage-time")!.textContent = "failed";
    }
    this.summary.replaceChildren(el("div", { class: "error-line" }, e.message), ...(e.kind === "internal" ? [el("div", { class: "muted" }, INTERNAL_NOTE)] : []));
    if (e.detail) this.append(`${e.detail}\n`);
    // The internal note is in the summary already.
    this.append(failureFooter(e).filter((l) => l !== INTERNAL_NOTE).map((l) => `${l}\n`).join(""));
  }

  message(kind: "ok" | "error" | "info", text: string, tag = ""): void {
    this.summary.replaceChildren(el("div", { class: kind === "ok" ? "ok-line" : kind === "error" ? "error-line" : "muted", "data-tag": tag }, text));
  }

  /** A line under the current summary (why Apply did not run). */
  note(text: string): void {
    this.summary.append(el("div", { class: "muted" }, text));
  }

  /** Clears a message put there with `tag` (a sample's hint, once its patch is edited), if it is still the one shown. */
  clearMessage(tag: string): void {
    if (this.summary.querySelector(`[data-tag="${tag}"]`)) this.summary.replaceChildren();
  }
}
