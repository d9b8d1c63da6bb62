// The "Three roads" lab: one patch, run down each road to live patching
// (Ksplice/kpatch's stop_machine, kGraft's lazy universes, the upstream
// hybrid, upstream 4.0's immediate switch) on a fresh target each time, with
// each transition drawn as a per-task timeline and summed up in a table.
// Everything shown that comes from the guest is set as text.
import { describeTransition } from "../../common/livepatch/describe.ts";
import { CONSISTENCY_MODELS, type ConsistencyModel, type TransitionReport } from "../../common/livepatch/record.ts";
import { ROAD_LABS, type RoadLab } from "../../common/livepatch/road-labs.ts";
import { runRoad, type RoadResult, type RoadTarget } from "../../common/livepatch/road-run.ts";
import { roadOf } from "../../common/livepatch/roads.ts";
import { transitionTimeline, viaLegend } from "./timeline.ts";

export interface RoadsLabHost {
  target: RoadTarget;
  /** Builds a diff into a module (the page's builder). */
  build(diff: string, name: string, onLine: (line: string) => void): Promise<Uint8Array>;
  /** Ksplice's run-pre matching of the module just built against the (fresh) target. */
  runPre(): Promise<{ checked: number; refusal?: Error }>;
  /** The diff in the editor, for "your patch". */
  editorDiff(): string;
  /** The lab reset the target: the page forgets what it had loaded. */
  onTargetReset(): void;
}

function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: { class?: string; text?: string } = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.class) e.className = props.class;
  if (props.text !== undefined) e.textContent = props.text;
  e.append(...children);
  return e;
}

export class RoadsLab {
  private readonly dialog = h("dialog", { class: "roads-lab" });
  private readonly status = h("p", { class: "roads-status" });
  private readonly results = h("div", { class: "roads-results" });
  private readonly summary = h("table", { class: "roads-summary" });
  private readonly workload = h("input");
  private readonly choice = h("select");
  private running = false;
  private runCount = 0;

  constructor(private readonly host: RoadsLabHost) {
    const close = h("button", { class: "secondary", text: "Close" });
    close.addEventListener("click", () => this.dialog.close());
    this.choice.append(...ROAD_LABS.map((l) => new Option(`Lab: ${l.title}`, l.id)), new Option("The patch in the editor", "editor"));
    this.choice.addEventListener("change", () => this.chose());
    this.workload.spellcheck = false;
    this.workload.setAttribute("aria-label", "Workload started before the patch");
    const buttons = h("div", { class: "roads-buttons" });
    const all = h("button", { class: "primary", text: "Compare all four" });
    all.addEventListener("click", () => void this.run([...CONSISTENCY_MODELS]));
    buttons.append(all, ...CONSISTENCY_MODELS.map((m) => {
      const b = h("button", { text: roadOf(m).title });
      b.addEventListener("click", () => void this.run([m]));
      return b;
    }));
    this.dialog.append(
      h("header", { class: "roads-head" }, h("h2", { text: "Three roads to a live patch" }), close),
      h("p", { class: "muted", text: "Each road resumes the target from its snapshot (what you did in the console is reset), starts the workload, loads the patch under that road's consistency model and records how every task got to the new code." }),
      h("div", { class: "roads-form" }, h("label", { text: "Patch " }, this.choice), h("label", { text: "Workload " }, this.workload)),
      h("p", { class: "roads-shows" }),
      buttons,
      this.status,
      viaLegend(),
      this.summary,
      this.results,
    );
    document.body.append(this.dialog);
    this.chose();
  }

  /** Opens the lab, on one of the road labs when `labId` names one (the gallery's road cards). */
  open(labId?: string): void {
    if (labId && ROAD_LABS.some((l) => l.id === labId) && this.choice.value !== labId) {
      this.choice.value = labId;
      this.chose();
    }
    if (!this.dialog.open) this.dialog.showModal();
  }

  private lab(): RoadLab | undefined {
    return ROAD_LABS.find((l) => l.id === this.choice.value);
  }

  private chose(): void {
    const lab = this.lab();
    this.workload.value = lab?.workload ?? "sleep 40";
    this.dialog.querySelector(".roads-shows")!.textContent = lab ? lab.shows : "Your patch from the editor, with the workload above running while it is applied.";
  }

  private say(text: string): void {
    this.status.textContent = text;
  }

