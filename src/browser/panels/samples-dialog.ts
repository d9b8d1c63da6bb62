// The samples gallery: what each patch shows and what to type afterwards.
import { SAMPLES, type Sample } from "../../common/samples/index.ts";
import { ROAD_LABS } from "../../common/livepatch/road-labs.ts";
import { el } from "../dom.ts";

export function openSamplesDialog(dialog: HTMLDialogElement, choose: (sample: Sample) => void, openRoad: (labId: string) => void): void {
  const cards = SAMPLES.map((s) => {
    const commands = (label: string, cmds: string[] | undefined) =>
      cmds?.length ? el("div", { class: "cmds" }, el("span", { class: "muted" }, label), ...cmds.map((c) => el("kbd", {}, c))) : null;
    const load = el("button", { class: "primary", "data-sample": s.id }, "Open this lab");
    load.addEventListener("click", () => {
      dialog.close();
      choose(s);
    });
    return el(
      "article",
      { class: `sample${s.refused ? " refused" : ""}` },
      el("h3", {}, s.title, s.refused ? el("span", { class: "badge bad" }, "refused on purpose") : null),
      el("p", {}, s.shows),
      commands("Before Apply:", s.before),
      commands("Then type:", s.tryIt),
      el("p", { class: "expect" }, s.expect),
      s.check ? el("div", { class: "cmds" }, el("span", { class: "muted" }, "Check:"), el("kbd", {}, s.check.command)) : null,
      s.refused ? el("p", { class: "why" }, s.refused) : null,
      load,
    );
  });
  // The Three roads labs: the same lab format, run down each consistency model by the roads dialog.
  const roads = ROAD_LABS.map((l) => {
    const open = el("button", { class: "primary", "data-road-lab": l.id }, "Open in Three roads");
    open.addEventListener("click", () => {
      dialog.close();
      openRoad(l.id);
    });
    return el(
      "article",
      { class: "sample road" },
      el("h3", {}, l.title, el("span", { class: "badge off" }, "three roads")),
      el("p", {}, l.shows),
      el("div", { class: "cmds" }, el("span", { class: "muted" }, "Workload:"), el("kbd", {}, l.workload)),
      el("p", { class: "expect" }, `upstream hybrid: ${l.expect.hybrid}`),
      open,
    );
  });
  const close = el("button", { class: "ghost", "aria-label": "Close" }, "×");
  close.addEventListener("click", () => dialog.close());
  dialog.replaceChildren(el("header", {}, el("h2", {}, "Samples"), el("span", { class: "muted" }, "Each lab loads into patch.diff and shows its steps; nothing runs until you press a button."), close), el("div", { class: "sample-grid" }, ...cards, ...roads));
  dialog.showModal();
}
