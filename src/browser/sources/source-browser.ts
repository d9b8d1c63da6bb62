// The source browser: every file of our kernel build, filtered as you type.
// Only the first matches are rendered: the list has ~3000 entries.
import type { SourceEntry } from "./kernel-sources.ts";
import { el } from "../dom.ts";

const SHOWN = 250;

export class SourceBrowser {
  private entries: SourceEntry[] = [];
  private readonly input: HTMLInputElement;
  private readonly list: HTMLElement;
  private readonly count: HTMLElement;

  constructor(
    host: HTMLElement,
    private readonly open: (path: string) => void,
  ) {
    this.input = el("input", { type: "search", placeholder: "Filter files… (e.g. cmdline, sys.c)", "aria-label": "Filter kernel source files", spellcheck: "false" });
    this.count = el("div", { class: "muted small" }, "loading the file list…");
    this.list = el("ul", { class: "file-list", role: "listbox" });
    host.replaceChildren(el("div", { class: "pane-title" }, "Kernel sources"), this.input, this.count, this.list);
    this.input.addEventListener("input", () => this.render());
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        const first = this.list.querySelector<HTMLElement>("li[data-path]");
        if (first?.dataset.path) this.open(first.dataset.path);
      }
    });
  }

  setEntries(entries: SourceEntry[]): void {
    this.entries = entries;
    this.render();
  }

  failed(message: string): void {
    this.count.textContent = message;
  }

  private render(): void {
    const words = this.input.value.toLowerCase().split(/\s+/).filter(Boolean);
    const hits = this.entries.filter((e) => words.every((w) => e.path.toLowerCase().includes(w)));
    // Files whose name (not directory) matches come first: "sys.c" finds kernel/sys.c before drivers/…/sys.c.
    const last = words[words.length - 1];
    if (last) hits.sort((a, b) => Number(!a.path.split("/").pop()!.toLowerCase().startsWith(last)) - Number(!b.path.split("/").pop()!.toLowerCase().startsWith(last)));
    this.count.textContent = `${hits.length} of ${this.entries.length} files${hits.length > SHOWN ? ` · showing ${SHOWN}` : ""}`;
    this.list.replaceChildren(
      ...hits.slice(0, SHOWN).map((e) => {
        const slash = e.path.lastIndexOf("/");
        const li = el(
          "li",
          { "data-path": e.path, title: e.patchable ? e.path : `${e.path} (built as a module or boot code: not live-patchable here)`, class: e.patchable ? "" : "dim", role: "option" },
          el("span", { class: "file-name" }, e.path.slice(slash + 1)),
          el("span", { class: "file-dir" }, e.path.slice(0, slash + 1)),
        );
        li.addEventListener("click", () => this.open(e.path));
        return li;
      }),
    );
  }
}
