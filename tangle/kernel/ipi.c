/* Tangled from chapters/21-ipi.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "trace.h"
#include "smp.h"
#include "apic.h"
#include "irq.h"
#include "vectors.h"
#include "percpu.h"
#include "errno.h"
#include "mm.h"
#include "traps.h"
#include "platform.h"
#include "sched.h"

static void send_ipi(unsigned cpu, unsigned vector)
{
	trace(TRACE_IPI_SEND, vector, cpu, 0);
	apic_send_ipi(cpu_apic_id[cpu], APIC_DM_FIXED | vector);
}

void cpumask_online(struct cpumask *m)
{
	memset(m, 0, sizeof(*m));
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_online(cpu))
			cpumask_set(m, cpu);
}

bool ipi_shorthand_allowed(void)
{
	return nr_cpus_online == nr_cpu_ids && !cpus_left_out &&
	       !platform.cpus_dropped;
}

void send_ipi_all_but_self(unsigned vector)
{
	trace(TRACE_IPI_SEND, vector, TRACE_ALL_BUT_SELF, 0);
	apic_send_ipi(0, APIC_DEST_ALLBUT | APIC_DM_FIXED | vector);
}

void send_ipi_all(unsigned vector)
{
	trace(TRACE_IPI_SEND, vector, TRACE_ALL, 0);
	apic_send_ipi(0, APIC_DEST_ALLINC | APIC_DM_FIXED | vector);
}

struct llist_node {
	struct llist_node *next;
};

static bool llist_add(struct llist_node *n, struct llist_node **head)
{
	struct llist_node *first = __atomic_load_n(head, __ATOMIC_RELAXED);

	do
		n->next = first;
	while (!__atomic_compare_exchange_n(head, &first, n, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	return first == NULL;
}

static struct llist_node *llist_del_all(struct llist_node **head)
{
	return __atomic_exchange_n(head, NULL, __ATOMIC_ACQUIRE);
}

static struct llist_node *llist_reverse(struct llist_node *n)
{
	struct llist_node *r = NULL;

	while (n) {
		struct llist_node *next = n->next;
		n->next = r;
		r = n;
		n = next;
	}
	return r;
}

#define CSD_FLAG_LOCK   1
#define CSD_FLAG_SYNC   2
#define CSD_FROM(cpu)   ((cpu) << 8)            /* the sender, above the flags */

struct call_single_data {
	struct llist_node node;
	smp_call_func_t func;
	void *info;
	unsigned flags;
};

static void csd_lock_wait(struct call_single_data *csd)
{
	while (__atomic_load_n(&csd->flags, __ATOMIC_ACQUIRE) & CSD_FLAG_LOCK)
		pause();
}

static void csd_unlock(struct call_single_data *csd)
{
	__atomic_store_n(&csd->flags, 0, __ATOMIC_RELEASE);
}

static DEFINE_PER_CPU(struct llist_node *, call_queue);
static DEFINE_PER_CPU(struct call_single_data, csd_single);
static DEFINE_PER_CPU(struct call_single_data *, csd_many);
DEFINE_PER_CPU(unsigned long, ipi_calls);
DEFINE_PER_CPU(unsigned long, ipi_resched);
DEFINE_PER_CPU(unsigned long, ipi_tlb);

DEFINE_PER_CPU(smp_call_func_t, call_running);  /* for an oops: which call */
DEFINE_PER_CPU(unsigned, call_running_from);    /* ... and from which CPU */

static void flush_call_queue(void)
{
	struct llist_node *n = llist_reverse(llist_del_all(this_cpu_ptr(&call_queue)));

	while (n) {
		struct call_single_data *csd = container_of(n, struct call_single_data, node);
		smp_call_func_t func = csd->func;
		void *info = csd->info;
		n = n->next;
		this_cpu_inc(ipi_calls);
		smp_call_func_t outer = this_cpu_read(call_running);
		unsigned outer_from = this_cpu_read(call_running_from);
		this_cpu_write(call_running_from, csd->flags >> 8);
		this_cpu_write(call_running, func);
		if (csd->flags & CSD_FLAG_SYNC) {
			func(info);
			csd_unlock(csd);
		} else {
			csd_unlock(csd);
			func(info);
		}
		this_cpu_write(call_running, outer);
		this_cpu_write(call_running_from, outer_from);
	}
}

