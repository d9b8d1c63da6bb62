// Warm snapshots, made from the images this build just published: the target
// at its shell prompt, the build host after a warm-up compile (cc1 and the
// common headers in its page cache). Restoring one gives a responsive machine
// in about a second instead of a boot. Each comes with the console text the
// machine had printed, so a page can show it again on restore.
//
// usage: tsx make-snapshots.ts <out dir>     (reads KLP_IMAGES_DIR)
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bootMachine } from "../../src/node/boot.ts";
import { BUILDER, TARGET, type MachineProfile } from "../../src/common/machine/profiles.ts";
import { loadKbuildIndex } from "../../src/node/images/toolchain-files.ts";
import { retargetCompile, shellQuote } from "../../src/common/kbuild/command.ts";

const [out] = process.argv.slice(2);
if (!out) {
  console.error("usage: make-snapshots.ts <out dir>");
  process.exit(2);
}
mkdirSync(out, { recursive: true });

async function snapshot(profile: MachineProfile, warmUp: (exec: (cmd: string) => Promise<void>) => Promise<void>): Promise<void> {
  const consoleBytes: number[] = [];
  const { machine, bootSeconds } = await bootMachine(profile, { onConsole: (b) => consoleBytes.push(b) });
  try {
    const exec = async (cmd: string) => {
      const r = await machine.control.exec(cmd, { timeoutMs: 600_000 });
      if (r.exitCode !== 0) throw new Error(`${profile.role}: '${cmd}' failed: ${r.stderr}`);
    };
    await warmUp(exec);
    // Let the shell's prompt reach the console before freezing the machine.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const state = new Uint8Array(await machine.saveState());
    const raw = join(out!, `${profile.role}.state`);
    writeFileSync(raw, state);
    execFileSync("zstd", ["-q", "-f", "-19", "-T0", "--rm", raw, "-o", `${raw}.zst`]);
    writeFileSync(join(out!, `${profile.role}.console`), Uint8Array.from(consoleBytes));
    console.error(`snapshots: ${profile.role} booted in ${bootSeconds.toFixed(1)} s, state ${(state.length / 1e6).toFixed(1)} MB raw`);
  } finally {
    await machine.destroy();
  }
}

await snapshot(TARGET, async (exec) => {
  // Freed pages are zeroed (init_on_free=1) and v86 skips zero pages.
  await exec("sync; echo 3 > /proc/sys/vm/drop_caches");
});
await snapshot(BUILDER, async (exec) => {
  const entry = loadKbuildIndex().objects["fs/proc/cmdline.o"];
  if (!entry) throw new Error("fs/proc/cmdline.o missing from kbuild.json");
  await exec(`mkdir -p /tmp/klp && cd /build/linux && ${shellQuote(retargetCompile(entry.command, "/tmp/klp/warmup.o"))} && rm -f /tmp/klp/warmup.o*`);
});
process.exit(0);
