#!/usr/bin/env bash
# Step 1: the i386 Debian build root. Its gcc-12 compiles the kernel, and the
# very same binaries (with the libraries they load) become the build-host VM's
# toolchain image, so a recompile inside the VM is byte-identical. Every other
# input (kernel source, busybox, BIOS) is a Debian package installed here too,
# so one `dpkg-query` records all versions.
source "$(dirname "$0")/lib/common.sh"

BASE_PACKAGES=gcc-12,cpp-12,binutils,libc6-dev,make,bc,flex,bison,cpio,xz-utils,zstd,kmod,python3-minimal,gzip
EXTRA_PACKAGES="busybox-static seabios"
BACKPORTS_PACKAGES="$KERNEL_PKG"
WANT="$BASE_PACKAGES $EXTRA_PACKAGES $BACKPORTS_PACKAGES"

if [ -f "$CHROOT/.klp-packages" ] && [ "$(cat "$CHROOT/.klp-packages")" = "$WANT" ]; then
  log "chroot: up to date"
  exit 0
fi
if [ ! -x "$CHROOT/usr/bin/gcc-12" ]; then
  umount_chroot
  rm -rf "$CHROOT"
  mkdir -p "$WORK"
  log "chroot: debootstrap --arch=i386 $SUITE (minbase + $BASE_PACKAGES)"
  debootstrap --arch=i386 --variant=minbase --include="$BASE_PACKAGES" "$SUITE" "$CHROOT" "$DEBIAN_MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log"; die "debootstrap failed (log: $WORK/debootstrap.log)"; }
fi
ln -sf gcc-12 "$CHROOT/usr/bin/gcc"
ln -sf cpp-12 "$CHROOT/usr/bin/cpp"
grep -q "$SUITE-backports" "$CHROOT/etc/apt/sources.list" || echo "deb $DEBIAN_MIRROR $SUITE-backports main" >>"$CHROOT/etc/apt/sources.list"
log "chroot: apt-get install $EXTRA_PACKAGES, $BACKPORTS_PACKAGES (backports)"
in_chroot apt-get update -qq
in_chroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $EXTRA_PACKAGES >/dev/null 2>&1
in_chroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t "$SUITE-backports" $BACKPORTS_PACKAGES >/dev/null 2>&1
for p in $EXTRA_PACKAGES $BACKPORTS_PACKAGES; do
  in_chroot dpkg-query -W "$p" >/dev/null 2>&1 || die "package $p did not install in the chroot"
done
echo "$WANT" >"$CHROOT/.klp-packages"
log "chroot: ready"
