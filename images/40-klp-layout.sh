#!/usr/bin/env bash
# Step 4: facts the livepatch module assembler (src/common/klp/module) needs
# about OUR kernel, measured rather than hard-coded:
#   klp-layout.json       offsets/sizes of struct module, klp_func/object/patch
#                         and special-section entries (images/tools/klp-layout.c,
#                         compiled to assembly with a sample module's exact
#                         kbuild command line)
#   vmlinux-symbols.json  vmlinux's symbols in kallsyms order, each local with
#                         the STT_FILE it follows (images/tools/vmlinux-symbols.ts)
source "$(dirname "$0")/lib/common.sh"

KDIR=$CHROOT/build/linux
SAMPLE=samples/livepatch/livepatch-sample.o
CMDFILE=$KDIR/samples/livepatch/.livepatch-sample.o.cmd
[ -f "$CMDFILE" ] || die "no $CMDFILE: build the kernel (step 20) first"

log "klp-layout: probing struct layouts with $SAMPLE's command line"
# The recorded command, minus its dependency output, compiling our probe to
# assembly in /tmp (the kernel tree is not touched).
CMD=$(sed -n 's/^savedcmd_[^ ]* := //p' "$CMDFILE" \
  | sed -e 's/-Wp,-MMD,[^ ]*//' -e "s# -c -o $SAMPLE [^ ]*\.c# -S -o /tmp/klp-layout.s /tmp/klp-layout.c#")
case "$CMD" in *"/tmp/klp-layout.c"*) ;; *) die "could not retarget: $CMD" ;; esac
cp "$IMAGES_DIR/tools/klp-layout.c" "$CHROOT/tmp/klp-layout.c"
in_chroot sh -c "cd /build/linux && $CMD" || die "klp-layout.c does not compile"
# "->vermagic=6.12.95 mod_unload 686 " and "->module.size 608" lines ->
# {"vermagic": "...", "module": {"size": 608, ...}, ...}
VERMAGIC=$(sed -n 's/^.*->vermagic=\(.*\)"$/\1/p' "$CHROOT/tmp/klp-layout.s")
[ -n "$VERMAGIC" ] || die "klp-layout.s has no vermagic"
sed -n 's/^.*->\([a-z_]*\)\.\([a-z_]*\) \([0-9]*\).*$/\1 \2 \3/p' "$CHROOT/tmp/klp-layout.s" \
  | awk -v release="$(cat "$KDIR/include/config/kernel.release")" -v vermagic="$VERMAGIC" '
      BEGIN { printf "{\n  \"kernelRelease\": \"%s\",\n  \"vermagic\": \"%s\"", release, vermagic }
      $1 != s { if (s != "") printf "\n  }"; s = $1; printf ",\n  \"%s\": {", s; sep = "" }
      { printf "%s\n    \"%s\": %s", sep, $2, $3; sep = "," }
      END { printf "\n  }\n}\n" }' >"$WORK/klp-layout.json"
rm -f "$CHROOT/tmp/klp-layout.c" "$CHROOT/tmp/klp-layout.s"
grep -q '"klp_func"' "$WORK/klp-layout.json" || die "klp-layout.json has no klp_func: $(cat "$WORK/klp-layout.json")"

log "klp-layout: vmlinux symbols"
cd "$REPO_DIR"
npx --no-install tsx images/tools/vmlinux-symbols.ts "$KDIR/vmlinux" "$WORK/vmlinux-symbols.json"
