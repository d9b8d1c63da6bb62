// The samples gallery: what each patch shows and what to type afterwards.
import { SAMPLES, type Sample } from "../../common/samples/index.ts";
import { el } from "../dom.ts";

export function openSamplesDialog(dialog: HTMLDialogElement, choose: (sample: Sample) => void): void {
  const cards = SAMPLES.map((s) => {
    const commands = (label: string, cmds: string[] | undefined) =>
      cmds?.length ? el("div", { class: "cmds" }, el("span", { class: "muted" }, label), ...cmds.map((c) => el("kbd", {}, c))) : null;
    const load = el("button", { class: "primary", "data-sample": s.id }, "Load this patch");
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
      s.refused ? el("p", { class: "why" }, s.refused) : null,
      load,
    );
  });
  const close = el("button", { class: "ghost", "aria-label": "Close" }, "×");
  close.addEventListener("click", () => dialog.close());
  dialog.replaceChildren(el("header", {}, el("h2", {}, "Samples"), el("span", { class: "muted" }, "Each one loads into patch.diff; nothing runs until you Build and Apply."), close), el("div", { class: "sample-grid" }, ...cards));
  dialog.showModal();
}
