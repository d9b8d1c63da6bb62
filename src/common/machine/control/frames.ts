// The control channel's wire format (guest side: images/initramfs/rootfs/sbin/klp-agent).
// One frame per line, payloads base64, so any bytes survive a serial line and
// a frame can never be split by a stray newline in a command's output:
//   host -> guest   @@KLP <id> exec <base64 command>
//   guest -> host   @@KLP <id> <exit status> <base64 stdout> <base64 stderr>
//   guest -> host   @@KLP 0 ready <base64 kernel release>

export const FRAME_TAG = "@@KLP";

export type GuestFrame =
  | { kind: "ready"; release: string }
  | { kind: "reply"; id: number; exitCode: number; stdout: Uint8Array; stderr: Uint8Array };

export class FrameError extends Error {
  override name = "FrameError";
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeExec(id: number, command: string): Uint8Array {
  return encoder.encode(`${FRAME_TAG} ${id} exec ${toBase64(encoder.encode(command))}\n`);
}

/** Parses one line from the guest; returns null for lines that are not frames (kernel noise). */
export function parseGuestLine(line: string): GuestFrame | null {
  const start = line.indexOf(FRAME_TAG + " ");
  if (start < 0) return null;
  // Split on single spaces: an empty payload is an empty field, not a gap.
  const fields = line.slice(start).replace(/\r$/, "").split(" ");
  const id = Number(fields[1]);
  if (!Number.isInteger(id) || id < 0) throw new FrameError(`bad frame id in ${JSON.stringify(line.slice(0, 80))}`);
  if (fields[2] === "ready") {
    return { kind: "ready", release: decoder.decode(fromBase64(fields[3] ?? "")).trim() };
  }
  const exitCode = Number(fields[2]);
  if (!Number.isInteger(exitCode) || fields.length !== 5) {
    throw new FrameError(`malformed reply frame ${JSON.stringify(line.slice(0, 80))}`);
  }
  return { kind: "reply", id, exitCode, stdout: fromBase64(fields[3]!), stderr: fromBase64(fields[4]!) };
}

/** Splits a byte stream into lines, keeping the unfinished tail for the next chunk. */
export class LineSplitter {
  private buffer = new Uint8Array(4096);
  private length = 0;
  // Frames are ASCII (base64), so a byte-per-char decode is exact and fast.
  private readonly decoder = new TextDecoder("latin1");

  constructor(private readonly maxLine = 256 << 20) {}

  push(byte: number, onLine: (line: string) => void): void {
    if (byte === 0x0a) {
      const line = this.decoder.decode(this.buffer.subarray(0, this.length));
      this.length = 0;
      onLine(line);
      return;
    }
    if (this.length === this.buffer.length) {
      // A runaway line (no newline) is dropped rather than eating all memory.
      if (this.length >= this.maxLine) return;
      const bigger = new Uint8Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    this.buffer[this.length++] = byte;
  }
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

export function toBase64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + "==";
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + "=";
  }
  return out;
}

export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c]! : -1;
    if (v < 0) throw new FrameError(`invalid base64 character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}
