/* Tangled from chapters/20-smp-boot.nw chapters/22-sched.nw chapters/27-tick.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "smp.h"
#include "apic.h"
#include "desc.h"
#include "entry.h"
#include "platform.h"
#include "mm.h"
#include "syscall.h"
#include "percpu.h"
#include "sched.h"

#define PIT_HZ          1193182
#define PIT_CH2         0x42
#define PIT_CMD         0x43
#define PORT_SYS_CTRL   0x61            /* bit 0: channel 2 gate */

unsigned long tsc_khz;

static u16 pit_sample(u64 *tsc)
{
	for (;;) {
		u64 before = rdtsc();
		outb(PIT_CMD, 0x80);            /* latch channel 2 */
		u8 lo = inb(PIT_CH2), hi = inb(PIT_CH2);
		u64 after = rdtsc();
		if (after - before < 100000) {  /* not interrupted meanwhile */
			*tsc = before + (after - before) / 2;
			return lo | hi << 8;
		}
	}
}

static unsigned long calibrate_once(void)
{
	u64 t0, t1;

	outb(PIT_CMD, 0xb0);                    /* channel 2, lo/hi byte, mode 0 */
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);
	u16 c0 = pit_sample(&t0), c1;
	do
		c1 = pit_sample(&t1);
	while ((u16)(c0 - c1) < PIT_HZ / 100 && t1 - t0 < (1UL << 34));
	return (t1 - t0) * (PIT_HZ / 1000) / MAX((u16)(c0 - c1), 1);
}

void tsc_calibrate(void)
{
	u8 ctrl = inb(PORT_SYS_CTRL);
	unsigned long k[3];

	if (ctrl == 0xff) {
		tsc_khz = 1000000;
		printk("smp: no PIT; assuming a 1 GHz TSC for delays\n");
		return;
	}
	outb(PORT_SYS_CTRL, (ctrl & ~0x02) | 0x01);
	for (int i = 0; i < 3; i++)
		k[i] = calibrate_once();
	outb(PORT_SYS_CTRL, ctrl);
	tsc_khz = MAX(MAX(MIN(k[0], k[1]), MIN(MAX(k[0], k[1]), k[2])), 1UL);
	printk("smp: TSC %lu.%03lu MHz, against the PIT\n", tsc_khz / 1000, tsc_khz % 1000);
}

void udelay(unsigned long us)
{
	u64 start = rdtsc(), ticks = us * tsc_khz / 1000;

	while (rdtsc() - start < ticks)
		pause();
}

u64 ap_boot_cr3;
u16 ap_cpu_of_apic[256];
u64 ap_stack_top[NR_CPUS];
static u64 bsp_cr0, bsp_cr4;

u32 cpu_apic_id[NR_CPUS];
static u64 online_mask[NR_CPUS / 64];
unsigned nr_cpus_online = 1;

u8 ap_state[NR_CPUS];                           /* see give_up_on */
static bool give_up_on(unsigned cpu);
static unsigned late_cpu;                       /* smp.late=, for a test */

bool cpu_online(unsigned cpu)
{
	return cpu < NR_CPUS &&
	       (__atomic_load_n(&online_mask[cpu / 64], __ATOMIC_ACQUIRE) >> (cpu % 64)) & 1;
}

DEFINE_PER_CPU(struct ap_report, ap_report);

