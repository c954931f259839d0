/* Tangled from chapters/02-console.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "format.h"
#include "spinlock.h"
#include "ktest.h"

static spinlock_t console_lock = SPINLOCK_INIT;

static void printk_out(char c, void *arg)
{
	(void)arg;
	console_putc(c);
}

int vprintk(const char *fmt, va_list ap)
{
	u64 flags = spin_lock_irqsave(&console_lock);
	int n = vformat(printk_out, NULL, fmt, ap);

	spin_unlock_irqrestore(&console_lock, flags);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}
static volatile int panicking;

void panic(const char *fmt, ...)
{
	va_list ap;

	cli();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		for (;;)
			hlt();
	console_lock.locked = 0;
	printk("\nKernel panic - not syncing: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	if (!boot_info.cmdline[0] || cmdline_get("ktest"))
		ktest_exit(KTEST_EXIT_PANIC);
	for (;;)
		hlt();
}
