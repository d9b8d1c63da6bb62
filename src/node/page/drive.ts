// Driving the playground page from Node (page tests, page bench): the few
// things every script does, so they wait and read the same way.
import type { Page } from "playwright-core";

/** Waits until the target machine answers (the page sets window.klpReady). */
export async function waitForTarget(p: Page): Promise<void> {
  await p.waitForFunction(() => (window as unknown as { klpReady?: boolean }).klpReady === true, null, { timeout: 120_000 });
}

/** The terminal's visible rows, one line each. */
export function terminalText(p: Page): Promise<string> {
  return p.evaluate(() => [...document.querySelectorAll(".xterm-rows > div")].map((d) => d.textContent ?? "").join("\n"));
}

/** Replaces patch.diff's text the way a person pasting would. */
export async function typeDiff(p: Page, text: string): Promise<void> {
  await p.locator('.tab[data-tab="patch.diff"]').click();
  await p.locator("#editor .view-lines").click();
  await p.keyboard.press("ControlOrMeta+A");
  await p.keyboard.insertText(text);
}

/**
 * Runs a command in the terminal as a person would and returns what it
 * printed, found between markers that the echoed command line cannot match
 * (`BE""GIN`) and that earlier runs did not print (a counter per page).
 */
export async function runInTerminal(p: Page, command: string, timeoutMs = 30_000): Promise<string> {
  const n = (runs.get(p) ?? 0) + 1;
  runs.set(p, n);
  await p.locator("#terminal").click();
  await p.keyboard.type(`clear; echo BE""GIN${n}; ${command}; echo E""ND${n}\n`);
  const marker = new RegExp(`BEGIN${n}(.*)END${n}`);
  for (const t0 = Date.now(); Date.now() - t0 < timeoutMs; await p.waitForTimeout(250)) {
    const m = marker.exec((await terminalText(p)).replace(/\n/g, ""));
    if (m) return m[1] ?? "";
  }
  throw new Error(`no output of ${JSON.stringify(command)} in the terminal within ${timeoutMs / 1000} s`);
}
const runs = new WeakMap<Page, number>();
