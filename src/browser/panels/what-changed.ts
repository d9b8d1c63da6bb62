// "What changed": each function the build replaces, the running kernel's
// machine code and the patched one side by side, the instructions that
// differ marked (compared by what their relocations point at, so a call to
// the same function is the same instruction wherever it lands). The data is
// computed in the builder worker (src/common/disasm).
import type { DisasmLine, DisasmRow, FunctionMachineDiff } from "../../common/disasm/index.ts";
import { el } from "../dom.ts";

const MARK: Record<DisasmRow["kind"], string> = { same: " ", changed: "~", removed: "−", added: "+" };
const LABEL: Record<DisasmRow["kind"], string> = { same: "same", changed: "changed", removed: "only in the original", added: "only in the patched code" };

function cell(line: DisasmLine | undefined): HTMLTableCellElement {
  if (!line) return el("td", { class: "wc-empty" }, "");
  return el("td", { title: line.hex }, el("span", { class: "wc-off" }, `+${line.offset.toString(16).padStart(3, "0")}`), " ", line.text);
}

function functionView(d: FunctionMachineDiff): HTMLElement {
  const differing = d.rows.filter((r) => r.kind !== "same").length;
  const where = [d.object, `${d.sizes.original} → ${d.sizes.patched} bytes`, `${differing} instruction${differing === 1 ? "" : "s"} differ`].join(" · ");
  const rows = d.rows.map((r, i) => {
    const first = r.kind !== "same" && d.rows.findIndex((x) => x.kind !== "same") === i;
    return el("tr", { class: `wc-row wc-${r.kind}${first ? " wc-first" : ""}`, title: LABEL[r.kind] }, el("td", { class: "wc-mark", "aria-label": LABEL[r.kind] }, MARK[r.kind]), cell(r.original), cell(r.patched));
  });
  return el(
    "section",
    { class: "wc-fn" },
    el("h3", {}, el("code", {}, `${d.name}()`), " ", el("span", { class: "muted" }, where)),
    d.source ? el("div", { class: "wc-source" }, "first change in the source: ", el("code", {}, `${d.source.file}:${d.source.line}`), " ", el("code", {}, d.source.text)) : null,
    d.first ? null : el("div", { class: "muted" }, "The instructions are the same: what changed is data or a target the code refers to."),
    el("table", { class: "wc-table" }, el("thead", {}, el("tr", {}, el("th", {}, ""), el("th", {}, "original (running kernel)"), el("th", {}, "patched"))), el("tbody", {}, ...rows)),
  );
}

let dialog: HTMLDialogElement | undefined;

/** Opens the view; `load` asks the builder worker (which fetches the disassembler the first time). */
export function openWhatChanged(load: () => Promise<FunctionMachineDiff[]>): void {
  if (!dialog) {
    dialog = el("dialog", { class: "what-changed-dialog", "aria-label": "What changed, in machine code" });
    document.body.append(dialog);
  }
  const d = dialog;
  const close = el("button", { type: "button", class: "ghost", "aria-label": "Close" }, "×");
  close.addEventListener("click", () => d.close());
  const body = el("div", { class: "wc-body" }, el("p", { class: "muted" }, "Disassembling (the first time, the disassembler downloads: about 1 MB)…"));
  d.replaceChildren(el("header", {}, el("h2", {}, "What changed, in machine code"), el("span", { class: "muted" }, "AT&T syntax; relocations shown as what they point at; ~ changed, + only patched, − only original"), close), body);
  d.showModal();
  load().then(
    (diffs) => {
      body.replaceChildren(...(diffs.length ? diffs.map(functionView) : [el("p", { class: "muted" }, "The build replaces no function.")]));
      body.querySelector(".wc-first")?.scrollIntoView({ block: "center" });
    },
    (e: unknown) => body.replaceChildren(el("p", { class: "error-line" }, `Could not show the machine code: ${e instanceof Error ? e.message : String(e)}`)),
  );
}
