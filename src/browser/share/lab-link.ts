// A share link that carries a lab: the patch (link.ts, `patch=`) and, after
// `&lab=`, its title, steps and check, compressed the same way and under the
// same caps. What a link brings is data: the page shows every command it
// carries and runs one only when the person presses its button.
import type { LabCheck, Sample } from "../../common/samples/types.ts";
import { decodePatchFragment, encodePatchFragment, MAX_FRAGMENT_CHARS, ShareLinkError } from "./link.ts";

/** What a link may carry besides the patch: a lab's words and commands, never its id (it is not a gallery sample). */
export type SharedLab = Pick<Sample, "title" | "tryIt" | "expect"> & { before?: string[]; check?: LabCheck };

export interface SharedWork {
  patch: string;
  lab?: SharedLab;
}

const PATCH_KEY = "patch=";
const LAB_KEY = "lab=";
const MAX_TEXT = 2000;
const MAX_COMMAND = 1000;
const MAX_COMMANDS = 20;

export async function encodeShareFragment(work: SharedWork): Promise<string> {
  const patch = await encodePatchFragment(work.patch);
  if (!work.lab) return patch;
  // encodePatchFragment compresses any text: the lab travels as JSON under its own key.
  const lab = LAB_KEY + (await encodePatchFragment(JSON.stringify(checkedLab(work.lab)))).slice(PATCH_KEY.length);
  const fragment = `${patch}&${lab}`;
  if (fragment.length > MAX_FRAGMENT_CHARS) throw new ShareLinkError(`the patch and its lab are too large for a link (${fragment.length} characters, at most ${MAX_FRAGMENT_CHARS})`);
  return fragment;
}

/** The work in a fragment; undefined when it is not a share link; ShareLinkError when it is a broken one. */
export async function decodeShareFragment(fragment: string): Promise<SharedWork | undefined> {
  const f = fragment.replace(/^#/, "");
  if (f.length > MAX_FRAGMENT_CHARS) throw new ShareLinkError(`the link is too long (${f.length} characters)`);
  const [patchPart, labPart, ...rest] = f.split("&");
  if (!patchPart?.startsWith(PATCH_KEY)) return undefined;
  if (rest.length > 0 || (labPart !== undefined && !labPart.startsWith(LAB_KEY))) throw new ShareLinkError("the link has parts a share link never has");
  const patch = await decodePatchFragment(patchPart);
  if (patch === undefined) return undefined;
  if (labPart === undefined) return { patch };
  const json = await decodePatchFragment(PATCH_KEY + labPart.slice(LAB_KEY.length));
  let value: unknown;
  try {
    value = JSON.parse(json ?? "");
  } catch {
    throw new ShareLinkError("the link's lab is damaged");
  }
  return { patch, lab: checkedLab(value) };
}

/** A lab as the link may carry it: strings of bounded length only, anything else refused. */
function checkedLab(value: unknown): SharedLab {
  if (typeof value !== "object" || value === null) throw new ShareLinkError("the link's lab is not a lab");
  const v = value as Record<string, unknown>;
  const text = (x: unknown, max: number, what: string): string => {
    if (typeof x !== "string" || x.length > max) throw new ShareLinkError(`the link's lab has a bad ${what}`);
    return x;
  };
  const commands = (x: unknown, what: string): string[] => {
    if (x === undefined) return [];
    if (!Array.isArray(x) || x.length > MAX_COMMANDS) throw new ShareLinkError(`the link's lab has bad ${what}`);
    return x.map((c) => text(c, MAX_COMMAND, what));
  };
  const lab: SharedLab = { title: text(v.title, 200, "title"), tryIt: commands(v.tryIt, "steps"), expect: text(v.expect ?? "", MAX_TEXT, "expectation") };
  const before = commands(v.before, "steps");
  if (before.length) lab.before = before;
  if (v.check !== undefined) {
    const c = v.check as Record<string, unknown> | null;
    if (typeof c !== "object" || c === null) throw new ShareLinkError("the link's lab has a bad check");
    lab.check = { command: text(c.command, MAX_COMMAND, "check"), passes: text(c.passes ?? "", 300, "check") };
  }
  return lab;
}
