#!/usr/bin/env bash
# `npm run images`: builds every image the playground boots, from Debian
# packages, into public/images (+ manifest.json). Needs a Debian 12 host, root
# (debootstrap, chroot) and network access to Debian's archive. Steps skip
# themselves when their inputs did not change; KLP_IMAGES_CLEAN=1 starts over.
source "$(dirname "$0")/lib/common.sh"

[ "$(id -u)" = 0 ] || die "run as root: the image build uses debootstrap and chroot"
command -v apt-get >/dev/null || die "needs a Debian host (apt-get)"
[ -d "$REPO_DIR/node_modules/v86" ] || die "run \`npm install\` first"

if [ "${KLP_IMAGES_CLEAN:-0}" = 1 ]; then
  umount_chroot
  rm -rf "$WORK"
fi
mkdir -p "$WORK"
trap umount_chroot EXIT

log "host: apt-get install debootstrap zstd cpio patch"
if ! command -v debootstrap >/dev/null || ! command -v zstd >/dev/null || ! command -v cpio >/dev/null || ! command -v patch >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap zstd cpio patch >/dev/null
fi

STEP_SECONDS=""
# KLP_IMAGES_SKIP="60-wasm-toolchain ..." leaves steps out (e.g. to publish a
# kernel while the long compiler build still runs); a left-out step's last
# outputs, if any, are still published.
run_step() {
  case " ${KLP_IMAGES_SKIP:-} " in *" ${1%.sh} "*) log "step ${1%.sh}: skipped (KLP_IMAGES_SKIP)"; return 0 ;; esac
  local t0=$SECONDS
  bash "$IMAGES_DIR/$1" || die "step $1 failed"
  STEP_SECONDS="$STEP_SECONDS ${1%.sh}=$((SECONDS - t0))"
}
run_step 10-chroot.sh
run_step 20-kernel.sh
run_step 25-testmod.sh
run_step 30-initramfs.sh
run_step 40-klp-layout.sh
run_step 50-toolchain.sh
run_step 60-wasm-toolchain.sh

log "publish: $OUT"
KDIR=$CHROOT/build/linux
export KLP_SUITE=$SUITE KLP_MIRROR=$DEBIAN_MIRROR KLP_STEP_SECONDS="$STEP_SECONDS"
KLP_PACKAGES=$(in_chroot dpkg-query -W -f '${Package}=${Version} ' gcc-12 cpp-12 binutils libc6 busybox-static seabios "$KERNEL_PKG")
KLP_VERMAGIC=$(in_chroot modinfo -F vermagic /build/linux/samples/livepatch/livepatch-sample.ko)
[ -n "$KLP_VERMAGIC" ] || die "no vermagic in livepatch-sample.ko"
KLP_KVERSION=$(sed -n 's/^#define UTS_VERSION "\(.*\)"/\1/p' "$KDIR/include/generated/utsversion.h")
[ -n "$KLP_KVERSION" ] || die "no UTS_VERSION in include/generated/utsversion.h"
export KLP_PACKAGES KLP_VERMAGIC KLP_KVERSION
cd "$REPO_DIR"
npx --no-install tsx images/tools/make-basefs.ts "$WORK/toolchain" "$OUT/toolchain"
rm -rf "$OUT/snapshots"
npx --no-install tsx images/tools/publish.ts "$WORK" "$OUT"
# Snapshots are taken of the machines booted from the images just published,
# then published with them (and recorded in the manifest). They are remade
# only when what they freeze changed: each remake adds ~20 MB to history.
snapshot_inputs() {
  cat "$OUT/bzImage" "$OUT/initramfs.cpio.gz" "$OUT/toolchain/fs.json" "$OUT/kbuild.json.gz" \
    "$REPO_DIR/node_modules/v86/package.json" "$REPO_DIR/src/common/machine/profiles.ts" "$IMAGES_DIR/tools/make-snapshots.ts"
}
SNAP_STAMP=$(snapshot_inputs | sha256sum | cut -c1-16)
t0=$SECONDS
if [ "$(cat "$WORK/snapshots/.klp-stamp" 2>/dev/null)" = "$SNAP_STAMP" ]; then
  log "snapshots: up to date ($SNAP_STAMP)"
else
  log "snapshots: booting target and build host in v86"
  rm -rf "$WORK/snapshots"
  KLP_IMAGES_DIR=$OUT npx --no-install tsx images/tools/make-snapshots.ts "$WORK/snapshots"
  echo "$SNAP_STAMP" >"$WORK/snapshots/.klp-stamp"
fi
export KLP_STEP_SECONDS="$KLP_STEP_SECONDS 60-snapshots=$((SECONDS - t0))"
npx --no-install tsx images/tools/publish.ts "$WORK" "$OUT"
log "done: $(du -sh "$OUT" | cut -f1) in $OUT"
