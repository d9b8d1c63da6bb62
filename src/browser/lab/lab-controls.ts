// The page's labs: the one on show (from the gallery, a link or an embed's
// ?lab=), its steps panel, and what travels with it: Share links and the
// Embed line. main.ts decides when; this module knows how.
import { byId } from "../dom.ts";
import { LabPanel, type LabView } from "./lab-panel.ts";
import { decodeShareFragment, encodeShareFragment, type SharedLab } from "../share/lab-link.ts";
import { ShareLinkError } from "../share/link.ts";
import { openEmbedDialog, type EmbedPane } from "../panels/embed-dialog.ts";
import { SAMPLES, type Sample } from "../../common/samples/index.ts";
import type { Notice } from "../panels/notice.ts";

export interface LabPage {
  notice: Notice;
  /** The editor's patch. */
  diff(): string;
  /** Replaces the patch, keeping the person's own recoverable (main.ts loadPatch). */
  loadPatch(text: string, why: string): Promise<void>;
  /** Types a command into the console (a step's Run). */
  type(command: string): void;
  /** Runs a command in the target (Check). */
  exec(command: string): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  applied(): boolean;
  /** An embed's panes (undefined: the full page). */
  embedPanes: readonly EmbedPane[] | undefined;
}

export class LabControls {
  private readonly panel: LabPanel;
  /** The gallery lab on show (its patch may have been edited since). */
  private sample: Sample | undefined;

  constructor(private readonly page: LabPage) {
    this.panel = new LabPanel(byId("lab"), { type: page.type, check: page.exec, applied: page.applied }, page.embedPanes === undefined);
  }

  show(lab: LabView & { id?: string }, from: "gallery" | "link"): void {
    this.sample = from === "gallery" ? SAMPLES.find((x) => x.id === lab.id) : undefined;
    if (this.page.embedPanes && !this.page.embedPanes.includes("lab")) return;
    this.panel.show(lab, from);
  }

  hide(): void {
    this.sample = undefined;
    this.panel.hide();
  }

  /** The lab a link carries: its words and commands, never an id. */
  private shared(): SharedLab | undefined {
    const l = this.panel.lab;
    if (!l) return undefined;
    return { title: l.title, tryIt: l.tryIt, expect: l.expect, ...(l.before ? { before: l.before } : {}), ...(l.check ? { check: l.check } : {}) };
  }

  async share(): Promise<void> {
    const { notice } = this.page;
    try {
      const fragment = await encodeShareFragment({ patch: this.page.diff(), lab: this.shared() });
      const url = `${location.origin}${location.pathname}${location.search}#${fragment}`;
      await navigator.clipboard.writeText(url).then(
        () => notice.show("info", "Share link copied. Opening it loads this patch; it never runs anything by itself."),
        () => notice.show("info", `Share link (copy it): ${url}`),
      );
    } catch (e) {
      notice.show("warn", e instanceof ShareLinkError ? `Cannot share: ${e.message}.` : "Cannot make a share link in this browser.");
    }
  }

  openEmbed(): void {
    const unedited = this.sample && this.sample.diff === this.page.diff() ? this.sample : undefined;
    const lab = this.panel.lab;
    openEmbedDialog(byId<HTMLDialogElement>("embed-dialog"), `${location.origin}${location.pathname}`, {
      labId: unedited?.id,
      title: lab?.title ?? "a live patch",
      fragment: () => encodeShareFragment({ patch: this.page.diff(), lab: this.shared() }),
      wantsLivepatch: /Live patch panel/.test(lab?.expect ?? ""),
    });
  }

  /** A share link in the address: at load, or pasted into this tab later (hashchange). */
  async loadFragment(): Promise<void> {
    if (location.hash.length <= 1) return;
    try {
      const shared = await decodeShareFragment(location.hash);
      if (shared !== undefined) {
        await this.page.loadPatch(shared.patch, `Loaded ${shared.lab ? `the lab “${shared.lab.title}”` : "the patch"} from the share link. Nothing runs until you Build and Apply${shared.lab ? " or press a step's button" : ""}.`);
        if (shared.lab) this.show(shared.lab, "link");
      }
    } catch (e) {
      this.page.notice.show("warn", `This share link could not be opened: ${e instanceof ShareLinkError ? e.message : "it is damaged"}. Your own patch is unchanged.`);
    }
    // Reloading must show the person's edits, not the link's original patch.
    history.replaceState(null, "", location.pathname + location.search);
  }
}
