// View ▸ : one text size for everything (panels, build log, editor,
// terminal), a present mode (larger still, white on black), panes shown or
// hidden, and drag handles that resize them. Remembered per browser, except
// in an embed (whose panes the embedding page chose).
import { byId } from "../dom.ts";

const KEY = "klp-playground:view";
export const TEXT_SCALES = [0.8, 0.9, 1, 1.15, 1.3, 1.5, 1.75, 2] as const;
/** Present multiplies the chosen size: a projector at the back of a room. */
const PRESENT_FACTOR = 1.3;
const EDITOR_PX = 14;
const TERMINAL_PX = 15;
export type Pane = "sources" | "build" | "livepatch";
const PANES: readonly Pane[] = ["sources", "build", "livepatch"];
/** CSS variables the drag handles set. */
type Size = "--files-w" | "--right-w" | "--build-h" | "--lp-h";

interface ViewState {
  scale: number;
  present: boolean;
  hidden: Pane[];
  sizes: Partial<Record<Size, string>>;
}

export interface ViewTargets {
  setEditorFontSize(px: number): void;
  setTerminalFontSize(px: number): void;
}

function load(): ViewState {
  // A first visit on a narrow window (a projector at 150 %: ~850 CSS px) gives the editor and console the width.
  const fallback: ViewState = { scale: 1, present: false, hidden: innerWidth < 1000 ? ["sources"] : [], sizes: {} };
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? "null") as Partial<ViewState> | null;
    if (!v || typeof v !== "object") return fallback;
    return {
      scale: TEXT_SCALES.includes(v.scale as (typeof TEXT_SCALES)[number]) ? (v.scale as number) : 1,
      present: v.present === true,
      hidden: Array.isArray(v.hidden) ? v.hidden.filter((p): p is Pane => PANES.includes(p)) : [],
      sizes: typeof v.sizes === "object" && v.sizes ? v.sizes : {},
    };
  } catch {
    return fallback;
  }
}

export class ViewControls {
  private state: ViewState;

  constructor(
    private readonly targets: ViewTargets,
    private readonly persist: boolean,
    initial: Partial<Pick<ViewState, "present" | "hidden">> = {},
  ) {
    this.state = persist ? load() : { scale: 1, present: false, hidden: [], sizes: {} };
    if (initial.present !== undefined) this.state.present = initial.present;
    if (initial.hidden) this.state.hidden = initial.hidden;
    byId("text-smaller").addEventListener("click", () => this.step(-1));
    byId("text-larger").addEventListener("click", () => this.step(1));
    const present = byId<HTMLInputElement>("present-mode");
    present.addEventListener("change", () => this.setPresent(present.checked));
    for (const box of document.querySelectorAll<HTMLInputElement>("input[data-pane]")) {
      box.addEventListener("change", () => this.setHidden(box.dataset.pane as Pane, !box.checked));
    }
    // Escape or a click elsewhere closes the menu.
    const menu = byId<HTMLDetailsElement>("view-menu");
    document.addEventListener("pointerdown", (e) => {
      if (menu.open && !menu.contains(e.target as Node)) menu.open = false;
    });
    menu.addEventListener("keydown", (e) => {
      if (e.key === "Escape") menu.open = false;
    });
    this.addHandles();
    this.apply();
  }

  /** The effective scale of all text (for tests and the bench). */
  get scale(): number {
    return this.state.scale * (this.state.present ? PRESENT_FACTOR : 1);
  }

  step(direction: 1 | -1): void {
    const i = TEXT_SCALES.indexOf(this.state.scale as (typeof TEXT_SCALES)[number]);
    this.state.scale = TEXT_SCALES[Math.min(TEXT_SCALES.length - 1, Math.max(0, (i < 0 ? 2 : i) + direction))]!;
    this.apply();
  }

  setPresent(on: boolean): void {
    this.state.present = on;
    this.apply();
  }

  setHidden(pane: Pane, hidden: boolean): void {
    this.state.hidden = hidden ? [...new Set([...this.state.hidden, pane])] : this.state.hidden.filter((p) => p !== pane);
    this.apply();
  }

  private apply(): void {
    const s = this.scale;
    document.documentElement.style.setProperty("--text-scale", String(s));
    document.body.classList.toggle("present", this.state.present);
    for (const p of PANES) document.body.classList.toggle(`hide-${p}`, this.state.hidden.includes(p));
    for (const [k, v] of Object.entries(this.state.sizes)) document.body.style.setProperty(k, v);
    byId("text-size").textContent = `${Math.round(s * 100)} %`;
    byId<HTMLInputElement>("present-mode").checked = this.state.present;
    for (const box of document.querySelectorAll<HTMLInputElement>("input[data-pane]")) box.checked = !this.state.hidden.includes(box.dataset.pane as Pane);
    this.targets.setEditorFontSize(Math.round(EDITOR_PX * s));
    this.targets.setTerminalFontSize(Math.round(TERMINAL_PX * s));
    if (this.persist) {
      try {
        localStorage.setItem(KEY, JSON.stringify(this.state));
      } catch {
        // storage disabled: the view still works for this visit
      }
    }
  }

  /** Drag handles: the source list's and the editor's right edges, the build log's and live patch panel's top edges. */
  private addHandles(): void {
    const main = document.querySelector("main")!;
    const handle = (host: Element | null, axis: "x" | "y", size: Size, value: (e: PointerEvent) => number) => {
      if (!host) return;
      const h = document.createElement("div");
      h.className = `resize-${axis}`;
      h.title = "Drag to resize";
      host.append(h);
      h.addEventListener("pointerdown", (down) => {
        down.preventDefault();
        h.setPointerCapture(down.pointerId);
        h.classList.add("resizing");
        const move = (e: PointerEvent) => {
          const px = `${Math.max(80, Math.round(value(e)))}px`;
          this.state.sizes[size] = px;
          document.body.style.setProperty(size, px);
        };
        const up = () => {
          h.classList.remove("resizing");
          h.removeEventListener("pointermove", move);
          this.apply();
        };
        h.addEventListener("pointermove", move);
        h.addEventListener("pointerup", up, { once: true });
      });
    };
    handle(document.querySelector(".sources"), "x", "--files-w", (e) => e.clientX - main.getBoundingClientRect().left);
    handle(document.querySelector(".editor-pane"), "x", "--right-w", (e) => main.getBoundingClientRect().right - e.clientX);
    const editorPane = document.querySelector(".editor-pane");
    handle(document.querySelector(".build-panel"), "y", "--build-h", (e) => editorPane!.getBoundingClientRect().bottom - e.clientY);
    const rightPane = document.querySelector(".right-pane");
    handle(document.querySelector(".livepatch"), "y", "--lp-h", (e) => rightPane!.getBoundingClientRect().bottom - e.clientY);
  }
}
