/* Tangled from chapters/21-ipi.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "smp.h"
#include "apic.h"
#include "irq.h"
#include "desc.h"
#include "uart.h"
#include "errno.h"
#include "extable.h"
#include "probe.h"
#include "mm.h"
#include "vectors.h"
#include "spinlock.h"
#include "format.h"
#include "platform.h"
#include "ktest.h"
#include "timer.h"

#define NEED_TWO_CPUS(t) do {						\
	if (nr_cpus_online < 2)						\
		KTEST_SKIP(t, "one CPU");				\
} while (0)

static void whoami(void *info)
{
	((unsigned *)info)[smp_processor_id()] = apic_id() + 1;
}

static void test_targeted_call(struct ktest *t)
{
	static unsigned seen[NR_CPUS];

	NEED_TWO_CPUS(t);
	memset(seen, 0, sizeof(seen));
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_online(cpu))
			EXPECT_EQ(t, smp_call_function_single(cpu, whoami, seen, true), 0);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_online(cpu))
			EXPECT_EQ(t, seen[cpu], cpu_apic_id[cpu] + 1);
}

static void count_me(void *info)
{
	__atomic_fetch_add(&((unsigned *)info)[smp_processor_id()], 1, __ATOMIC_RELAXED);
}

static void test_on_each_cpu_once(struct ktest *t)
{
	static unsigned count[NR_CPUS];

	NEED_TWO_CPUS(t);
	memset(count, 0, sizeof(count));
	ASSERT_EQ(t, on_each_cpu(count_me, count, true), 0);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		EXPECT_EQ(t, count[cpu], cpu_online(cpu) ? 1U : 0U);
}

static void test_no_wait_calls_complete(struct ktest *t)
{
	static unsigned count[NR_CPUS];
	const unsigned rounds = MIN(1000U, 8000 / MAX(nr_cpus_online - 1, 1U));

	NEED_TWO_CPUS(t);
	memset(count, 0, sizeof(count));
	for (unsigned i = 0; i < rounds; i++)
		for (unsigned cpu = 1; cpu < nr_cpu_ids; cpu++) {
			if (!cpu_online(cpu))
				continue;
			int err = smp_call_function_single(cpu, count_me, count, false);
			ASSERT_EQ(t, err, 0);
		}
	for (unsigned cpu = 1; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_online(cpu))
			continue;
		u64 start = rdtsc();
		while (__atomic_load_n(&count[cpu], __ATOMIC_ACQUIRE) < rounds &&
		       rdtsc() - start < 1000 * tsc_khz)
			pause();
		EXPECT_EQ(t, count[cpu], rounds);
	}
}

static void test_bad_calls_refused(struct ktest *t)
{
	NEED_TWO_CPUS(t);
	EXPECT_EQ(t, smp_call_function_single(nr_cpu_ids, count_me, NULL, true), -ENXIO);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (!cpu_online(cpu))
			EXPECT_EQ(t, smp_call_function_single(cpu, count_me, NULL, true), -ENXIO);
	u64 flags = local_irq_save();
	int err = smp_call_function_single(1, count_me, NULL, true);
	local_irq_restore(flags);
	EXPECT_EQ(t, err, -EDEADLK);
}

static void nmi_on_this_cpu(void *info)
{
	struct trap_probe *p = this_cpu_ptr(&trap_probe);

	probe_arm(X86_TRAP_NMI, NULL, 0);
	apic_send_nmi_self();
	((unsigned long *)info)[smp_processor_id()] = p->hit_vector == X86_TRAP_NMI ?
						       p->handler_sp : 0;
}

static void test_ist_per_cpu(struct ktest *t)
{
	static unsigned long sp[NR_CPUS];

	NEED_TWO_CPUS(t);
	memset(sp, 0, sizeof(sp));
	ASSERT_EQ(t, on_each_cpu(nmi_on_this_cpu, sp, true), 0);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_online(cpu))
			continue;
		u64 base = per_cpu(cpu_entry, cpu).ist_stack_base[IST_NMI - 1];
		EXPECT_GE(t, sp[cpu], base);
		EXPECT_LT(t, sp[cpu], base + IST_STACK_SIZE);
	}
}

struct remote_read {
	volatile u64 *va;
	u64 value;
	int vector;                     /* -1: no fault */
};

