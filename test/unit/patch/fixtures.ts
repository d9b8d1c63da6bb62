// Shared test data for the diff parser/applier tests.

// A kernel-like fs/proc/cmdline.c; `\\n` is the C escape.
export const CMDLINE = `// SPDX-License-Identifier: GPL-2.0
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <asm/setup.h>
#include "internal.h"

static int cmdline_proc_show(struct seq_file *m, void *v)
{
\tseq_puts(m, saved_command_line);
\tseq_putc(m, '\\n');
\treturn 0;
}

static int __init proc_cmdline_init(void)
{
\tstruct proc_dir_entry *pde;

\tpde = proc_create_single("cmdline", 0, NULL, cmdline_proc_show);
\tpde_make_permanent(pde);
\tpde->size = saved_command_line_len + 1;
\treturn 0;
}
fs_initcall(proc_cmdline_init);
`;

/** Deterministic PRNG (the garble bench's mulberry32), so failures reproduce. */
export { seeded as rng } from "../../../src/node/bench/garble.ts";
