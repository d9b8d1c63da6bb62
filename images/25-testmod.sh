#!/usr/bin/env bash
# Step 2b: the klp relocation test module (images/testmod), built by kbuild
# against our kernel, then converted by klp-convert.ts: relocations against
# symbols vmlinux does not export become .klp.rela.vmlinux.* entries.
source "$(dirname "$0")/lib/common.sh"

KDIR=$CHROOT/build/linux
rm -rf "$CHROOT/build/testmod" "$WORK/testmod"
mkdir -p "$WORK/testmod"
cp -a "$IMAGES_DIR/testmod" "$CHROOT/build/testmod"
log "testmod: kbuild"
# modpost rightly reports version_proc_show as undefined: it is not exported.
# KBUILD_MODPOST_WARN turns that into a warning; klp-convert resolves it.
in_chroot sh -c 'cd /build/linux && make ARCH=i386 M=/build/testmod KBUILD_MODPOST_WARN=1 modules' >"$WORK/testmod/build.log" 2>&1 \
  || { cat "$WORK/testmod/build.log"; die "test module build failed"; }
cd "$REPO_DIR"
npx --no-install tsx images/tools/klp-convert.ts "$KDIR/Module.symvers" "$KDIR/System.map" \
  "$CHROOT/build/testmod/klp_rela_test.ko" "$WORK/testmod/klp_rela_test.ko"