static void read_here(void *info)
{
	struct remote_read *r = info;
	u64 v = 0;

	asm volatile(ASM_TRY(2f) "movq (%1), %0\n\t" "2:"
		     : "+r"(v) : "r"(r->va) : "memory");
	r->value = v;
	r->vector = this_cpu_read(fixup_vector);
}

static void test_tlb_shootdown(struct ktest *t)
{
	NEED_TWO_CPUS(t);
	u64 pa = page_alloc_zeroed();
	ASSERT_NE(t, pa, 0);
	volatile u64 *va = vmap_phys(pa, PAGE_SIZE, PTE_W | pte_nx);
	struct remote_read r = { va, 0, 0 };

	*va = 0x5ca1ab1e;
	ASSERT_EQ(t, smp_call_function_single(1, read_here, &r, true), 0);
	ASSERT_EQ(t, r.vector, -1);
	unmap_page(kernel_pml4, (u64)va);       /* this CPU's TLB only */
	smp_call_function_single(1, read_here, &r, true);
	bool stale = r.vector == -1 && r.value == 0x5ca1ab1e;
	ktest_log(t, "without a shootdown, CPU 1 %s", stale ? "still reads the old page"
							  : "faults at once");
	flush_tlb_kernel_range((u64)va, (u64)va + PAGE_SIZE);   /* clean up */
	ASSERT_EQ(t, map_page(kernel_pml4, (u64)va, pa, PTE_W | PTE_G | pte_nx), 0);
	smp_call_function_single(1, read_here, &r, true);
	EXPECT_EQ(t, r.vector, -1);
	vunmap((void *)va, PAGE_SIZE);
	smp_call_function_single(1, read_here, &r, true);
	EXPECT_EQ(t, r.vector, X86_TRAP_PF);    /* the shootdown worked */
	frame_free(pa);
	if (!stale)
		KTEST_SKIP(t, "this emulator never kept the stale translation");
}

struct unmap_race {
	unsigned rounds, bad[2];
	bool done;
};

static void map_use_unmap(struct unmap_race *u, unsigned side)
{
	for (unsigned i = 0; i < u->rounds; i++) {
		u64 pa = page_alloc_zeroed();
		volatile u64 *va = pa ? vmap_phys(pa, PAGE_SIZE, PTE_W | pte_nx) : NULL;
		if (!va) {
			u->bad[side]++;
			continue;
		}
		*va = i + 1;
		u->bad[side] += *va != i + 1;
		vunmap((void *)va, PAGE_SIZE);
		frame_free(pa);
	}
}

static void unmap_partner(void *info)
{
	struct unmap_race *u = info;

	if ((preempt_count() & HARDIRQ_MASK) > HARDIRQ_OFFSET) {
		u->bad[1]++;                    /* nested in a device's handler */
		__atomic_store_n(&u->done, true, __ATOMIC_RELEASE);
		return;
	}
	sti();
	map_use_unmap(u, 1);
	cli();
	__atomic_store_n(&u->done, true, __ATOMIC_RELEASE);
}

static void test_concurrent_shootdowns(struct ktest *t)
{
	static struct unmap_race u;
	static unsigned long before[NR_CPUS];

	NEED_TWO_CPUS(t);
	u = (struct unmap_race){ .rounds = MIN(200U, 4000 / nr_cpus_online) };
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		before[cpu] = per_cpu(ipi_tlb, cpu);
	ASSERT_EQ(t, smp_call_function_single(1, unmap_partner, &u, false), 0);
	map_use_unmap(&u, 0);
	for (u64 start = rdtsc(); !__atomic_load_n(&u.done, __ATOMIC_ACQUIRE) &&
				  rdtsc() - start < 10000 * tsc_khz; )
		pause();
	ASSERT_TRUE(t, u.done);
	EXPECT_EQ(t, u.bad[0] + u.bad[1], 0);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_online(cpu))
			EXPECT_EQ(t, per_cpu(ipi_tlb, cpu) - before[cpu], 2UL * u.rounds);
	ktest_log(t, "%u unmaps on each of two CPUs at once", u.rounds);
}

