# Shared helpers for the image scripts. Sourced, not run.
set -euo pipefail

IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$IMAGES_DIR/.." && pwd)
# Everything intermediate lives here (git-ignored); outputs go to public/images.
WORK=${KLP_IMAGES_WORK:-$IMAGES_DIR/.work}
OUT=${KLP_IMAGES_OUT:-$REPO_DIR/public/images}
CHROOT=$WORK/chroot
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
# linux-source-6.12 is in bookworm-backports
KERNEL_PKG=linux-source-6.12
JOBS=${JOBS:-$(nproc)}

log() { printf '\033[1m[images %s]\033[0m %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'images: error: %s\n' "$*" >&2; exit 1; }

# Run a command inside the i386 build chroot, with a 32-bit personality so
# that `uname -m` (and so kbuild) sees i686.
in_chroot() {
  mountpoint -q "$CHROOT/proc" || mount -t proc proc "$CHROOT/proc"
  mountpoint -q "$CHROOT/dev" || mount --bind /dev "$CHROOT/dev"
  chroot "$CHROOT" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-0}" KBUILD_BUILD_TIMESTAMP="${KBUILD_BUILD_TIMESTAMP:-}" \
    KBUILD_BUILD_USER=klp KBUILD_BUILD_HOST=playground \
    setarch i686 "$@"
}

umount_chroot() {
  for m in dev proc; do mountpoint -q "$CHROOT/$m" && umount "$CHROOT/$m" || true; done
}
