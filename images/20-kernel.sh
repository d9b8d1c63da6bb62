#!/usr/bin/env bash
# Step 2: Debian's linux-source-6.12 + our patch series + our config, built in
# the i386 chroot at /build/linux (the same path the build-host VM sees).
source "$(dirname "$0")/lib/common.sh"

KDIR=$CHROOT/build/linux
stamp_input() {
  cat "$IMAGES_DIR"/kernel/patches/*.patch "$IMAGES_DIR/kernel/config.fragment" "$0" "$IMAGES_DIR/lib/common.sh"
}
STAMP=$(stamp_input | sha256sum | cut -c1-16)
if [ -f "$KDIR/.klp-stamp" ] && [ "$(cat "$KDIR/.klp-stamp")" = "$STAMP" ] && [ -f "$KDIR/arch/x86/boot/bzImage" ]; then
  log "kernel: up to date ($STAMP)"
  exit 0
fi

# A fixed build date (the Debian package's own) makes `uname -v` and the
# kernel image the same on every rebuild.
export KBUILD_BUILD_TIMESTAMP
# (awk reads to the end: an early exit would SIGPIPE zcat and trip pipefail)
KBUILD_BUILD_TIMESTAMP=$(zcat "$CHROOT/usr/share/doc/$KERNEL_PKG/changelog.Debian.gz" | awk '/^ -- / && !done { sub(/^ -- .*>  /, ""); print; done = 1 }')
[ -n "$KBUILD_BUILD_TIMESTAMP" ] || die "no date in the $KERNEL_PKG changelog"

log "kernel: unpacking source"
rm -rf "$KDIR"
mkdir -p "$CHROOT/build"
tar -C "$CHROOT/build" -xJf "$CHROOT/usr/src/$KERNEL_PKG.tar.xz"
mv "$CHROOT/build/$KERNEL_PKG" "$KDIR"
for p in "$IMAGES_DIR"/kernel/patches/*.patch; do
  log "kernel: applying $(basename "$p")"
  patch -d "$KDIR" -p1 --no-backup-if-mismatch -s <"$p" || die "patch $(basename "$p") does not apply"
done
cp "$IMAGES_DIR/kernel/config.fragment" "$KDIR/klp.config"

log "kernel: tinyconfig + config.fragment"
in_chroot sh -c 'cd /build/linux && make -s ARCH=i386 tinyconfig && KCONFIG_CONFIG=.config scripts/kconfig/merge_config.sh -m .config klp.config >/dev/null && make -s ARCH=i386 olddefconfig'
# merge_config only warns when Kconfig drops an option: every line of the
# fragment must survive, or the kernel is not the one we describe.
missing=0
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=*) grep -qx "$line" "$KDIR/.config" || { echo "  not in .config: $line" >&2; missing=1; } ;;
    "# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}; ! grep -q "^$opt=" "$KDIR/.config" || { echo "  set although the fragment unsets it: $opt" >&2; missing=1; } ;;
  esac
done <"$IMAGES_DIR/kernel/config.fragment"
[ "$missing" = 0 ] || die "kernel config does not match config.fragment"

log "kernel: make -j$JOBS bzImage modules (several minutes)"
in_chroot sh -c "cd /build/linux && make ARCH=i386 -j$JOBS bzImage modules >/build/kernel-build.log 2>&1" \
  || { tail -30 "$CHROOT/build/kernel-build.log"; die "kernel build failed (log: $CHROOT/build/kernel-build.log)"; }
if grep -E 'warning:|WARNING:' "$CHROOT/build/kernel-build.log" | grep -v 'samples/' | head -20 | grep -q .; then
  log "kernel: build warnings (see $CHROOT/build/kernel-build.log)"
fi
echo "$STAMP" >"$KDIR/.klp-stamp"
log "kernel: $(stat -c %s "$KDIR/arch/x86/boot/bzImage") bytes bzImage"
