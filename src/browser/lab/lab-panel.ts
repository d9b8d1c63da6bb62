// A lab's steps above the console: what to run before Apply, what to try,
// what to expect, and a Check that runs the lab's command in the target and
// says ✓ or ✗. Every command is shown as text and runs only when the person
// presses its button (a lab may come from a share link).
import type { LabCheck } from "../../common/samples/types.ts";
import type { SharedLab } from "../share/lab-link.ts";
import { el } from "../dom.ts";

export interface LabActions {
  /** Types a command into the console, as the person would. */
  type(command: string): void;
  /** Runs the check in the target: exit status 0 is ✓. */
  check(command: string): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** The patch is applied (a Check before Apply says so instead of a bare ✗). */
  applied(): boolean;
}

export type LabView = SharedLab & { refused?: string | undefined };

export class LabPanel {
  private current: LabView | undefined;

  constructor(
    private readonly host: HTMLElement,
    private readonly actions: LabActions,
    /** In an embed the lab is the page: it cannot be closed. */
    private readonly closable: boolean,
  ) {}

  get lab(): LabView | undefined {
    return this.current;
  }

  show(lab: LabView, from: "gallery" | "link"): void {
    this.current = lab;
    const step = (label: string, ...content: (Node | string)[]) => el("li", {}, el("strong", {}, label), " ", ...content);
    const commands = (cmds: readonly string[]) => cmds.map((c) => this.command(c));
    const steps = el(
      "ol",
      {},
      lab.before?.length ? step("Before Apply, run:", ...commands(lab.before)) : null,
      lab.refused ? step("Build:", "the build refuses this patch, on purpose: ", lab.refused) : step("Apply", el("span", { class: "muted" }, "(it builds the patch first)")),
      lab.tryIt.length ? step("Then try:", ...commands(lab.tryIt)) : null,
      lab.expect ? step("Expect:", lab.expect) : null,
    );
    const close = this.closable ? el("button", { class: "ghost", title: "Close the lab", "aria-label": "Close the lab" }, "×") : null;
    close?.addEventListener("click", () => this.hide());
    const parts: Node[] = [el("div", { class: "lab-head" }, el("h2", {}, `Lab: ${lab.title}`), close)];
    if (from === "link") parts.push(el("p", { class: "muted small" }, "From a share link: read each command before you run it; nothing runs until you press its button."));
    parts.push(steps);
    if (lab.check) parts.push(this.checkRow(lab.check));
    this.host.replaceChildren(...parts);
    this.host.hidden = false;
  }

  hide(): void {
    this.current = undefined;
    this.host.hidden = true;
  }

  private command(c: string): HTMLElement {
    const run = el("button", { title: "Type this command into the console" }, "Run");
    run.addEventListener("click", () => this.actions.type(c));
    return el("span", { class: "lab-cmd" }, el("code", {}, c), run);
  }

  private checkRow(check: LabCheck): HTMLElement {
    const button = el("button", { class: "primary lab-check-btn", title: `Runs in the target: ${check.command}` }, "Check");
    const result = el("span", { class: "lab-result", role: "status" });
    const output = el("pre", { class: "lab-output", hidden: "" });
    button.addEventListener("click", () => {
      button.disabled = true;
      result.className = "lab-result";
      result.textContent = "checking…";
      output.hidden = true;
      void this.actions
        .check(check.command)
        .then(
          (r) => {
            const pass = r.exitCode === 0;
            result.className = `lab-result ${pass ? "pass" : "fail"}`;
            result.textContent = pass ? `✓ ${check.passes}` : `✗ not yet: ${this.actions.applied() ? `the check exited with status ${r.exitCode}` : "the patch is not applied (press Apply)"}`;
            const text = `${r.stdout}${r.stderr}`.trim();
            output.textContent = text;
            output.hidden = text === "";
          },
          (e: unknown) => {
            result.className = "lab-result fail";
            result.textContent = `✗ the check could not run: ${e instanceof Error ? e.message : String(e)}`;
          },
        )
        .finally(() => (button.disabled = false));
    });
    return el("div", { class: "lab-check" }, button, el("span", { class: "muted" }, "runs ", el("code", {}, check.command)), result, output);
  }
}
