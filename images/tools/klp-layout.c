// klp-layout.c: the i386 layouts our livepatch module assembler
// (src/common/klp/module) writes by hand, measured for OUR kernel config.
//
// Compiled to assembly only (never linked or loaded) with a sample module's
// exact kbuild command line, so every #ifdef inside struct module & co is
// resolved exactly as for a real module. Each KLP_LAYOUT() leaves a line
//   ->name value
// in the .s file, the same trick as the kernel's asm-offsets.c;
// images/40-klp-layout.sh turns those lines into klp-layout.json.
#define INCLUDE_VERMAGIC
#include <linux/module.h>
#include <linux/vermagic.h>
#include <linux/livepatch.h>
#include <linux/stddef.h>
#include <linux/bug.h>
#include <asm/extable.h>
#include <asm/alternative.h>

#define KLP_LAYOUT(name, value) \
	asm volatile("\n.ascii \"->" #name " %c0\"" : : "i" (value))
#define KLP_STRUCT(s) \
	KLP_LAYOUT(s.size, sizeof(struct s)); \
	KLP_LAYOUT(s.align, __alignof__(struct s))
#define KLP_FIELD(s, f) \
	KLP_LAYOUT(s.f, offsetof(struct s, f))

void klp_layout(void);
void klp_layout(void)
{
	/* The module loader refuses modules whose vermagic differs. */
	asm volatile("\n.ascii \"->vermagic=" VERMAGIC_STRING "\"");

	/* struct module: the .gnu.linkonce.this_module section. */
	KLP_STRUCT(module);
	KLP_FIELD(module, name);
	KLP_FIELD(module, init);
#ifdef CONFIG_MODULE_UNLOAD
	KLP_FIELD(module, exit);
#endif
	KLP_LAYOUT(module.name_len, MODULE_NAME_LEN);

	/* The three livepatch structures (include/linux/livepatch.h). */
	KLP_STRUCT(klp_func);
	KLP_FIELD(klp_func, old_name);
	KLP_FIELD(klp_func, new_func);
	KLP_FIELD(klp_func, old_sympos);
	KLP_STRUCT(klp_object);
	KLP_FIELD(klp_object, name);
	KLP_FIELD(klp_object, funcs);
	KLP_FIELD(klp_object, callbacks);
	/* klp_object.callbacks: kpatch-macros.h's KPATCH_*_CALLBACK land here. */
	KLP_STRUCT(klp_callbacks);
	KLP_FIELD(klp_callbacks, pre_patch);
	KLP_FIELD(klp_callbacks, post_patch);
	KLP_FIELD(klp_callbacks, pre_unpatch);
	KLP_FIELD(klp_callbacks, post_unpatch);
	KLP_STRUCT(klp_patch);
	KLP_FIELD(klp_patch, mod);
	KLP_FIELD(klp_patch, objs);
	KLP_FIELD(klp_patch, replace);
	/* 0005: the consistency model (0 = /sys/kernel/livepatch/model). */
	KLP_FIELD(klp_patch, model);

	/* Special-section entry sizes the object differ splits tables by. */
	KLP_STRUCT(bug_entry);
	KLP_FIELD(bug_entry, flags);
#ifdef CONFIG_DEBUG_BUGVERBOSE
	KLP_FIELD(bug_entry, line);
#endif
	KLP_STRUCT(exception_table_entry);
	KLP_STRUCT(alt_instr);
}