static void test_ipi_to_nobody(struct ktest *t)
{
	static unsigned long before[NR_CPUS];
	bool used[255] = { false };
	unsigned nobody = 0;

	if (!lapic_present)
		KTEST_SKIP(t, "no local APIC");
	if (platform.cpus_dropped > MAX_CPUS_LISTED_DROPPED)
		KTEST_SKIP(t, "more CPUs beyond NR_CPUS than the kernel remembers");
	for (int i = 0; i < platform.nr_cpus; i++)
		if (platform.cpu_apic_id[i] < 255)
			used[platform.cpu_apic_id[i]] = true;
	for (int i = 0; i < platform.cpus_dropped; i++)
		if (platform.dropped_apic_id[i] < 255)
			used[platform.dropped_apic_id[i]] = true;
	while (nobody < 255 && used[nobody])
		nobody++;
	if (nobody == 255)
		KTEST_SKIP(t, "every APIC ID below the broadcast address has a CPU");
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		before[cpu] = per_cpu(ipi_resched, cpu);
	apic_write(APIC_ESR, 0);
	u64 start = rdtsc();
	apic_send_ipi(nobody, APIC_DM_FIXED | RESCHEDULE_VECTOR);
	u64 took = rdtsc() - start;
	apic_write(APIC_ESR, 0);                /* latch the errors, then read */
	ktest_log(t, "IPI to APIC ID %u: sent in %lu TSC ticks, ESR %#x", nobody,
		  took, apic_read(APIC_ESR));
	EXPECT_LT(t, took, 10 * tsc_khz);       /* well under 10 ms */
	udelay(1000);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_online(cpu))
			EXPECT_EQ(t, per_cpu(ipi_resched, cpu), before[cpu]);
	EXPECT_EQ(t, smp_call_function_single(nr_cpu_ids, count_me, NULL, true), -ENXIO);
}

static void test_reschedule(struct ktest *t)
{
	NEED_TWO_CPUS(t);
	unsigned long before = per_cpu(ipi_resched, 1);
	smp_send_reschedule(1);
	for (u64 start = rdtsc();
	     __atomic_load_n(&per_cpu(ipi_resched, 1), __ATOMIC_ACQUIRE) == before &&
	     rdtsc() - start < 1000 * tsc_khz; )
		pause();
	EXPECT_EQ(t, per_cpu(ipi_resched, 1), before + 1);
}

static bool resched_counts_reach(unsigned long *before, unsigned me, unsigned long self)
{
	for (u64 start = rdtsc(); rdtsc() - start < 1000 * tsc_khz; pause()) {
		bool all = per_cpu(ipi_resched, me) == before[me] + self;
		for (unsigned cpu = 0; cpu < nr_cpu_ids && all; cpu++)
			if (cpu != me && cpu_online(cpu))
				all = __atomic_load_n(&per_cpu(ipi_resched, cpu),
						      __ATOMIC_ACQUIRE) == before[cpu] + 1;
		if (all)
			return true;
	}
	return false;
}

static void test_shorthands(struct ktest *t)
{
	static unsigned long before[NR_CPUS];
	unsigned me = smp_processor_id();

	NEED_TWO_CPUS(t);
	if (!ipi_shorthand_allowed())
		KTEST_SKIP(t, "a listed CPU is not online: a shorthand would reach it");
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		before[cpu] = per_cpu(ipi_resched, cpu);
	send_ipi_all_but_self(RESCHEDULE_VECTOR);
	EXPECT_TRUE(t, resched_counts_reach(before, me, 0));
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		before[cpu] = per_cpu(ipi_resched, cpu);
	send_ipi_all(RESCHEDULE_VECTOR);
	EXPECT_TRUE(t, resched_counts_reach(before, me, 1));
}

static void x2apic_check(void *info)
{
	bool *ok = info;

	ok[smp_processor_id()] = (rdmsr(0x1b) & (1UL << 10)) &&
				 apic_id() == cpu_apic_id[smp_processor_id()];
}

