// A transition drawn as a chart: one lane per task, old code (grey) until the
// task switches and new code (green) after, a mark colored by how it
// switched, stop-machine windows as red bands across every lane, fake
// signals as dashed lines. SVG built node by node: task names come from the
// guest and are only ever text.
import type { SwitchVia, TransitionReport } from "../../common/livepatch/record.ts";

const SVG = "http://www.w3.org/2000/svg";

export const VIA_COLORS: Record<SwitchVia, string> = {
  "stack-check": "#2b7bd6",
  "user-return": "#1e9e5a",
  idle: "#8a8a8a",
  "safe-point": "#9b59b6",
  signal: "#e67e22",
  force: "#c0392b",
  "stop-machine": "#d63031",
  immediate: "#f1c40f",
};

interface Lane {
  label: string;
  atMs?: number;
  via?: SwitchVia;
  blocked: boolean;
}

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function lanesOf(report: TransitionReport): Lane[] {
  const lanes = new Map<string, Lane>();
  const key = (pid: number, comm: string) => `${comm}[${pid}]`;
  for (const s of report.switched) lanes.set(key(s.pid, s.comm), { label: key(s.pid, s.comm), atMs: s.atMs, via: s.via, blocked: false });
  for (const b of [...report.blocked, ...report.pending]) {
    const k = key(b.pid, b.comm);
    const lane = lanes.get(k) ?? { label: k, blocked: false };
    lane.blocked = true;
    lanes.set(k, lane);
  }
  return [...lanes.values()].sort((a, b) => (a.atMs ?? Infinity) - (b.atMs ?? Infinity) || a.label.localeCompare(b.label));
}

/** The chart for one transition; `maxLanes` keeps a busy target readable on a projector. */
export function transitionTimeline(report: TransitionReport, maxLanes = 28): SVGSVGElement {
  const all = lanesOf(report);
  const lanes = all.length > maxLanes ? [...all.filter((l) => l.blocked || l.atMs === undefined), ...all.filter((l) => !l.blocked && l.atMs !== undefined)].slice(0, maxLanes) : all;
  const left = 170;
  const width = 900;
  const laneH = 18;
  const top = 24;
  const height = top + Math.max(lanes.length, 1) * laneH + 28;
  const end = Math.max(report.ms, ...report.switched.map((s) => s.atMs), ...report.stops.map((s) => s.atMs), ...report.signalsAtMs, 1);
  const x = (ms: number) => left + (Math.min(ms, end) / end) * (width - left - 10);
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "timeline", role: "img" });
  svg.append(el("title", {}, `${report.model}: ${report.outcome} in ${report.ms} ms`));

  // Time axis.
  for (let i = 0; i <= 4; i++) {
    const ms = (end * i) / 4;
    svg.append(el("line", { x1: x(ms), x2: x(ms), y1: top - 4, y2: height - 24, class: "tl-grid" }));
    svg.append(el("text", { x: x(ms), y: height - 8, class: "tl-axis", "text-anchor": "middle" }, ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`));
  }
  lanes.forEach((lane, i) => {
    const y = top + i * laneH;
    svg.append(el("text", { x: left - 8, y: y + 12, class: "tl-label", "text-anchor": "end" }, lane.label));
    const switchX = lane.atMs === undefined ? x(end) : x(lane.atMs);
    svg.append(el("rect", { x: left, y: y + 3, width: Math.max(switchX - left, 0), height: laneH - 6, class: lane.blocked ? "tl-old tl-blocked" : "tl-old" }));
    if (lane.atMs !== undefined) {
      svg.append(el("rect", { x: switchX, y: y + 3, width: Math.max(x(end) - switchX, 0), height: laneH - 6, class: "tl-new" }));
      const mark = el("circle", { cx: switchX, cy: y + laneH / 2, r: 5, fill: VIA_COLORS[lane.via!] ?? "#000", class: "tl-mark" });
      mark.append(el("title", {}, `${lane.label} switched at ${lane.atMs.toFixed(1)} ms by ${lane.via}`));
      svg.append(mark);
    }
  });
  for (const s of report.stops) {
    const band = el("rect", { x: x(s.atMs) - 1.5, y: top - 6, width: 3, height: height - top - 18, class: "tl-stop" });
    band.append(el("title", {}, `stop_machine at ${s.atMs.toFixed(1)} ms: every CPU stopped for ${s.us} µs`));
    svg.append(band);
  }
  report.signalsAtMs.forEach((at) => {
    svg.append(el("line", { x1: x(at), x2: x(at), y1: top - 6, y2: height - 24, class: "tl-signal" }));
    svg.append(el("text", { x: x(at) + 3, y: top - 10, class: "tl-note" }, "fake signal"));
  });
  if (report.stops.length) svg.append(el("text", { x: left, y: top - 10, class: "tl-note tl-stop-note" }, `${report.stops.length} stop${report.stops.length === 1 ? "" : "s"} of the whole machine (red)`));
  if (all.length > lanes.length) svg.append(el("text", { x: width - 10, y: height - 8, class: "tl-axis", "text-anchor": "end" }, `+${all.length - lanes.length} more tasks`));
  return svg;
}

/** The legend: what each mark color means. */
export function viaLegend(): HTMLElement {
  const legend = document.createElement("div");
  legend.className = "tl-legend";
  for (const [via, color] of Object.entries(VIA_COLORS)) {
    const item = document.createElement("span");
    const dot = document.createElement("i");
    dot.style.background = color;
    item.append(dot, document.createTextNode(via));
    legend.append(item);
  }
  return legend;
}
