// kpatch-macros.h, written for this playground from kpatch's documented API
// (KPATCH_PRE_PATCH_CALLBACK & co), so patches written for kpatch build
// unchanged. The pipeline adds it to a compile when a patched file includes
// it. Each macro leaves a pointer variable with a fixed name; the module
// assembler puts the function it points to into klp_object.callbacks.

export const KPATCH_MACROS_PATH = "include/linux/kpatch-macros.h";

/** Variable name -> klp_callbacks field. */
export const KPATCH_CALLBACKS = {
  __kpatch_pre_patch_callback: "pre_patch",
  __kpatch_post_patch_callback: "post_patch",
  __kpatch_pre_unpatch_callback: "pre_unpatch",
  __kpatch_post_unpatch_callback: "post_unpatch",
} as const;

export const KPATCH_MACROS_H = `/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-macros.h (Livepatch Playground): kpatch's callback macros on top of
 * the kernel's livepatch callbacks. klp_shadow_*() need nothing from here:
 * include <linux/livepatch.h> and use them directly.
 */
#ifndef _KPATCH_MACROS_H_
#define _KPATCH_MACROS_H_

#include <linux/compiler.h>
#include <linux/livepatch.h>

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

#endif /* _KPATCH_MACROS_H_ */
`;