static void test_x2apic_mode(struct ktest *t)
{
	static bool ok[NR_CPUS];

	if (!x2apic_present)
		KTEST_SKIP(t, "no x2APIC: CPUID.1:ECX[21] is clear (QEMU 7.2's TCG has none)");
	if (!x2apic_mode)
		KTEST_SKIP(t, "x2APIC present but not used (nox2apic)");
	memset(ok, 0, sizeof(ok));
	ASSERT_EQ(t, on_each_cpu(x2apic_check, ok, true), 0);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_online(cpu))
			EXPECT_TRUE(t, ok[cpu]);
}

static void test_irq_affinity(struct ktest *t)
{
	NEED_TWO_CPUS(t);
	if (!ioapic_present)
		KTEST_SKIP(t, "no I/O APIC: the PIC reaches the boot CPU only");
	unsigned before = per_cpu(irq_stats[COM1_IRQ], 1);
	unsigned lines = serial_lines_received();
	ASSERT_EQ(t, irq_set_affinity(COM1_IRQ, 1), 0);
	printk("ktest: type a line on the serial console\n");
	for (u64 start = rdtsc(); serial_lines_received() == lines; ) {
		if (rdtsc() - start > 5000 * tsc_khz) {
			irq_set_affinity(COM1_IRQ, 0);
			synchronize_irq(COM1_IRQ);
			KTEST_SKIP(t, "nobody typed a line on the serial console");
		}
		pause();
	}
	EXPECT_EQ(t, irq_set_affinity(COM1_IRQ, 0), 0);
	synchronize_irq(COM1_IRQ);              /* CPU 1 done with the line */
	EXPECT_GT(t, per_cpu(irq_stats[COM1_IRQ], 1), before);
	EXPECT_EQ(t, irq_set_affinity(COM1_IRQ, nr_cpu_ids), -EINVAL);
}

static unsigned torture_ran[NR_CPUS], torture_wrong;

static void torture_call(void *info)
{
	unsigned me = smp_processor_id();

	if ((unsigned long)info != me && info != (void *)~0UL)
		__atomic_fetch_add(&torture_wrong, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&torture_ran[me], 1, __ATOMIC_RELAXED);
}

#define TORTURE_SENDERS 8

static struct {
	unsigned calls;                                 /* per sender */
	unsigned expected[TORTURE_SENDERS][NR_CPUS];
	unsigned failed, senders_done;
} ct;

static void torture_send(unsigned sender)
{
	u64 x = 88172645463325252ULL + sender * 0x9e3779b97f4a7c15ULL;
	unsigned *expected = ct.expected[sender];

	for (unsigned i = 0; i < ct.calls; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		unsigned cpu = x % nr_cpu_ids;
		bool wait = (x >> 20) & 1;
		if (!cpu_online(cpu))
			continue;
		if ((x >> 21) % 8 == 0) {
			struct cpumask m = { 0 };
			unsigned picked[8], n = 0;
			for (unsigned k = 0, c = cpu; k < 8; k++, c = (c + 1 + (x >> (24 + k))) % nr_cpu_ids)
				if (cpu_online(c) && c != smp_processor_id() && !cpumask_test(&m, c) &&
				    ((x >> (32 + k)) & 1)) {
					cpumask_set(&m, c);
					picked[n++] = c;
				}
			if (smp_call_function_many(&m, torture_call, (void *)~0UL, wait))
				__atomic_fetch_add(&ct.failed, 1, __ATOMIC_RELAXED);
			else
				while (n)
					expected[picked[--n]]++;
		} else if (smp_call_function_single(cpu, torture_call,
						    (void *)(unsigned long)cpu, wait)) {
			__atomic_fetch_add(&ct.failed, 1, __ATOMIC_RELAXED);
		} else {
			expected[cpu]++;
		}
		if ((i & 63) == 0)
			touch_watchdog();       /* busy on purpose: Chapter watchdog */
	}
	__atomic_fetch_add(&ct.senders_done, 1, __ATOMIC_RELEASE);
}