void ap_start(unsigned cpu)
{
	if (cpu == late_cpu)
		udelay(3000000);
	u8 waiting = AP_WAITING;

	if (!__atomic_compare_exchange_n(&ap_state[cpu], &waiting, AP_STARTED, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		for (;;)
			asm volatile("cli; hlt");
	write_cr0(bsp_cr0);
	write_cr4(bsp_cr4);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	cpu_init_descriptors(cpu);
	load_idt();
	syscall_init();
	lapic_init(false);
	struct ap_report *r = this_cpu_ptr(&ap_report);
	struct desc_ptr gdtr, idtr;

	store_gdt(&gdtr);
	store_idt(&idtr);
	r->gdt = gdtr.address;
	r->idt = idtr.address;
	r->tr = store_tr();
	r->gs_base = rdmsr(MSR_GS_BASE);
	r->stack = (u64)&r;
	r->apic_id = apic_id();
	sched_init_ap(cpu);
	lapic_clockevent_init(cpu);
	tick_setup_cpu(cpu);
	__atomic_fetch_or(&online_mask[cpu / 64], 1UL << (cpu % 64), __ATOMIC_RELEASE);
	__atomic_fetch_add(&nr_cpus_online, 1, __ATOMIC_RELEASE);
	cpu_idle();
}

extern const char trampoline_start[], trampoline_end[];
void ap_entry_64(void);

#define AP_MEMORY (5 * TASK_STACK_SIZE + 4 * IST_STACK_SIZE + IRQ_STACK_SIZE)
unsigned cpus_left_out;

static unsigned smp_prepare(void)
{
	unsigned bsp = apic_id(), n = 1;
	u64 free = frames_free_count() * PAGE_SIZE, keep = MIN_FREE_MEMORY / 2;
	unsigned fit = free > keep ? (free - keep) / AP_MEMORY : 0;

	cpu_apic_id[0] = bsp;
	for (int i = 0; i < platform.nr_cpus && n < nr_cpu_ids; i++) {
		u32 id = platform.cpu_apic_id[i];
		if (id == bsp)
			continue;
		if (id > 255) {
			printk("smp: CPU with APIC ID %u left out (x2APIC only)\n", id);
			cpus_left_out++;
			continue;
		}
		if (n > fit) {
			cpus_left_out = nr_cpu_ids - n;
			printk("smp: memory for %u CPUs only; %u left out\n", n, cpus_left_out);
			break;
		}
		cpu_apic_id[n] = id;
		ap_cpu_of_apic[id] = n;
		ap_stack_top[n] = (u64)vmap_stack(TASK_STACK_SIZE) + TASK_STACK_SIZE;
		n++;
	}
	memcpy(phys_to_virt(TRAMPOLINE_PA), trampoline_start, trampoline_end - trampoline_start);
	ap_boot_cr3 = virt_to_phys(kernel_pml4);
	bsp_cr0 = read_cr0();
	bsp_cr4 = read_cr4();
	return n;
}

void smp_boot_cpus(void)
{
	__atomic_fetch_or(&online_mask[0], 1UL, __ATOMIC_RELEASE);
	if (!lapic_present || nr_cpu_ids < 2)
		return;
	u64 start = rdtsc();
	unsigned n = smp_prepare();

	late_cpu = cmdline_number("smp.late", ~0U);
	for (unsigned cpu = 1; cpu < n; cpu++) {
		u32 id = cpu_apic_id[cpu];
		apic_send_ipi(id, APIC_DM_INIT | APIC_INT_ASSERT | APIC_INT_LEVELTRIG);
		apic_send_ipi(id, APIC_DM_INIT | APIC_INT_LEVELTRIG);
	}
	udelay(10000);
	for (int sipi = 0; sipi < 2; sipi++) {
		for (unsigned cpu = 1; cpu < n; cpu++)
			apic_send_ipi(cpu_apic_id[cpu], APIC_DM_STARTUP | (TRAMPOLINE_PA >> 12));
		udelay(200);
	}
	u64 last = rdtsc();
	for (unsigned seen = 1, now; (now = __atomic_load_n(&nr_cpus_online, __ATOMIC_ACQUIRE)) < n;
	     pause()) {
		if (now > seen)
			seen = now, last = rdtsc();
		else if (rdtsc() - last > 1000 * tsc_khz)   /* a second with nobody new */
			break;
	}
	for (unsigned cpu = 1; cpu < n; cpu++)
		if (!cpu_online(cpu) && give_up_on(cpu))
			printk("smp: CPU %u (APIC ID %u) did not start; going on without it\n",
			       cpu, cpu_apic_id[cpu]);
	printk("smp: %u of %d CPUs online in %lu ms\n", nr_cpus_online, platform.nr_cpus,
	       (rdtsc() - start) / tsc_khz);
}

static bool give_up_on(unsigned cpu)
{
	u8 waiting = AP_WAITING;

	if (__atomic_compare_exchange_n(&ap_state[cpu], &waiting, AP_ABANDONED, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return true;
	while (!cpu_online(cpu))
		pause();
	return false;
}
