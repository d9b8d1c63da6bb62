// Embed: the one line a tutorial author pastes into a page, with the
// options an embed understands (README "Embedding a lab"): which panes
// show, a read-only editor, the lab whose steps it shows.
import { el } from "../dom.ts";

export const EMBED_PANES = ["editor", "terminal", "lab", "build", "livepatch"] as const;
export type EmbedPane = (typeof EMBED_PANES)[number];
/** What an embed shows when `panes` is absent. */
export const DEFAULT_EMBED_PANES: readonly EmbedPane[] = ["editor", "terminal", "lab", "build"];

export interface EmbedSource {
  /** A gallery lab the patch is (unedited): `?lab=<id>`. */
  labId?: string | undefined;
  title: string;
  /** Otherwise the patch (and lab) as a share fragment. */
  fragment(): Promise<string>;
  /** The lab's text mentions the Live patch panel: show it by default. */
  wantsLivepatch: boolean;
}

/** The embed address for these options. */
export function embedUrl(page: string, source: { labId?: string | undefined }, panes: readonly EmbedPane[], readOnly: boolean, fragment = ""): string {
  const q = new URLSearchParams({ embed: "1" });
  if (source.labId) q.set("lab", source.labId);
  if (panes.join(",") !== DEFAULT_EMBED_PANES.join(",")) q.set("panes", panes.join(","));
  if (readOnly) q.set("readonly", "1");
  return `${page}?${q.toString()}${fragment ? `#${fragment}` : ""}`;
}

/** The iframe line itself. */
export function iframeLine(url: string, title: string, height: number): string {
  const attr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return `<iframe src="${attr(url)}" title="${attr(`Livepatch Playground: ${title}`)}" width="100%" height="${height}" style="border:0" loading="lazy" allow="clipboard-write"></iframe>`;
}

/** Which panes an embed shows, from its `panes` parameter (unknown names ignored). */
export function parseEmbedPanes(value: string | null): EmbedPane[] {
  if (value === null) return [...DEFAULT_EMBED_PANES];
  return value.split(",").filter((p): p is EmbedPane => (EMBED_PANES as readonly string[]).includes(p));
}

export function openEmbedDialog(dialog: HTMLDialogElement, page: string, source: EmbedSource): void {
  const boxes = EMBED_PANES.map((p) => {
    const on = DEFAULT_EMBED_PANES.includes(p) || (p === "livepatch" && source.wantsLivepatch);
    return el("input", { type: "checkbox", "data-embed-pane": p, ...(on ? { checked: "" } : {}) });
  });
  const readOnly = el("input", { type: "checkbox", id: "embed-readonly" });
  const height = el("input", { type: "number", id: "embed-height", value: "640", min: "360", max: "2000", step: "20" });
  const code = el("textarea", { id: "embed-code", readonly: "", spellcheck: "false", "aria-label": "The iframe line" });
  const note = el("p", { class: "muted small" });
  let fragment: string | undefined;
  const refresh = async () => {
    if (!source.labId && fragment === undefined) {
      try {
        fragment = await source.fragment();
      } catch (e) {
        note.textContent = `This patch cannot travel in a link: ${e instanceof Error ? e.message : String(e)}`;
        fragment = "";
      }
    }
    const panes = EMBED_PANES.filter((_, i) => boxes[i]!.checked);
    code.value = iframeLine(embedUrl(page, source, panes, readOnly.checked, source.labId ? "" : fragment), source.title, Number(height.value) || 640);
    if (!note.textContent) note.textContent = source.labId ? `Embeds the gallery lab “${source.title}”.` : "Embeds the editor's patch (and its lab's steps) from the link itself: nothing is stored on a server.";
  };
  for (const input of [...boxes, readOnly, height]) input.addEventListener("input", () => void refresh());
  const copy = el("button", { class: "primary" }, "Copy");
  copy.addEventListener("click", () => {
    code.select();
    void navigator.clipboard?.writeText(code.value).then(
      () => (copy.textContent = "Copied"),
      () => (copy.textContent = "Select and copy"),
    );
  });
  const close = el("button", {}, "Close");
  close.addEventListener("click", () => dialog.close());
  dialog.replaceChildren(
    el("h2", {}, "Embed in a tutorial"),
    el("p", { class: "muted" }, "Paste this line into a web page. The README's “Embedding a lab” section lists the options."),
    code,
    el("div", { class: "embed-options" }, ...EMBED_PANES.map((p, i) => el("label", {}, boxes[i]!, ` ${p === "lab" ? "lab steps" : p === "livepatch" ? "live patch panel" : p === "build" ? "build log" : p}`)), el("label", {}, readOnly, " read-only editor"), el("label", {}, "height ", height, " px")),
    note,
    el("div", { class: "embed-actions" }, copy, close),
  );
  void refresh();
  dialog.showModal();
}