static void torture_sender_call(void *info)
{
	if ((preempt_count() & HARDIRQ_MASK) > HARDIRQ_OFFSET) {
		__atomic_fetch_add(&ct.failed, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&ct.senders_done, 1, __ATOMIC_RELEASE);
		return;                         /* nested in a device's handler */
	}
	sti();
	torture_send((unsigned long)info);
	cli();
}

static void test_call_torture(struct ktest *t)
{
	static unsigned expected[NR_CPUS];
	bool soak = cmdline_get("ktest.soak");
	unsigned calls = (nr_cpus_online <= 8 ? 100000 : 20000) * (soak ? 10 : 1);
	unsigned me = smp_processor_id(), senders;

	NEED_TWO_CPUS(t);
	memset(&ct, 0, sizeof(ct));
	memset(torture_ran, 0, sizeof(torture_ran));
	torture_wrong = 0;
	senders = MIN(soak ? (unsigned)TORTURE_SENDERS : 1U, nr_cpus_online);
	ct.calls = calls / senders;
	for (unsigned cpu = 0, s = 1; cpu < nr_cpu_ids && s < senders; cpu++) {
		if (cpu == me || !cpu_online(cpu))
			continue;
		void *sender = (void *)(unsigned long)s++;
		ASSERT_EQ(t, smp_call_function_single(cpu, torture_sender_call, sender, false), 0);
	}
	torture_send(0);
	for (u64 start = rdtsc();
	     __atomic_load_n(&ct.senders_done, __ATOMIC_ACQUIRE) < senders &&
	     rdtsc() - start < 60000 * tsc_khz; )
		pause();
	ASSERT_EQ(t, ct.senders_done, senders);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		expected[cpu] = 0;
		for (unsigned s = 0; s < senders; s++)
			expected[cpu] += ct.expected[s][cpu];
	}
	for (u64 start = rdtsc(); rdtsc() - start < 1000 * tsc_khz; ) {
		bool done = true;
		for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
			done &= __atomic_load_n(&torture_ran[cpu], __ATOMIC_ACQUIRE) == expected[cpu];
		if (done)
			break;
		pause();
	}
	EXPECT_EQ(t, ct.failed, 0);
	EXPECT_EQ(t, torture_wrong, 0);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		EXPECT_EQ(t, torture_ran[cpu], expected[cpu]);
	ktest_log(t, "%u calls from %u CPUs on %u CPUs", ct.calls * senders, senders,
		  nr_cpus_online);
}

KTEST_SUITE(ipi,
	KTEST_CASE(test_targeted_call),
	KTEST_CASE(test_on_each_cpu_once),
	KTEST_CASE(test_no_wait_calls_complete),
	KTEST_CASE(test_bad_calls_refused),
	KTEST_CASE(test_ist_per_cpu),
	KTEST_CASE(test_tlb_shootdown),
	KTEST_CASE(test_concurrent_shootdowns),
	KTEST_CASE(test_ipi_to_nobody),
	KTEST_CASE(test_reschedule),
	KTEST_CASE(test_shorthands),
	KTEST_CASE(test_x2apic_mode),
	KTEST_CASE(test_irq_affinity),
	KTEST_CASE(test_call_torture));

static volatile bool spinning;

static void spin_irqs_off(void *info)
{
	(void)info;
	spinning = true;
	for (;;)
		pause();                        /* interrupts are off in a call */
}

static void ktest_smp_panic(void)
{
	if (nr_cpus_online != 4)
		panic("smp_panic: this crash test needs exactly four CPUs");
	smp_call_function_single(1, spin_irqs_off, NULL, false);
	while (!spinning)
		pause();
	panic("ktest: panic with CPU 1 spinning, interrupts off");
}

KTEST_CRASH(smp_panic, ktest_smp_panic,
	"Kernel panic - not syncing: ktest: panic with CPU 1 spinning, interrupts off",
	"smp: CPU 1 stopped by NMI",
	"smp: CPU 2 stopped by IPI",
	"smp: CPU 3 stopped by IPI",
	"smp: 3 of 3 other CPUs stopped");

