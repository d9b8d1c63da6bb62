// kpatch-macros.h, written for this playground from kpatch's documented API,
// so patches written for kpatch build unchanged. The pipeline adds it to a
// compile when a patched file includes it (compat-headers.ts).
//
// What each macro leaves in the object, and who reads it:
// - KPATCH_*_CALLBACK: a pointer variable with a fixed name; the module
//   assembler puts the function it points to into klp_object.callbacks.
// - KPATCH_IGNORE_FUNCTION / KPATCH_IGNORE_SECTION / KPATCH_FORCE_UNSAFE: a
//   pointer in a .kpatch.* section, as kpatch's create-diff-object expects
//   them; the object differ reads them (diff/marks.ts) and none of it is
//   carried into the module.

export const KPATCH_MACROS_PATH = "include/linux/kpatch-macros.h";

/** Variable name -> klp_callbacks field. */
export const KPATCH_CALLBACKS = {
  __kpatch_pre_patch_callback: "pre_patch",
  __kpatch_post_patch_callback: "post_patch",
  __kpatch_pre_unpatch_callback: "pre_unpatch",
  __kpatch_post_unpatch_callback: "post_unpatch",
} as const;

/** The sections kpatch's marking macros fill: one pointer per use. */
export const KPATCH_MARK_SECTIONS = {
  ignoreFunctions: ".kpatch.ignore.functions",
  ignoreSections: ".kpatch.ignore.sections",
  force: ".kpatch.force",
} as const;

export const KPATCH_MACROS_H = `/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-macros.h (Livepatch Playground): kpatch's macros on top of the
 * kernel's livepatch. klp_shadow_*() need nothing from here: include
 * <linux/livepatch.h> and use them directly.
 */
#ifndef _KPATCH_MACROS_H_
#define _KPATCH_MACROS_H_

#include <linux/compiler.h>
#include <linux/jiffies.h>
#include <linux/printk.h>
#include <linux/livepatch.h>
#include <linux/static_call_types.h>
#include <linux/kpatch-syscall.h>

typedef struct klp_object patch_object;

typedef int (*kpatch_pre_patch_call_t)(patch_object *obj);
typedef void (*kpatch_post_patch_call_t)(patch_object *obj);
typedef void (*kpatch_pre_unpatch_call_t)(patch_object *obj);
typedef void (*kpatch_post_unpatch_call_t)(patch_object *obj);

/* Runs before the patch is enabled; a non-zero return refuses the patch. */
#define KPATCH_PRE_PATCH_CALLBACK(_fn) \\
	static kpatch_pre_patch_call_t __used __kpatch_pre_patch_callback = _fn
/* Runs once every task runs the new code. */
#define KPATCH_POST_PATCH_CALLBACK(_fn) \\
	static kpatch_post_patch_call_t __used __kpatch_post_patch_callback = _fn
/* Runs before the patch is disabled. */
#define KPATCH_PRE_UNPATCH_CALLBACK(_fn) \\
	static kpatch_pre_unpatch_call_t __used __kpatch_pre_unpatch_callback = _fn
/* Runs once every task runs the old code again. */
#define KPATCH_POST_UNPATCH_CALLBACK(_fn) \\
	static kpatch_post_unpatch_call_t __used __kpatch_post_unpatch_callback = _fn

/*
 * A section whose contents change as a side effect of the patch and must not
 * count as a change (nor be refused as an unknown table).
 */
#define KPATCH_IGNORE_SECTION(_sec) \\
	char *__UNIQUE_ID(kpatch_ignore_section_) __section(".kpatch.ignore.sections") = _sec;

/*
 * A function that changed only as a side effect (a moved line in a WARN):
 * it is not patched; the running kernel keeps its own.
 */
#define KPATCH_IGNORE_FUNCTION(_fn) \\
	void *__kpatch_ignore_func_##_fn __section(".kpatch.ignore.functions") = _fn;

/*
 * USE WITH EXTREME CAUTION: the function is always on some task's stack, and
 * its old and new versions are safe to run at the same time. Livepatch has
 * no per-function switch; \`klp apply\` forces a stalled transition (writes
 * /sys/kernel/livepatch/<patch>/force) only when nothing but functions
 * marked so can be holding it up. A forced patch cannot be unloaded.
 */
#define KPATCH_FORCE_UNSAFE(_fn) \\
	void *__kpatch_force_func_##_fn __section(".kpatch.force") = _fn;

/*
 * printk() is __cold, which makes GCC move the surrounding code path to
 * .text.unlikely or uninline its callees; behind a branch on jiffies it
 * stays on its own path.
 */
#define KPATCH_PRINTK(_fmt, ...) \\
({ \\
	if (jiffies) \\
		printk(_fmt, ## __VA_ARGS__); \\
})

#define KPATCH_PRINTK_DEFERRED(_fmt, ...) \\
({ \\
	if (jiffies) \\
		printk_deferred(_fmt, ## __VA_ARGS__); \\
})

/*
 * static_call(name) as a plain indirect call through the key. On this
 * kernel (i386: HAVE_STATIC_CALL, not _INLINE) static_call() in patched code
 * is a direct call to the trampoline and needs no such care; the macro is
 * here so that kpatch patches using it build.
 */
#define KPATCH_STATIC_CALL(name) \\
	((typeof(STATIC_CALL_TRAMP(name))*)(STATIC_CALL_KEY(name).func))

#endif /* _KPATCH_MACROS_H_ */
`;
