// The machine status in the header: colour and words a projector audience can read.
import type { MachineStatus } from "../target/target-client.ts";

const LABEL: Record<MachineStatus, string> = {
  booting: "booting",
  ready: "ready",
  busy: "busy",
  crashed: "crashed",
  restoring: "restoring",
  failed: "failed",
};

export function renderStatus(pill: HTMLElement, status: MachineStatus, detail: string): void {
  pill.className = `status ${status}`;
  pill.dataset.status = status;
  pill.replaceChildren();
  const dot = document.createElement("span");
  dot.className = "dot";
  const label = document.createElement("b");
  label.textContent = LABEL[status];
  pill.append(dot, label);
  const more = detail && detail !== LABEL[status] ? detail : "";
  // The pill has a fixed width (nothing in the header moves); the full text is its tooltip.
  if (more) pill.append(Object.assign(document.createElement("span"), { className: "status-detail", textContent: ` · ${more}` }));
  pill.title = more ? `${LABEL[status]} · ${more}` : LABEL[status];
}
