// The target's console in xterm.js: full size, scrollback, copy/paste,
// search (Ctrl+Shift+F) and clickable links. Typing goes straight to the
// guest from the first second (before the machine is up, v86 queues it).
import "@xterm/xterm/css/xterm.css";
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import { SearchAddon } from "@xterm/addon-search";
import { WebLinksAddon } from "@xterm/addon-web-links";
import { el } from "../dom.ts";

export class ConsoleTerminal {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly search = new SearchAddon();
  private readonly searchBox: HTMLElement;
  private readonly searchInput: HTMLInputElement;

  constructor(host: HTMLElement, send: (data: string) => void) {
    this.term = new Terminal({
      cursorBlink: true,
      fontSize: 15,
      lineHeight: 1.15,
      scrollback: 10_000,
      fontFamily: "'JetBrains Mono', 'DejaVu Sans Mono', ui-monospace, monospace",
      allowProposedApi: true, // the search addon's match highlighting
      theme: { background: "#0b0e13", foreground: "#d8dee9", cursor: "#5fb3ff", selectionBackground: "#2d4f7c" },
    });
    this.term.loadAddon(this.fit);
    this.term.loadAddon(this.search);
    this.term.loadAddon(new WebLinksAddon((_e, uri) => window.open(uri, "_blank", "noopener")));
    const screen = el("div", { class: "term-screen" });
    this.searchInput = el("input", { type: "search", placeholder: "Search the console…", "aria-label": "Search the console" });
    const next = el("button", { title: "Next match (Enter)" }, "↓");
    const prev = el("button", { title: "Previous match (Shift+Enter)" }, "↑");
    const close = el("button", { title: "Close (Esc)" }, "×");
    this.searchBox = el("div", { class: "term-search", hidden: "" }, this.searchInput, prev, next, close);
    host.append(screen, this.searchBox);
    this.term.open(screen);
    this.term.onData(send);
    this.term.attachCustomKeyEventHandler((e) => this.onKey(e));

    const find = (back: boolean) => {
      const q = this.searchInput.value;
      if (q) void (back ? this.search.findPrevious(q) : this.search.findNext(q));
    };
    this.searchInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") find(e.shiftKey);
      if (e.key === "Escape") this.closeSearch();
    });
    this.searchInput.addEventListener("input", () => find(false));
    next.addEventListener("click", () => find(false));
    prev.addEventListener("click", () => find(true));
    close.addEventListener("click", () => this.closeSearch());

    new ResizeObserver(() => this.fitNow()).observe(screen);
    this.fitNow();
  }

  write(data: Uint8Array | string): void {
    this.term.write(data);
  }

  /** The text size (the page's one text-size control); the grid refits to the pane. */
  setFontSize(px: number): void {
    if (this.term.options.fontSize === px) return;
    this.term.options.fontSize = px;
    this.fitNow();
  }

  /** Clears the screen and scrollback (Reset target). */
  clear(): void {
    this.term.reset();
  }

  focus(): void {
    this.term.focus();
  }

  fitNow(): void {
    try {
      this.fit.fit();
    } catch {
      // Not laid out yet (hidden pane): the next resize fits.
    }
  }

  openSearch(): void {
    this.searchBox.hidden = false;
    this.searchInput.select();
    this.searchInput.focus();
  }

  private closeSearch(): void {
    this.searchBox.hidden = true;
    this.search.clearDecorations();
    this.term.focus();
  }

  /** Terminal-style copy/paste: Ctrl+Shift+C/V, and Ctrl+C copies when text is selected. */
  private onKey(e: KeyboardEvent): boolean {
    if (e.type !== "keydown") return true;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if (mod && e.shiftKey && key === "f") {
      e.preventDefault();
      this.openSearch();
      return false;
    }
    if (mod && key === "c" && (e.shiftKey || e.metaKey || this.term.hasSelection())) {
      if (this.term.hasSelection()) void navigator.clipboard?.writeText(this.term.getSelection()).catch(() => {});
      e.preventDefault();
      return false;
    }
    // Let the browser deliver Ctrl+Shift+V / Cmd+V as a paste event, which xterm handles.
    if (mod && key === "v" && (e.shiftKey || e.metaKey)) return false;
    // Ctrl/Cmd+Enter builds: it is the page's shortcut, not a terminal key.
    if (mod && key === "enter") return false;
    return true;
  }
}