static void call_function_interrupt(struct pt_regs *regs)
{
	(void)regs;
	apic_eoi();
	flush_call_queue();
}

void flush_idle_calls(void)
{
	if (__atomic_load_n(this_cpu_ptr(&call_queue), __ATOMIC_RELAXED))
		flush_call_queue();
}

static bool refuse_irqs_off(void *caller)
{
	static bool warned;

	if (save_flags() & X86_EFLAGS_IF)
		return false;
	if (!__atomic_exchange_n(&warned, true, __ATOMIC_RELAXED))
		printk("smp: a cross-CPU call with interrupts disabled, from %#lx, "
		       "refused: it can deadlock\n", (unsigned long)caller);
	return true;
}

int smp_call_function_single(unsigned cpu, smp_call_func_t func, void *info, bool wait)
{
	struct call_single_data on_stack;

	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -ENXIO;
	if (refuse_irqs_off(__builtin_return_address(0)))
		return -EDEADLK;
	unsigned me = get_cpu();
	if (cpu == me) {
		u64 flags = local_irq_save();
		func(info);
		local_irq_restore(flags);
		put_cpu();
		return 0;
	}
	struct call_single_data *csd = wait ? &on_stack : this_cpu_ptr(&csd_single);
	if (!wait)
		csd_lock_wait(csd);             /* its previous call is done */
	csd->func = func;
	csd->info = info;
	csd->flags = CSD_FLAG_LOCK | (wait ? CSD_FLAG_SYNC : 0) | CSD_FROM(me);
	if (llist_add(&csd->node, per_cpu_ptr(&call_queue, cpu)))
		send_ipi(cpu, CALL_FUNCTION_SINGLE_VECTOR);
	if (wait)
		csd_lock_wait(csd);
	put_cpu();
	return 0;
}

int smp_call_function_many(const struct cpumask *mask, smp_call_func_t func,
			   void *info, bool wait)
{
	struct cpumask to_interrupt = { 0 };
	unsigned targets = 0;
	bool all_empty = true;

	if (refuse_irqs_off(__builtin_return_address(0)))
		return -EDEADLK;
	unsigned me = get_cpu();
	struct call_single_data *csds = this_cpu_read(csd_many);
	if (!csds) {
		csds = kzalloc(nr_cpu_ids * sizeof(*csds));
		if (!csds) {
			put_cpu();
			return -ENOMEM;
		}
		this_cpu_write(csd_many, csds);
	}
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (cpu == me || !cpumask_test(mask, cpu) || !cpu_online(cpu))
			continue;
		struct call_single_data *csd = &csds[cpu];
		csd_lock_wait(csd);
		csd->func = func;
		csd->info = info;
		csd->flags = CSD_FLAG_LOCK | (wait ? CSD_FLAG_SYNC : 0) | CSD_FROM(me);
		if (llist_add(&csd->node, per_cpu_ptr(&call_queue, cpu)))
			cpumask_set(&to_interrupt, cpu);
		else
			all_empty = false;
		targets++;
	}
	if (all_empty && targets == nr_cpus_online - 1 && targets && ipi_shorthand_allowed()) {
		send_ipi_all_but_self(CALL_FUNCTION_VECTOR);
	} else {
		for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
			if (cpumask_test(&to_interrupt, cpu))
				send_ipi(cpu, CALL_FUNCTION_VECTOR);
	}
	if (wait)
		for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
			if (cpu != me && cpumask_test(mask, cpu) && cpu_online(cpu))
				csd_lock_wait(&csds[cpu]);
	put_cpu();
	return 0;
}

int on_each_cpu(smp_call_func_t func, void *info, bool wait)
{
	struct cpumask all;

	cpumask_online(&all);
	get_cpu();
	int err = smp_call_function_many(&all, func, info, wait);
	if (!err) {
		u64 flags = local_irq_save();
		func(info);
		local_irq_restore(flags);
	}
	put_cpu();
	return err;
}

void smp_call_self_by_ipi(smp_call_func_t func, void *info)
{
	unsigned flags = CSD_FLAG_LOCK | CSD_FLAG_SYNC | CSD_FROM(smp_processor_id());
	struct call_single_data csd = { { NULL }, func, info, flags };

	if (llist_add(&csd.node, this_cpu_ptr(&call_queue)))
		apic_send_ipi_self(CALL_FUNCTION_SINGLE_VECTOR);
	csd_lock_wait(&csd);
}