static void read_null(void *info)
{
	(void)info;
	(void)*(volatile int *)0;
}

static void ktest_call_fault(void)
{
	if (nr_cpus_online != 2)
		panic("call_fault: this crash test needs exactly two CPUs");
	smp_call_function_single(1, read_null, NULL, true);
	panic("call_fault: the faulting call returned");
}

KTEST_CRASH(call_fault, ktest_call_fault,
	"Oops: page fault [#1] CPU 1",
	"while running a cross-CPU call from CPU 0: ",
	"read_null+",
	"Kernel panic - not syncing: Fatal exception",
	"smp: 1 of 1 other CPUs stopped");

#define IPI_BENCH_LOOPS 1000

static void empty_call(void *info)
{
	(void)info;
}

static void bench_report(const char *name, u64 ticks, unsigned loops)
{
	printk("# bench %s: %lu instructions/op\n", name, ticks / loops);
}

static void bench_ipi_single(struct ktest *t)
{
	u64 start, sender = 0;

	NEED_TWO_CPUS(t);
	start = rdtsc();
	for (int i = 0; i < IPI_BENCH_LOOPS; i++)
		smp_call_function_single(1, empty_call, NULL, true);
	bench_report("ipi_call_single_wait", rdtsc() - start, IPI_BENCH_LOOPS);
	static unsigned done[NR_CPUS];
	memset(done, 0, sizeof(done));
	for (int i = 0; i < IPI_BENCH_LOOPS; i++) {
		u64 t0 = rdtsc();
		smp_call_function_single(1, count_me, done, false);
		sender += rdtsc() - t0;
		while (__atomic_load_n(&done[1], __ATOMIC_ACQUIRE) != (unsigned)i + 1)
			pause();
	}
	bench_report("ipi_call_single_sender", sender, IPI_BENCH_LOOPS);
	start = rdtsc();
	for (int i = 0; i < IPI_BENCH_LOOPS; i++)
		smp_call_self_by_ipi(empty_call, NULL);
	u64 self = rdtsc() - start;
	bench_report("ipi_call_single_receiver", self - sender, IPI_BENCH_LOOPS);
}

static void bench_ipi_many(struct ktest *t)
{
	static unsigned done[NR_CPUS];

	if (nr_cpus_online < 8)
		KTEST_SKIP(t, "the broadcast benchmarks want eight CPUs");
	for (unsigned k = 1; k <= 7; k++) {
		struct cpumask m = { 0 };
		u64 sender = 0;
		for (unsigned c = 1; c <= k; c++)
			cpumask_set(&m, c);
		memset(done, 0, sizeof(done));
		for (int i = 0; i < IPI_BENCH_LOOPS; i++) {
			u64 t0 = rdtsc();
			smp_call_function_many(&m, count_me, done, false);
			sender += rdtsc() - t0;
			for (unsigned c = 1; c <= k; c++)
				while (__atomic_load_n(&done[c], __ATOMIC_ACQUIRE) != (unsigned)i + 1)
					pause();
		}
		char name[40];
		snprintf(name, sizeof(name), "ipi_call_many_sender_%ucpu", k);
		bench_report(name, sender, IPI_BENCH_LOOPS);
	}
	struct cpumask others = { 0 };
	for (unsigned c = 1; c < 8; c++)
		cpumask_set(&others, c);
	u64 start = rdtsc();
	for (int i = 0; i < IPI_BENCH_LOOPS; i++)
		smp_call_function_many(&others, empty_call, NULL, true);
	bench_report("ipi_call_many_wait_7cpu", rdtsc() - start, IPI_BENCH_LOOPS);
	start = rdtsc();
	for (int i = 0; i < IPI_BENCH_LOOPS; i++)
		flush_tlb_kernel_range(KERNEL_VMA, KERNEL_VMA + PAGE_SIZE);
	bench_report("tlb_shootdown_page_7cpu", rdtsc() - start, IPI_BENCH_LOOPS);
}

KTEST_SUITE(bench_smp,
	KTEST_CASE(bench_ipi_single),
	KTEST_CASE(bench_ipi_many));
