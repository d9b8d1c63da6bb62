// SPDX-License-Identifier: GPL-2.0
/*
 * A hand-written livepatch that calls a function vmlinux does not export:
 * version_proc_show() is static in fs/proc/version.c. The module is built by
 * kbuild like any other, then images/tools/klp-convert.ts turns the
 * relocations against that symbol into a .klp.rela.vmlinux.* section against
 * .klp.sym.vmlinux.version_proc_show,0, which the livepatch core resolves
 * through kallsyms when the patch loads. It proves that the i386 kernel
 * applies RELA livepatch relocations (images/kernel/patches/0003).
 *
 * After loading, /proc/cmdline reads "klp-rela-test: Linux version ...".
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

/* static in fs/proc/version.c: reached through a klp relocation */
int version_proc_show(struct seq_file *m, void *v);

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klp-rela-test: ");
	return version_proc_show(m, v);
}

static struct klp_func funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = livepatch_cmdline_proc_show,
	}, { }
};

static struct klp_object objs[] = {
	{
		/* name being NULL means vmlinux */
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int klp_rela_test_init(void)
{
	return klp_enable_patch(&patch);
}

static void klp_rela_test_exit(void)
{
}

module_init(klp_rela_test_init);
module_exit(klp_rela_test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("livepatch relocation test: calls static version_proc_show()");
MODULE_INFO(livepatch, "Y");
