// The headers that patches written for kpatch or for upstream klp-build
// include and that the kernel tree does not have: <linux/kpatch-macros.h>,
// <linux/kpatch-syscall.h> (kpatch), <linux/livepatch_helpers.h> (klp-build,
// Linux 6.19+). The pipeline adds them to a compile when a patched file
// includes one, in whichever form: <linux/X>, <X> (kpatch-build puts its
// directory on the include path) or "X" (next to the file).
import { KPATCH_MACROS_H } from "./kpatch-macros.ts";

/**
 * kpatch has no syscall macros for 32-bit x86. On i386 SYSCALL_DEFINEx makes
 * __ia32_sys_<name>(regs) (traceable) -> __se_sys_<name>() (static, inlined)
 * -> __do_sys_<name>() (static inline, so notrace): the body can only be
 * reached through the traceable stub. These are arch/x86's
 * __SYSCALL_DEFINEx with the body renamed __kpatch_do_sys_<name>: a new
 * function to the differ, and the stub that now calls it changed, so the
 * stub is what gets patched. (__X64_SYS_STUBx is empty on 32-bit, so the
 * same text serves x86_64.)
 */
export const KPATCH_SYSCALL_H = `/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-syscall.h (Livepatch Playground): KPATCH_SYSCALL_DEFINE1..6 for x86,
 * 32-bit included. Replace SYSCALL_DEFINEn(name, ...) with
 * KPATCH_SYSCALL_DEFINEn(name, ...) in the patched file; the file already
 * includes <linux/syscalls.h>.
 */
#ifndef _KPATCH_SYSCALL_H_
#define _KPATCH_SYSCALL_H_

#include <linux/kpatch-macros.h>

#ifdef CONFIG_FTRACE_SYSCALLS
/* The original's metadata stays in vmlinux; the patch's copy is a dummy the differ ignores. */
#define KPATCH_SYSCALL_METADATA(sname)					\\
	static struct syscall_metadata __used				\\
	  __section("__syscalls_metadata")				\\
	  *__p_syscall_meta_##sname = NULL;				\\
	KPATCH_IGNORE_SECTION("__syscalls_metadata");			\\
	static struct trace_event_call __used				\\
	  __section("_ftrace_events")					\\
	  *__event_enter_##sname = NULL;				\\
	KPATCH_IGNORE_SECTION("_ftrace_events")
#else
#define KPATCH_SYSCALL_METADATA(sname)
#endif

#define KPATCH_SYSCALL_DEFINE1(name, ...) KPATCH_SYSCALL_DEFINEx(1, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE2(name, ...) KPATCH_SYSCALL_DEFINEx(2, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE3(name, ...) KPATCH_SYSCALL_DEFINEx(3, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE4(name, ...) KPATCH_SYSCALL_DEFINEx(4, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE5(name, ...) KPATCH_SYSCALL_DEFINEx(5, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE6(name, ...) KPATCH_SYSCALL_DEFINEx(6, _##name, __VA_ARGS__)

#define KPATCH_SYSCALL_DEFINEx(x, sname, ...)				\\
	KPATCH_SYSCALL_METADATA(sname);					\\
	__KPATCH_SYSCALL_DEFINEx(x, sname, __VA_ARGS__)

#if defined(CONFIG_X86_32) || defined(CONFIG_X86_64)
#define __KPATCH_SYSCALL_DEFINEx(x, name, ...)				\\
	static long __se_sys##name(__MAP(x,__SC_LONG,__VA_ARGS__));	\\
	static inline long __kpatch_do_sys##name(__MAP(x,__SC_DECL,__VA_ARGS__));\\
	__X64_SYS_STUBx(x, name, __VA_ARGS__)				\\
	__IA32_SYS_STUBx(x, name, __VA_ARGS__)				\\
	static long __se_sys##name(__MAP(x,__SC_LONG,__VA_ARGS__))	\\
	{								\\
		long ret = __kpatch_do_sys##name(__MAP(x,__SC_CAST,__VA_ARGS__));\\
		__MAP(x,__SC_TEST,__VA_ARGS__);				\\
		__PROTECT(x, ret,__MAP(x,__SC_ARGS,__VA_ARGS__));	\\
		return ret;						\\
	}								\\
	static inline long __kpatch_do_sys##name(__MAP(x,__SC_DECL,__VA_ARGS__))
#else
#error "kpatch-syscall.h: this playground's kernel is x86"
#endif

#endif /* _KPATCH_SYSCALL_H_ */
`;

/**
 * Upstream klp-build's helpers (include/linux/livepatch_helpers.h, Linux
 * 6.19+). Its callbacks are kept here as kpatch-macros.h keeps them (one
 * variable per kind, which the assembler turns into klp_object.callbacks);
 * its KLP_SYSCALL_DEFINEx exists upstream for x86_64 only, here for i386.
 */