static void reschedule_interrupt(struct pt_regs *regs)
{
	(void)regs;
	apic_eoi();
	this_cpu_inc(ipi_resched);
	scheduler_ipi();
}

void smp_send_reschedule(unsigned cpu)
{
	if (cpu < nr_cpu_ids && cpu_online(cpu))
		send_ipi(cpu, RESCHEDULE_VECTOR);
}

#define TLB_FLUSH_CEILING 33

struct tlb_range {
	unsigned long start, end;
};

static void flush_tlb_local(void *info)
{
	const struct tlb_range *r = info;

	if ((r->end - r->start) / PAGE_SIZE > TLB_FLUSH_CEILING) {
		u64 cr4 = read_cr4();
		write_cr4(cr4 ^ CR4_PGE);
		write_cr4(cr4);
	} else {
		for (unsigned long va = r->start; va < r->end; va += PAGE_SIZE)
			invlpg((void *)va);
	}
	this_cpu_inc(ipi_tlb);
}

void flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	struct tlb_range r = { ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE) };

	if (nr_cpus_online == 1) {
		flush_tlb_local(&r);
		return;
	}
	int err = on_each_cpu(flush_tlb_local, &r, true);
	if (err)
		panic("TLB shootdown of %#lx-%#lx failed (error %d): "
		      "other CPUs would keep the old translation", r.start, r.end, err);
}

void vunmap(void *va, size_t size)
{
	unsigned long start = ALIGN_DOWN((unsigned long)va, PAGE_SIZE);
	unsigned long end = ALIGN_UP((unsigned long)va + size, PAGE_SIZE);

	for (unsigned long p = start; p < end; p += PAGE_SIZE)
		unmap_page(kernel_pml4, p);
	flush_tlb_kernel_range(start, end);
}

volatile bool smp_stop_requested;
DEFINE_PER_CPU(bool, cpu_stopped);
static unsigned nr_cpus_stopped;

static unsigned wait_for_stops(unsigned others)
{
	u64 start = rdtsc();

	while (__atomic_load_n(&nr_cpus_stopped, __ATOMIC_ACQUIRE) < others &&
	       rdtsc() - start < 100 * tsc_khz)
		pause();
	return __atomic_load_n(&nr_cpus_stopped, __ATOMIC_ACQUIRE);
}

void smp_send_stop(void)
{
	unsigned me = smp_processor_id(), others = nr_cpus_online - 1;

	if (!others)
		return;
	smp_stop_requested = true;
	if (ipi_shorthand_allowed())
		send_ipi_all_but_self(STOP_CPU_VECTOR);
	else
		for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
			if (cpu != me && cpu_online(cpu))
				send_ipi(cpu, STOP_CPU_VECTOR);
	if (wait_for_stops(others) < others) {
		for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
			if (cpu != me && cpu_online(cpu) && !per_cpu(cpu_stopped, cpu))
				apic_send_ipi(cpu_apic_id[cpu], APIC_DM_NMI);
		wait_for_stops(others);
	}
	printk("smp: %u of %u other CPUs stopped\n", nr_cpus_stopped, others);
}

void stop_this_cpu(struct pt_regs *regs, const char *how)
{
	cli();
	printk("smp: CPU %u stopped by %s\n", smp_processor_id(), how);
	show_regs(regs);
	show_backtrace(regs->bp);
	this_cpu_write(cpu_stopped, true);
	__atomic_fetch_add(&nr_cpus_stopped, 1, __ATOMIC_RELEASE);
	for (;;)
		hlt();
}

static void stop_interrupt(struct pt_regs *regs)
{
	apic_eoi();
	stop_this_cpu(regs, "IPI");
}

void ipi_init(void)
{
	set_system_vector(CALL_FUNCTION_VECTOR, call_function_interrupt);
	set_system_vector(CALL_FUNCTION_SINGLE_VECTOR, call_function_interrupt);
	set_system_vector(RESCHEDULE_VECTOR, reschedule_interrupt);
	set_system_vector(STOP_CPU_VECTOR, stop_interrupt);
	panic_stop_cpus = smp_send_stop;
}
