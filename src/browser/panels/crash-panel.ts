// A kernel panic or oops: the lines that explain it, and a way back. The
// patch lives in the editor and in storage, so restoring loses nothing.
import { crashExcerpt, type CrashReport } from "../../common/machine/health.ts";
import { el } from "../dom.ts";

export class CrashPanel {
  constructor(
    private readonly host: HTMLElement,
    private readonly restore: () => void,
  ) {}

  show(report: CrashReport): void {
    const title = report.kind === "panic" ? "The kernel panicked" : report.kind === "hung" ? "The target stopped answering" : `The kernel reported an ${report.kind === "oops" ? "oops" : "BUG"}`;
    // The lines around the trigger say the most; the whole tail is a scroll away.
    const lines = crashExcerpt(report, 4, 30);
    const restore = el("button", { class: "primary" }, "Restore target");
    restore.addEventListener("click", () => {
      this.hide();
      this.restore();
    });
    const dismiss = el("button", {}, "Dismiss");
    dismiss.addEventListener("click", () => this.hide());
    this.host.replaceChildren(
      el("div", { class: "crash-head" }, el("strong", {}, title), el("span", { class: "muted" }, "Your patch is safe in the editor. Restoring resumes the clean snapshot in about a second.")),
      ...(report.kind === "hung" ? [el("p", {}, report.line)] : []),
      el("pre", { class: "crash-log" }, lines.join("\n")),
      el("div", { class: "crash-actions" }, restore, dismiss),
    );
    this.host.hidden = false;
  }

  hide(): void {
    this.host.hidden = true;
  }
}