export const LIVEPATCH_HELPERS_H = `/* SPDX-License-Identifier: GPL-2.0 */
/*
 * livepatch_helpers.h (Livepatch Playground): upstream klp-build's interface
 * for patches, on Linux 6.12 i386.
 */
#ifndef _LINUX_LIVEPATCH_HELPERS_H
#define _LINUX_LIVEPATCH_HELPERS_H

#include <linux/syscalls.h>
#include <linux/livepatch.h>
#include <linux/static_call_types.h>

#ifdef MODULE
#define KLP_OBJNAME __KBUILD_MODNAME
#else
#define KLP_OBJNAME vmlinux
#endif

typedef int (*klp_pre_patch_t)(struct klp_object *obj);
typedef void (*klp_post_patch_t)(struct klp_object *obj);
typedef void (*klp_pre_unpatch_t)(struct klp_object *obj);
typedef void (*klp_post_unpatch_t)(struct klp_object *obj);

#define KLP_PRE_PATCH_CALLBACK(func) \\
	static klp_pre_patch_t __used __kpatch_pre_patch_callback = func
#define KLP_POST_PATCH_CALLBACK(func) \\
	static klp_post_patch_t __used __kpatch_post_patch_callback = func
#define KLP_PRE_UNPATCH_CALLBACK(func) \\
	static klp_pre_unpatch_t __used __kpatch_pre_unpatch_callback = func
#define KLP_POST_UNPATCH_CALLBACK(func) \\
	static klp_post_unpatch_t __used __kpatch_post_unpatch_callback = func

/* static_call(name) as a plain indirect call through the key. */
#define KLP_STATIC_CALL(name) \\
	((typeof(STATIC_CALL_TRAMP(name))*)(STATIC_CALL_KEY(name).func))

#define KLP_SYSCALL_DEFINE1(name, ...) KLP_SYSCALL_DEFINEx(1, _##name, __VA_ARGS__)
#define KLP_SYSCALL_DEFINE2(name, ...) KLP_SYSCALL_DEFINEx(2, _##name, __VA_ARGS__)
#define KLP_SYSCALL_DEFINE3(name, ...) KLP_SYSCALL_DEFINEx(3, _##name, __VA_ARGS__)
#define KLP_SYSCALL_DEFINE4(name, ...) KLP_SYSCALL_DEFINEx(4, _##name, __VA_ARGS__)
#define KLP_SYSCALL_DEFINE5(name, ...) KLP_SYSCALL_DEFINEx(5, _##name, __VA_ARGS__)
#define KLP_SYSCALL_DEFINE6(name, ...) KLP_SYSCALL_DEFINEx(6, _##name, __VA_ARGS__)

#define KLP_SYSCALL_DEFINEx(x, sname, ...)				\\
	__KLP_SYSCALL_DEFINEx(x, sname, __VA_ARGS__)

#define __KLP_SYSCALL_DEFINEx(x, name, ...)				\\
	static long __se_sys##name(__MAP(x,__SC_LONG,__VA_ARGS__));	\\
	static inline long __klp_do_sys##name(__MAP(x,__SC_DECL,__VA_ARGS__));\\
	__X64_SYS_STUBx(x, name, __VA_ARGS__)				\\
	__IA32_SYS_STUBx(x, name, __VA_ARGS__)				\\
	static long __se_sys##name(__MAP(x,__SC_LONG,__VA_ARGS__))	\\
	{								\\
		long ret = __klp_do_sys##name(__MAP(x,__SC_CAST,__VA_ARGS__));\\
		__MAP(x,__SC_TEST,__VA_ARGS__);				\\
		__PROTECT(x, ret,__MAP(x,__SC_ARGS,__VA_ARGS__));	\\
		return ret;						\\
	}								\\
	static inline long __klp_do_sys##name(__MAP(x,__SC_DECL,__VA_ARGS__))

#endif /* _LINUX_LIVEPATCH_HELPERS_H */
`;

/** Header name -> its text, and the other headers of ours it includes. */
const HEADERS: ReadonlyMap<string, { text: string; includes: readonly string[] }> = new Map([
  ["kpatch-macros.h", { text: KPATCH_MACROS_H, includes: ["kpatch-syscall.h"] }],
  ["kpatch-syscall.h", { text: KPATCH_SYSCALL_H, includes: ["kpatch-macros.h"] }],
  ["livepatch_helpers.h", { text: LIVEPATCH_HELPERS_H, includes: [] }],
]);

/** The names of the headers this module provides. */
export const COMPAT_HEADERS: readonly string[] = [...HEADERS.keys()];

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The files to add to a compile of the patched `files` (tree path -> text):
 * each of our headers a file includes, at include/linux/<name>, plus a
 * one-line file at include/<name> or next to the including file for the
 * other two spellings. A header the tree has itself is left alone.
 */
export function compatHeaderFiles(files: Readonly<Record<string, string>>, treeHas: (path: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const real = (name: string): void => {
    const path = `include/linux/${name}`;
    if (path in out || path in files || treeHas(path)) return;
    out[path] = HEADERS.get(name)!.text;
    for (const dep of HEADERS.get(name)!.includes) real(dep);
  };
  const stub = (path: string, name: string): void => {
    if (path in out || path in files || treeHas(path)) return;
    out[path] = `/* Livepatch Playground: ${name} lives in include/linux/. */\n#include <linux/${name}>\n`;
  };
  for (const [path, text] of Object.entries(files)) {
    for (const name of HEADERS.keys()) {
      const n = escape(name);
      if (new RegExp(`#\\s*include\\s*<linux/${n}>`).test(text)) real(name);
      if (new RegExp(`#\\s*include\\s*<${n}>`).test(text)) {
        real(name);
        stub(`include/${name}`, name);
      }
      if (new RegExp(`#\\s*include\\s*"${n}"`).test(text)) {
        real(name);
        stub(path.replace(/[^/]*$/, name), name);
      }
    }
  }
  return out;
}
