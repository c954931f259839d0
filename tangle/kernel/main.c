/* Tangled from chapters/01-boot.nw chapters/05-locks.nw chapters/20-smp-boot.nw chapters/21-ipi.nw chapters/22-sched.nw chapters/23-sleeping-locks.nw chapters/24-softirq.nw chapters/25-workqueue.nw chapters/26-clocks.nw chapters/27-tick.nw chapters/30-watchdog.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "multiboot.h"
#include "percpu.h"
#include "mm.h"
#include "ktest.h"
#include "desc.h"
#include "syscall.h"
#include "irq.h"
#include "smap.h"
#include "extable.h"
#include "platform.h"
#include "smp.h"
#include "spinlock.h"
#include "sched.h"
#include "softirq.h"
#include "workqueue.h"
#include "clocks.h"
#include "timer.h"
#include "monitor.h"

struct boot_info boot_info;

void kmain(u32 magic, u32 mbi_phys)
{
	panic_notifier = ktest_panic;           /* a test boot ends at a panic */
	percpu_early_init();
	console_init();
	printk("\nlitkernel: booting on %s\n", cpu_vendor());
	protections_init();
	sort_extable(__start___ex_table, __stop___ex_table - __start___ex_table);
	multiboot_parse(magic, mbi_phys);
	printk("command line: \"%s\"\n", boot_info.cmdline);
	memory_init();
	platform_init();
	unsigned long phantom = cmdline_number("smp.phantom", ~0UL);
	if (phantom != ~0UL)
		platform_add_cpu(&platform, phantom);
	setup_per_cpu_areas(platform.nr_cpus);
	cpu_init_descriptors(0);
	sched_init();
	sched_read_cmdline();
	idt_setup();
	load_idt();
	syscall_init();
	irq_init();
	serial_irq_init();
	sti();
	spin_lock_choose();

	tsc_calibrate();
	clocks_init();

	timekeeping_init();

	tick_early_init();
	timers_init();
	smp_boot_cpus();

	ipi_init();
	printk("boot: CPU %u up, kernel %p-%p\n", smp_processor_id(),
	       __kernel_start, __kernel_end);
	tick_init();
	lockdep_init();

	softirq_init();

	workqueue_init();

	watchdog_init();
	struct task *init = kthread_create(kernel_init, NULL, "init");
	if (!init)
		panic("sched: cannot create the init thread");
	kthread_bind(init, 0);
	wake_up_new_task(init);
	cpu_idle();
}

int kernel_init(void *unused)
{
	(void)unused;
	if (cmdline_get("ktest"))
		ktest_main(cmdline_get("ktest"));
	printk("boot: idle; the monitor listens on the serial console.\n");
	monitor_main();
}

const char *cpu_vendor(void)
{
	static char vendor[13];
	u32 a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	return vendor;
}

void multiboot_parse(u32 magic, u32 mbi_phys)
{
	const struct multiboot_info *mbi = phys_to_virt(mbi_phys);

	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		panic("boot: bad Multiboot magic %#x", magic);
	if (mbi_phys >= (1U << 30) ||
	    ((mbi->flags & MULTIBOOT_INFO_MEM_MAP) && mbi->mmap_addr >= (1U << 30)) ||
	    ((mbi->flags & MULTIBOOT_INFO_CMDLINE) && mbi->cmdline >= (1U << 30)))
		panic("boot: Multiboot information above 1 GiB is not mapped yet");
	if (mbi->flags & MULTIBOOT_INFO_CMDLINE)
		boot_copy_cmdline(&boot_info, phys_to_virt(mbi->cmdline));
	if (!(mbi->flags & MULTIBOOT_INFO_MEM_MAP))
		panic("boot: the loader passed no memory map");
	boot_copy_mmap(&boot_info, phys_to_virt(mbi->mmap_addr), mbi->mmap_length);
}

void boot_copy_cmdline(struct boot_info *bi, const char *cmdline)
{
	bi->cmdline_length = strlen(cmdline);
	strlcpy(bi->cmdline, cmdline, sizeof(bi->cmdline));
	if (bi->cmdline_length >= sizeof(bi->cmdline))
		printk("boot: the command line has %zu characters; "
		       "only the first %zu are used\n", bi->cmdline_length,
		       sizeof(bi->cmdline) - 1);
}

void boot_copy_mmap(struct boot_info *bi, const u8 *map, u32 length)
{
	const u32 fields = sizeof(struct multiboot_mmap_entry) - 4;

	for (u32 off = 0; off + sizeof(struct multiboot_mmap_entry) <= length;) {
		const struct multiboot_mmap_entry *e = (const void *)(map + off);
		if (e->size < fields) {
			printk("boot: memory-map entry at offset %u has size %u; "
			       "ignoring the rest of the map\n", off, e->size);
			break;
		}
		off += e->size + sizeof(e->size);
		if (e->len == 0)
			continue;
		if (bi->nr_regions == BOOT_MMAP_MAX) {
			bi->regions_dropped++;
			if (e->type == MULTIBOOT_MEMORY_AVAILABLE)
				bi->usable_dropped += e->len;
			continue;
		}
		bi->regions[bi->nr_regions++] = (struct mem_region){ e->addr, e->len, e->type };
	}
	if (bi->regions_dropped)
		printk("boot: the memory map has %d entries more than the %d kept; "
		       "%lu KiB of usable RAM in them is not used\n",
		       bi->regions_dropped, BOOT_MMAP_MAX, bi->usable_dropped / 1024);
}

const char *cmdline_get(const char *key)
{
	static char value[BOOT_CMDLINE_MAX];
	size_t klen = strlen(key);
	const char *p = boot_info.cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		const char *word = p;
		while (*p && *p != ' ')
			p++;
		if (strncmp(word, key, klen) != 0)
			continue;
		if (word[klen] == ' ' || word[klen] == '\0')
			return "";
		if (word[klen] != '=')
			continue;
		size_t n = p - (word + klen + 1);
		memcpy(value, word + klen + 1, n);
		value[n] = '\0';
		return value;
	}
	return NULL;
}

unsigned long cmdline_number(const char *key, unsigned long otherwise)
{
	const char *v = cmdline_get(key);
	unsigned long n = 0;

	if (!v || *v < '0' || *v > '9')
		return otherwise;
	while (*v >= '0' && *v <= '9')
		n = n * 10 + *v++ - '0';
	return n;
}
