#!/usr/bin/env bash
# Step 6: the compiler the page runs in its worker. Debian's GCC 12.2 (cc1) and
# binutils 2.40 (as), built from Debian's own source packages with Debian's
# patch series, hosted on wasm32 (Debian's emscripten) and targeting
# i686-linux-gnu, configured with the same target options as the i386
# gcc-12 that built the kernel, so its objects come out byte-identical.
# GMP, MPFR and MPC are built the same way from Debian's sources.
#
# Long (an hour or more on 2 cores): it runs only when its inputs change
# (this script, the source package versions, emscripten's version).
source "$(dirname "$0")/lib/common.sh"

W=$WORK/wasm
PREFIX=$W/prefix
DEST=$WORK/wasm-out
mkdir -p "$W" "$PREFIX"

HOST_PACKAGES="emscripten gcc-12-source binutils-source binutils-i686-linux-gnu quilt autoconf2.69 automake dpkg-dev g++ bison flex m4 xz-utils"
missing=""
for p in $HOST_PACKAGES; do dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"; done
if [ -n "$missing" ]; then
  log "wasm: apt-get install$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
# Debian's emscripten loads Debian's acorn (and friends) from here.
export NODE_PATH=/usr/share/nodejs

ver() { dpkg-query -W -f '${Version}' "$1"; }
# Library sources come from the chroot's apt (deb-src added there), so the
# host's apt configuration stays untouched.
grep -q "^deb-src $DEBIAN_MIRROR $SUITE main" "$CHROOT/etc/apt/sources.list" \
  || echo "deb-src $DEBIAN_MIRROR $SUITE main" >>"$CHROOT/etc/apt/sources.list"
LIBS="gmp mpfr4 mpclib3"
lib_versions() { in_chroot apt-cache showsrc $LIBS 2>/dev/null | awk '/^Package:/{p=$2} /^Version:/{print p"="$2}' | sort -u | tr '\n' ' '; }
[ -n "$(lib_versions)" ] || in_chroot apt-get update -qq
STAMP_INPUTS="$(sha256sum "$0" | cut -c1-16) gcc-12-source=$(ver gcc-12-source) binutils-source=$(ver binutils-source) emscripten=$(ver emscripten) $(lib_versions)"
if [ -f "$DEST/.klp-stamp" ] && [ "$(cat "$DEST/.klp-stamp")" = "$STAMP_INPUTS" ]; then
  log "wasm: up to date"
  exit 0
fi
log "wasm: building ($STAMP_INPUTS)"

