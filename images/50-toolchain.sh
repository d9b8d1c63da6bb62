#!/usr/bin/env bash
# Step 5: the build host's toolchain image, staged as a directory tree that
# becomes a v86 9p "basefs" (JSON index + content-addressed zstd files):
#   /usr/...        Debian's i386 gcc-12 + binutils and the libraries they load
#   /build/linux/   the kernel build tree: every compiled .c, every header a
#                   compile reads (from kbuild's dependency data), the original
#                   objects, .config and Module.symvers
# plus kbuild.json (each object's command line, source and dependencies),
# which the host-side pipeline reads.
source "$(dirname "$0")/lib/common.sh"

KDIR=$CHROOT/build/linux
STAGE=$WORK/toolchain
rm -rf "$STAGE"
mkdir -p "$STAGE"

log "toolchain: compiler binaries and their libraries"
GCCLIB=/usr/lib/gcc/i686-linux-gnu/12
BINARIES="/usr/bin/i686-linux-gnu-gcc-12 $GCCLIB/cc1 /usr/bin/i686-linux-gnu-as /usr/bin/i686-linux-gnu-ld.bfd /usr/bin/i686-linux-gnu-objcopy /usr/bin/i686-linux-gnu-nm"
{
  for b in $BINARIES; do echo "$b"; done
  # Shared libraries, resolved by the i386 loader itself.
  in_chroot sh -c "for b in $BINARIES; do ldd \$b; done" | awk '/=>/ { print $3 } /^\t\/.*ld-linux/ { print $1 }'
  echo /usr/lib/ld-linux.so.2
  echo /usr/lib/i386-linux-gnu/ld-linux.so.2
  # gcc's own headers (stdarg.h & co: the kernel builds with -nostdinc -isystem <these>)
  (cd "$CHROOT" && find ".$GCCLIB/include" -type f | sed 's#^\.##')
} | sort -u >"$WORK/toolchain-files.txt"
while read -r f; do
  # Debian's /lib is a link to /usr/lib: store everything under /usr.
  case "$f" in /lib/*) f=/usr$f ;; esac
  mkdir -p "$STAGE$(dirname "$f")"
  cp -a "$CHROOT$f" "$STAGE$f"
  # Follow one level of symlink (the libraries are symlinks to versioned files).
  if [ -L "$CHROOT$f" ]; then
    t=$(readlink -f "$CHROOT$f"); t=${t#"$CHROOT"}
    case "$t" in /lib/*) t=/usr$t ;; esac
    mkdir -p "$STAGE$(dirname "$t")"; cp -a "$CHROOT$t" "$STAGE$t"
  fi
done <"$WORK/toolchain-files.txt"
# The names kbuild's command lines use.
ln -sf i686-linux-gnu-gcc-12 "$STAGE/usr/bin/gcc-12"
ln -sf gcc-12 "$STAGE/usr/bin/gcc"
ln -sf i686-linux-gnu-as "$STAGE/usr/bin/as"
ln -sf i686-linux-gnu-ld.bfd "$STAGE/usr/bin/ld"
ln -sf i686-linux-gnu-objcopy "$STAGE/usr/bin/objcopy"
ln -sf i686-linux-gnu-nm "$STAGE/usr/bin/nm"
# Debian's merged /usr: the binaries' ELF interpreter is /lib/ld-linux.so.2.
ln -sfn usr/lib "$STAGE/lib"

log "toolchain: kernel build tree"
npx --no-install tsx "$IMAGES_DIR/tools/kbuild-index.ts" "$KDIR" "$STAGE/build/linux" "$WORK/kbuild.json"
log "toolchain: gcc -### for every C object (the wasm compiler's cc1/as command lines)"
npx --no-install tsx "$IMAGES_DIR/tools/driver-index.ts" "$CHROOT" "$WORK/kbuild.json" "$WORK/driver.json"
log "toolchain: $(find "$STAGE" -type f | wc -l) files, $(du -sh --apparent-size "$STAGE" | cut -f1)"