  private async run(models: ConsistencyModel[]): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.dialog.classList.add("busy");
    const lab = this.lab();
    const diff = lab ? lab.diff : this.host.editorDiff();
    const name = `road_${++this.runCount}`;
    const results: { model: ConsistencyModel; result?: RoadResult; error?: string }[] = [];
    this.results.replaceChildren();
    this.summary.replaceChildren();
    try {
      if (!diff.trim()) throw new Error("the editor has no patch: pick a lab, or write a patch first");
      this.say("building the patch…");
      const module = await this.host.build(diff, name, (line) => this.say(`building: ${line}`));
      for (const model of models) {
        const card = this.card(model, lab);
        const t0 = performance.now();
        const tick = setInterval(() => this.say(`${roadOf(model).title}: ${((performance.now() - t0) / 1000).toFixed(0)} s…`), 500);
        try {
          const result = await runRoad(this.host.target, {
            name,
            module,
            model,
            workload: this.workload.value.trim() || undefined,
            after: lab?.after,
            timeoutMs: 40_000,
            onRecord: (r) => this.draw(card, r),
            runPre: async () => {
              this.say("run-pre matching: comparing the code the patch replaces with the running kernel's…");
              return this.host.runPre();
            },
          });
          if (result.runPreChecked !== undefined) {
            card.querySelector(".road-chart")!.before(h("p", { class: "road-runpre", text: `Run-pre matching (Ksplice): the ${result.runPreChecked} functions this patch replaces are, byte for byte, the code it was built against.` }));
          }
          this.draw(card, result.transition, result.after);
          results.push({ model, result });
        } catch (e) {
          const error = e instanceof Error ? e.message : String(e);
          card.querySelector(".road-line")!.textContent = `failed: ${error}`;
          results.push({ model, error });
        } finally {
          clearInterval(tick);
          this.host.onTargetReset();
        }
        this.table(results);
      }
      this.say(`done: ${results.length} road${results.length === 1 ? "" : "s"}.`);
    } catch (e) {
      this.say(e instanceof Error ? e.message : String(e));
    } finally {
      this.running = false;
      this.dialog.classList.remove("busy");
    }
  }

  /** One road's card: what it is, who built it, where the facts come from, and its chart. */
  private card(model: ConsistencyModel, lab: RoadLab | undefined): HTMLElement {
    const road = roadOf(model);
    const sources = h("ul", { class: "road-sources" }, ...road.sources.map((s) => h("li", { text: s })));
    const card = h(
      "section",
      { class: "road-card" },
      h("h3", { text: road.title }),
      // What happened first, large: the line and the chart; then what the road is, for the speaker to quote.
      h("p", { class: "road-line", text: "running…" }),
      h("div", { class: "road-chart" }),
      ...(lab ? [h("p", { class: "road-expect", text: `Expect: ${lab.expect[model]}` })] : []),
      h("p", { class: "road-who", text: road.who }),
      h("p", { text: road.how }),
      h("p", { class: "road-cost", text: `Cost: ${road.cost}` }),
      h("details", {}, h("summary", { text: "Sources" }), sources),
    );
    this.results.append(card);
    card.scrollIntoView({ block: "nearest" });
    return card;
  }

  private draw(card: HTMLElement, report: TransitionReport, after?: string): void {
    card.querySelector(".road-line")!.textContent = describeTransition(report) + (after !== undefined ? ` — result: ${after}` : "");
    card.querySelector(".road-chart")!.replaceChildren(transitionTimeline(report));
    const blocked = report.blocked.at(-1) ?? report.pending[0];
    const old = card.querySelector(".road-stack");
    old?.remove();
    if (blocked?.stack.length) {
      card.querySelector(".road-chart")!.after(
        h("div", { class: "road-stack" }, h("b", { text: `${blocked.comm} [${blocked.pid}]${blocked.func ? ` had ${blocked.func} on its stack` : " is still in the old code"}:` }), h("pre", { text: blocked.stack.join("\n") })),
      );
    }
  }

  private table(results: { model: ConsistencyModel; result?: RoadResult; error?: string }[]): void {
    const head = h("tr", {}, ...["Road", "Outcome", "Time to the end", "Longest stop of the machine", "Attempts", "Tasks that blocked", "Result"].map((t) => h("th", { text: t })));
    const rows = results.map(({ model, result, error }) => {
      const t = result?.transition;
      const blockers = t ? [...new Set([...t.blocked, ...t.pending].map((b) => `${b.comm}[${b.pid}]`))].join(" ") : "";
      return h(
        "tr",
        {},
        h("td", { text: roadOf(model).title }),
        h("td", { text: t ? t.outcome : `failed: ${error}`, class: t ? `outcome-${t.outcome}` : "outcome-failed" }),
        h("td", { text: t ? `${(t.ms / 1000).toFixed(2)} s` : "" }),
        h("td", { text: t && t.stopped.count ? `${t.stopped.maxUs} µs (${t.stopped.count} stops)` : "none" }),
        h("td", { text: t ? String(t.attempts) : "" }),
        h("td", { text: blockers || "none" }),
        h("td", { text: result?.after ?? "" }),
      );
    });
    this.summary.replaceChildren(h("thead", {}, head), h("tbody", {}, ...rows));
  }
}
