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
