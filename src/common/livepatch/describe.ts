// One line for a transition report, for the CLI's log and the lab's summary.
import type { TransitionReport } from "./record.ts";

export function describeTransition(t: TransitionReport): string {
  const vias = new Map<string, number>();
  for (const s of t.switched) vias.set(s.via, (vias.get(s.via) ?? 0) + 1);
  const how = [...vias].map(([via, n]) => `${n} ${via}`).join(", ");
  const stops = t.stopped.count ? `, ${t.stopped.count} stop${t.stopped.count === 1 ? "" : "s"} (longest ${t.stopped.maxUs} µs)` : "";
  const blocked = t.blocked.length ? `, blocked by ${[...new Set(t.blocked.map((b) => `${b.comm}[${b.pid}]`))].join(" ")}` : "";
  return `${t.model}: ${t.outcome} in ${t.ms} ms after ${t.attempts} attempt${t.attempts === 1 ? "" : "s"}${stops}; tasks switched by ${how || "nothing"}${blocked}`;
}
