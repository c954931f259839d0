/* Tangled from chapters/05-locks.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "spinlock.h"
#include "string.h"

#define CPUID_1_ECX_HYPERVISOR (1U << 31)

bool spin_lock_unfair;

void spin_lock_choose(void)
{
	u32 a, b, c, d;
	const char *want = cmdline_get("spinlock");

	cpuid(1, 0, &a, &b, &c, &d);
	spin_lock_unfair = (c & CPUID_1_ECX_HYPERVISOR) && !(want && !strcmp(want, "fair"));
	printk("spinlock: %s\n", spin_lock_unfair ?
	       "test-and-set, under a hypervisor (CPUID.1:ECX[31])" : "ticket (fair)");
}
