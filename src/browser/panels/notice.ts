// One friendly message at a time under the header (share links, storage, …).
import { el } from "../dom.ts";

export interface NoticeAction {
  label: string;
  run(): void;
}

export class Notice {
  constructor(private readonly host: HTMLElement) {}

  show(kind: "info" | "warn" | "error", text: string, action?: NoticeAction): void {
    const close = el("button", { class: "ghost", title: "Dismiss", "aria-label": "Dismiss" }, "×");
    close.addEventListener("click", () => this.hide());
    const parts: Node[] = [el("span", { class: "notice-text" }, text)];
    if (action) {
      const b = el("button", {}, action.label);
      b.addEventListener("click", () => {
        this.hide();
        action.run();
      });
      parts.push(b);
    }
    this.host.className = `notice ${kind}`;
    this.host.replaceChildren(...parts, close);
    this.host.hidden = false;
  }

  hide(): void {
    this.host.hidden = true;
  }
}
