#!/usr/bin/env bash
# Step 3: the initramfs shared by the target and the build host: Debian's i386
# busybox-static, our init scripts and control agent, and the livepatch
# modules used by tests and demos (kernel samples + our klp-rela test module).
source "$(dirname "$0")/lib/common.sh"

KDIR=$CHROOT/build/linux
KREL=$(cat "$KDIR/include/config/kernel.release")
STAGE=$WORK/initramfs
mkdir -p "$OUT"

log "initramfs: staging"
rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,dev,proc,sys,tmp,run,host,root,lib/modules/"$KREL"/extra}
cp -a "$IMAGES_DIR/initramfs/rootfs/." "$STAGE/"
rm -f "$STAGE/root/.keep"
cp "$CHROOT/bin/busybox" "$STAGE/bin/busybox"
# The control agent (ttyS1), built static by the chroot's gcc.
cp "$IMAGES_DIR/initramfs/agent/klp-agent.c" "$CHROOT/build/klp-agent.c"
in_chroot gcc-12 -static -Os -s -Wall -Wextra -Werror -o /build/klp-agent /build/klp-agent.c
cp "$CHROOT/build/klp-agent" "$STAGE/sbin/klp-agent"
# Every applet as a link in /bin: /usr is left empty because the build host
# mounts its toolchain image there.
for applet in $(in_chroot /bin/busybox --list); do
  [ -e "$STAGE/bin/$applet" ] || [ -e "$STAGE/sbin/$applet" ] || ln -s busybox "$STAGE/bin/$applet"
done
ln -sf ../bin/busybox "$STAGE/sbin/init"
ln -sf bin/busybox "$STAGE/init"
# Debian's i386 binaries ask for /lib/ld-linux.so.2; it arrives with /usr.
ln -sf /usr/lib/i386-linux-gnu/ld-linux.so.2 "$STAGE/lib/ld-linux.so.2"

for ko in "$KDIR"/samples/livepatch/*.ko "$WORK"/testmod/*.ko; do
  # (no debug info in this kernel config: nothing to strip)
  [ -f "$ko" ] && cp "$ko" "$STAGE/lib/modules/$KREL/extra/"
done
ls "$STAGE/lib/modules/$KREL/extra" | grep -q livepatch-sample.ko || die "samples/livepatch modules missing"

log "initramfs: cpio"
# Fixed owners and times: the same inputs give the same bytes.
find "$STAGE" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +
(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -n -9 >"$WORK/initramfs.cpio.gz"
log "initramfs: $(stat -c %s "$WORK/initramfs.cpio.gz") bytes"