# ---- library sources (gmp, mpfr, mpc), unpacked with their Debian patches
mkdir -p "$CHROOT/build/src"
if [ ! -f "$W/.libs-fetched" ]; then
  in_chroot sh -c "cd /build/src && apt-get source --download-only -qq $LIBS" >/dev/null
  rm -rf "$W/libsrc" && mkdir -p "$W/libsrc"
  for dsc in "$CHROOT"/build/src/*.dsc; do
    (cd "$W/libsrc" && dpkg-source --no-check -x "$dsc" >/dev/null)
  done
  touch "$W/.libs-fetched"
fi
# Debian's gmp is dfsg: doc/ is gone but the shipped configure still lists it.
gmp_doc_stub() {
  local d=$1/doc
  [ -f "$d/Makefile.in" ] && return 0
  mkdir -p "$d"
  printf 'all install install-data install-exec uninstall clean distclean check:\n\t@:\n' >"$d/Makefile.in"
}
srcdir_of() { find "$W/libsrc" -maxdepth 1 -mindepth 1 -type d -name "$1-*" | head -1; }

EMFLAGS="-O2"
build_lib() { # name dir configure-args...
  local name=$1 dir=$2; shift 2
  [ -f "$W/.built-$name" ] && return 0
  log "wasm: $name ($(basename "$dir"))"
  rm -rf "$W/build-$name" && mkdir -p "$W/build-$name"
  (cd "$W/build-$name" && CC_FOR_BUILD=gcc CFLAGS="$EMFLAGS" emconfigure "$dir/configure" --prefix="$PREFIX" \
    --build=x86_64-pc-linux-gnu --enable-static --disable-shared "$@" >configure.log 2>&1 \
    && emmake make -j"$JOBS" >make.log 2>&1 && emmake make install >install.log 2>&1) \
    || { tail -n 30 "$W/build-$name"/*.log; die "building $name for wasm failed (logs: $W/build-$name)"; }
  touch "$W/.built-$name"
}
# GMP's own config.sub knows no wasm32: "none" is its portable C build.
gmp_doc_stub "$(srcdir_of gmp)"
build_lib gmp "$(srcdir_of gmp)" --host=none --disable-assembly

build_lib mpfr "$(srcdir_of mpfr4)" --host=wasm32-unknown-emscripten --with-gmp="$PREFIX"
build_lib mpc "$(srcdir_of mpclib3)" --host=wasm32-unknown-emscripten --with-gmp="$PREFIX" --with-mpfr="$PREFIX"

# ---- GCC: Debian's source package, patched the way Debian's build does
if [ ! -f "$W/.gcc-patched" ]; then
  log "wasm: gcc-12 source + Debian patch series (debian/rules patch)"
  rm -rf "$W/gcc-12" && cp -a /usr/src/gcc-12 "$W/gcc-12"
  (cd "$W/gcc-12" && debian/rules patch >"$W/gcc-patch.log" 2>&1) || { tail -30 "$W/gcc-patch.log"; die "gcc patch step failed"; }
  touch "$W/.gcc-patched"
fi

# emscripten link options for the programs (not for configure's probes).
# A large stack: GCC recurses deeply on big functions. Memory grows on demand.
# No "node" environment: emscripten 3.1.6's ES-module loader breaks under
# Node (__dirname); callers hand it the compiled module, so it needs none.
# -O2 at the link runs binaryen's optimiser: without it GCC's generated
# recognisers keep more locals than a browser's wasm compiler accepts.
EMLINK="-O2 -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB -sTOTAL_STACK=16MB -sINITIAL_MEMORY=64MB \
 -sMODULARIZE=1 -sEXPORT_ES6=1 -sINVOKE_RUN=0 -sEXIT_RUNTIME=1 -sFORCE_FILESYSTEM=1 \
 -sENVIRONMENT=web,worker -sEXPORTED_RUNTIME_METHODS=FS,callMain -sALLOW_TABLE_GROWTH=1"

# Target options as Debian's i386 gcc-12 (gcc -v in the chroot); host-only
# ones (nls, plugin, system zlib, shared) dropped: they change nothing cc1 emits.
GCC_TARGET_OPTS="--enable-targets=all --enable-multiarch --with-arch-32=i686 --with-multilib-list=m32,m64,mx32 \
 --enable-multilib --with-tune=generic --enable-checking=release --enable-default-pie --enable-gnu-unique-object \
 --with-gcc-major-version-only --disable-vtable-verify --enable-linker-build-id --enable-threads=posix --enable-clocale=gnu"
# emscripten's libc declares psignal() but its link probe fails, and then
# libiberty defines a conflicting one: it is there.
export ac_cv_func_psignal=yes
B=$W/build-gcc
# In steps that each leave a marker, so a failed step resumes where it stopped.
if [ ! -f "$W/.configured-gcc" ]; then
  log "wasm: gcc-12 (configure)"
  rm -rf "$B" && mkdir -p "$B"
  (cd "$B" && CC_FOR_BUILD=gcc CXX_FOR_BUILD=g++ CFLAGS_FOR_BUILD=-O2 CXXFLAGS_FOR_BUILD=-O2 \
    CFLAGS="$EMFLAGS" CXXFLAGS="$EMFLAGS" \
    emconfigure "$W/gcc-12/src/configure" --build=x86_64-pc-linux-gnu --host=wasm32-unknown-emscripten --target=i686-linux-gnu \
      --prefix=/usr --libexecdir=/usr/lib --program-prefix=i686-linux-gnu- --program-suffix=-12 \
      --with-pkgversion="Debian $(ver gcc-12-source)" --with-bugurl=file:///usr/share/doc/gcc-12/README.Bugs \
      $GCC_TARGET_OPTS --enable-languages=c --disable-nls --disable-plugin --disable-shared --disable-bootstrap \
      --without-isl --without-zstd --disable-libssp --disable-libquadmath --disable-libgomp --disable-libatomic \
      --with-as=/usr/bin/i686-linux-gnu-as --with-ld=/usr/bin/i686-linux-gnu-ld \
      --with-gmp="$PREFIX" --with-mpfr="$PREFIX" --with-mpc="$PREFIX" --disable-werror >configure.log 2>&1) \
    || { tail -n 40 "$B/configure.log"; die "gcc configure failed (log: $B/configure.log)"; }
  touch "$W/.configured-gcc"
fi
if [ ! -f "$W/.built-gcc-libs" ]; then
  log "wasm: gcc-12 support libraries"
  (cd "$B" && emmake make -j"$JOBS" all-build all-libiberty all-libcpp all-libdecnumber all-libbacktrace all-zlib configure-gcc >make-libs.log 2>&1) \
    || { tail -n 40 "$B/make-libs.log"; die "gcc support libraries failed (log: $B/make-libs.log)"; }
  touch "$W/.built-gcc-libs"
fi
LINK_KEY=$(echo "$EMLINK" | sha256sum | cut -c1-12)
if [ ! -f "$W/.built-gcc" ] || [ "$(cat "$W/.built-gcc")" != "$LINK_KEY" ]; then
  log "wasm: gcc-12 cc1 (make; long)"
  rm -f "$B/gcc/cc1" "$B/gcc/cc1.wasm"
  # The generator programs (gen*) run here at build time: the native compiler
  # builds them (the top-level make would pass these; we call gcc/ directly).
  (cd "$B/gcc" && emmake make -j"$JOBS" CC_FOR_BUILD=gcc CXX_FOR_BUILD=g++ LDFLAGS="$EMLINK -sEXPORT_NAME=createCc1" cc1 >make-cc1.log 2>&1) \
    || { tail -n 40 "$B/gcc/make-cc1.log"; die "gcc cc1 for wasm failed (log: $B/gcc/make-cc1.log)"; }
  echo "$LINK_KEY" >"$W/.built-gcc"
fi

# ---- binutils: gas only
BB=$W/build-binutils
if [ ! -f "$W/.configured-gas" ]; then
  log "wasm: binutils 2.40 (configure)"
  rm -rf "$W/binutils-src" && mkdir -p "$W/binutils-src"
  tar -xf /usr/src/binutils/binutils-*.tar.xz -C "$W/binutils-src" --strip-components=1
  # binutils-source ships its tarball with Debian's series already applied:
  # check that every patch of the series is in it (each reverse-applies).
  for p in $(grep -v '^#' /usr/src/binutils/patches/series); do
    (cd "$W/binutils-src" && patch -p1 -R --dry-run -s </usr/src/binutils/patches/"$p" >/dev/null 2>&1) \
      || die "binutils-source: Debian patch $p is not applied in its tarball"
  done
  rm -rf "$BB" && mkdir -p "$BB"
  # Debian's own configure options for binutils (debian/rules), those that
  # can change what gas writes: without --disable-x86-used-note every object
  # would carry a .note.gnu.property section the kernel's objects do not have.
  (cd "$BB" && CC_FOR_BUILD=gcc CFLAGS="$EMFLAGS" emconfigure "$W/binutils-src/configure" --build=x86_64-pc-linux-gnu \
      --host=wasm32-unknown-emscripten --target=i686-linux-gnu --prefix=/usr --disable-nls --disable-werror \
      --disable-gdb --disable-gdbserver --disable-sim --disable-gprof --disable-gprofng --disable-ld --disable-binutils \
      --disable-libctf --without-zstd --with-system-zlib=no \
      --enable-obsolete --enable-deterministic-archives --disable-compressed-debug-sections --disable-x86-used-note \
      --enable-targets=x86_64-linux-gnu,x86_64-linux-gnux32,x86_64-pep --with-pkgversion="GNU Binutils for Debian" >configure.log 2>&1) \
    || { tail -n 40 "$BB/configure.log"; die "binutils configure failed"; }
  touch "$W/.configured-gas"
fi
if [ ! -f "$W/.built-gas" ] || [ "$(cat "$W/.built-gas")" != "$LINK_KEY" ]; then
  log "wasm: binutils 2.40 as"
  rm -f "$BB/gas/as-new" "$BB/gas/as-new.wasm"
  (cd "$BB" && emmake make -j"$JOBS" MAKEINFO=true all-gas LDFLAGS="$EMLINK -sEXPORT_NAME=createAs" >make.log 2>&1) \
    || { tail -n 40 "$BB/make.log"; die "gas for wasm failed (log: $BB/make.log)"; }
  echo "$LINK_KEY" >"$W/.built-gas"
fi

# ---- outputs: the loader scripts and the wasm binaries, gzip'd for the page
rm -rf "$DEST" && mkdir -p "$DEST"
for pair in "cc1:$W/build-gcc/gcc/cc1" "as:$W/build-binutils/gas/as-new"; do
  name=${pair%%:*}; base=${pair#*:}
  [ -f "$base.wasm" ] || die "no $base.wasm"
  # emscripten names the JS after the target; cc1 has no extension.
  js=$base; [ -f "$base.js" ] && js=$base.js
  cp "$js" "$DEST/$name.mjs"
  # The loader looks for <target>.wasm; ours is served as <name>.wasm.
  sed -i "s#$(basename "$base").wasm#$name.wasm#g" "$DEST/$name.mjs"
  gzip -9n <"$base.wasm" >"$DEST/$name.wasm.gz"
done
echo "$STAMP_INPUTS" >"$DEST/.klp-stamp"
log "wasm: $(du -sh "$DEST" | cut -f1) in $DEST"
