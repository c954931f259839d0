/* Tangled from chapters/02-console.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "format.h"
#include "spinlock.h"
#include "percpu.h"

static spinlock_t console_lock = SPINLOCK_INIT;
static volatile int console_owner = -1;
static char last_char = '\n';                  /* the console's last character */
static int last_cpu = -1;                       /* and the CPU that wrote it */

static void printk_out(char c, void *arg)
{
	(void)arg;
	console_putc(c);
	last_char = c;
}

int vprintk(const char *fmt, va_list ap)
{
	u64 flags = local_irq_save();
	int me = smp_processor_id();
	bool locked = false;

	if (console_owner != me) {
		for (long tries = 0; !(locked = spin_trylock(&console_lock)) &&
				     tries < 10000000; tries++)
			pause();
		if (locked)
			console_owner = me;
	}
	if (last_char != '\n' && last_cpu != me)
		console_putc('\n');            /* another CPU's line is unfinished */
	int n = vformat(printk_out, NULL, fmt, ap);
	last_cpu = me;
	if (locked) {
		console_owner = -1;
		spin_unlock(&console_lock);
	}
	local_irq_restore(flags);
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
void (*panic_notifier)(void);
void (*panic_stop_cpus)(void);

void panic(const char *fmt, ...)
{
	va_list ap;

	cli();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		for (;;)
			hlt();
	console_owner = -1;
	spin_lock_init(&console_lock);
	printk("\nKernel panic - not syncing: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	if (panic_stop_cpus)
		panic_stop_cpus();
	if (panic_notifier)
		panic_notifier();
	for (;;)
		hlt();
}
