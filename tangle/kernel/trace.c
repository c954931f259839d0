/* Tangled from chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "trace.h"
#include "mm.h"
#include "smp.h"
#include "sched.h"
#include "clocks.h"
#include "irq.h"
#include "kallsyms.h"
#include "softirq.h"
#include "vectors.h"
#include "traps.h"
#include "apic.h"
#include "time.h"

struct trace_ring {
	struct trace_event *ev;         /* TRACE_ENTRIES of them, or NULL */
	u64 head;                       /* events ever written */
};

static DEFINE_PER_CPU(struct trace_ring, trace_rings);
bool trace_enabled;

static inline u64 local_xadd(u64 *p, u64 v)
{
	asm volatile("xaddq %0, %1" : "+r"(v), "+m"(*p));
	return v;
}

__attribute__((noinline)) void trace_record(unsigned type, u32 a, u64 b, u64 c)
{
	u64 flags = save_flags();

	cli();
	struct trace_ring *r = this_cpu_ptr(&trace_rings);
	if (likely(r->ev && READ_ONCE(trace_enabled))) {
		struct trace_event *e = &r->ev[local_xadd(&r->head, 1) % TRACE_ENTRIES];
		struct task *t = this_cpu_read(current_thread);
		e->tsc = rdtsc();
		e->type = type;
		e->pid = t ? t->pid : 0;
		e->a = a;
		e->b = b;
		e->c = c;
	}
	local_irq_restore(flags);
}

#define TRACE_RING_FRAMES (TRACE_ENTRIES * sizeof(struct trace_event) / PAGE_SIZE)

int trace_start(void)
{
	int missing = 0;

	if (READ_ONCE(trace_enabled))
		trace_stop();
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct trace_ring *r = &per_cpu(trace_rings, cpu);
		if (!cpu_online(cpu))
			continue;
		if (!r->ev) {
			u64 pa = frames_alloc(TRACE_RING_FRAMES);
			if (!pa) {
				missing++;
				continue;
			}
			r->ev = phys_to_virt(pa);
		}
		r->head = 0;
	}
	smp_mb();
	WRITE_ONCE(trace_enabled, true);
	return missing;
}

void trace_free(void)
{
	unsigned silent = trace_stop();

	if (silent) {                   /* one may still be writing into its ring */
		printk("trace: rings kept: %u CPUs did not answer\n", silent);
		return;
	}
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct trace_ring *r = &per_cpu(trace_rings, cpu);
		if (r->ev)
			frames_free(virt_to_phys(r->ev), TRACE_RING_FRAMES);
		r->ev = NULL;
		r->head = 0;
	}
}

static DEFINE_PER_CPU(unsigned long, trace_quiesced);

static void trace_quiesce_interrupt(struct pt_regs *regs)
{
	(void)regs;
	this_cpu_inc(trace_quiesced);
	apic_eoi();
}

unsigned trace_stop(void)
{
	static unsigned long seen[NR_CPUS];
	static spinlock_t stop_lock = SPINLOCK_INIT;
	unsigned silent = 0;

	WRITE_ONCE(trace_enabled, false);
	if (irqs_disabled() || !lapic_present)
		return 0;
	spin_lock(&stop_lock);
	unsigned me = get_cpu();
	set_system_vector(TRACE_QUIESCE_VECTOR, trace_quiesce_interrupt);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu != me && cpu_online(cpu)) {
			seen[cpu] = READ_ONCE(per_cpu(trace_quiesced, cpu));
			apic_send_ipi(cpu_apic_id[cpu], APIC_DM_FIXED | TRACE_QUIESCE_VECTOR);
		}
	ktime_t deadline = ktime_get() + NSEC_PER_SEC;
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (cpu == me || !cpu_online(cpu))
			continue;
		while (READ_ONCE(per_cpu(trace_quiesced, cpu)) == seen[cpu] &&
		       ktime_get() < deadline)
			pause();
		if (READ_ONCE(per_cpu(trace_quiesced, cpu)) == seen[cpu])
			silent++;
	}
	put_cpu();
	spin_unlock(&stop_lock);
	return silent;
}

u64 trace_recorded(unsigned cpu)
{
	return per_cpu(trace_rings, cpu).head;
}

const struct trace_event *trace_peek(unsigned cpu, u64 index)
{
	struct trace_ring *r = &per_cpu(trace_rings, cpu);

	if (!r->ev || index >= r->head || r->head - index > TRACE_ENTRIES)
		return NULL;
	return &r->ev[index % TRACE_ENTRIES];
}

struct trace_iter {
	u64 next[NR_CPUS];              /* each CPU's next index to emit */
	u16 depth[NR_CPUS];             /* the export's open spans per CPU */
};

static void trace_iter_init(struct trace_iter *it)
{
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		u64 head = trace_recorded(cpu);
		it->next[cpu] = head > TRACE_ENTRIES ? head - TRACE_ENTRIES : 0;
	}
}

static const struct trace_event *trace_iter_next(struct trace_iter *it, unsigned *cpu)
{
	const struct trace_event *best = NULL;

	for (unsigned c = 0; c < nr_cpu_ids; c++) {
		const struct trace_event *e = trace_peek(c, it->next[c]);
		if (e && (!best || e->tsc < best->tsc)) {
			best = e;
			*cpu = c;
		}
	}
	if (best)
		it->next[*cpu]++;
	return best;
}

static u64 trace_ns(u64 tsc, u64 t0)
{
	u64 d = tsc - t0, hz = tsc_hz ? tsc_hz : 1000000000;

	if ((s64)d < 0)                 /* before t0: an NMI's inversion */
		return 0;
	return d / hz * NSEC_PER_SEC + d % hz * NSEC_PER_SEC / hz;
}

static const char *vector_name(unsigned v)
{
	switch (v) {
	case LOCAL_TIMER_VECTOR:          return "local timer";
	case CALL_FUNCTION_SINGLE_VECTOR: return "call function single";
	case CALL_FUNCTION_VECTOR:        return "call function";
	case RESCHEDULE_VECTOR:           return "reschedule";
	case STOP_CPU_VECTOR:             return "stop CPU";
	case TEST_IPI_VECTOR:             return "test IPI";
	case ERROR_APIC_VECTOR:           return "APIC error";
	case SPURIOUS_APIC_VECTOR:        return "spurious";
	}
	if (v < 32)
		return exception_name(v);
	const char *name = irq_action_name(v - FIRST_EXTERNAL_VECTOR);
	return name ? name : "unnamed";
}

static const char *func_name(u64 addr)
{
	unsigned long off, size;
	const char *name = kallsyms_lookup(addr, &off, &size);

	return name ? name : "?";
}

static const char *const trace_type_names[NR_TRACE_TYPES] = {
	[TRACE_NONE] = "none",
	[TRACE_IRQ_ENTRY] = "irq_entry", [TRACE_IRQ_EXIT] = "irq_exit",
	[TRACE_EXC_ENTRY] = "exception_entry", [TRACE_EXC_EXIT] = "exception_exit",
	[TRACE_IPI_SEND] = "ipi_send",
	[TRACE_SOFTIRQ_ENTRY] = "softirq_entry", [TRACE_SOFTIRQ_EXIT] = "softirq_exit",
	[TRACE_TASKLET_START] = "tasklet_start", [TRACE_TASKLET_END] = "tasklet_end",
	[TRACE_WORK_START] = "work_start", [TRACE_WORK_END] = "work_end",
	[TRACE_TIMER_START] = "timer_start", [TRACE_TIMER_END] = "timer_end",
	[TRACE_HRTIMER_START] = "hrtimer_start", [TRACE_HRTIMER_END] = "hrtimer_end",
	[TRACE_SWITCH] = "sched_switch",
	[TRACE_SYSCALL_ENTRY] = "syscall_entry", [TRACE_SYSCALL_EXIT] = "syscall_exit",
	[TRACE_MARK] = "mark",
};

const char *trace_type_name(unsigned type)
{
	return type < NR_TRACE_TYPES ? trace_type_names[type] : "?";
}

static void trace_describe(const struct trace_event *e, char *buf, size_t size)
{
	char name[9] = { 0 };

	switch (e->type) {
	case TRACE_IRQ_ENTRY: case TRACE_IRQ_EXIT:
		snprintf(buf, size, "vector %#x (%s)", e->a, vector_name(e->a));
		break;
	case TRACE_EXC_ENTRY:
		snprintf(buf, size, "%s at %#lx, error code %#lx",
			 vector_name(e->a), (unsigned long)e->b, (unsigned long)e->c);
		break;
	case TRACE_EXC_EXIT:
		snprintf(buf, size, "%s", vector_name(e->a));
		break;
	case TRACE_IPI_SEND:
		if (e->b == TRACE_ALL_BUT_SELF || e->b == TRACE_ALL)
			snprintf(buf, size, "to all%s, vector %#x (%s)",
				 e->b == TRACE_ALL ? "" : " but self", e->a, vector_name(e->a));
		else
			snprintf(buf, size, "to CPU %lu, vector %#x (%s)",
				 (unsigned long)e->b, e->a, vector_name(e->a));
		break;
	case TRACE_SOFTIRQ_ENTRY: case TRACE_SOFTIRQ_EXIT:
		snprintf(buf, size, "%s", softirq_name(e->a));
		break;
	case TRACE_SWITCH:
		memcpy(name, &e->c, 8);
		snprintf(buf, size, "pid %u -> %s[%lu]", e->a, name, (unsigned long)e->b);
		break;
	case TRACE_SYSCALL_ENTRY:
		snprintf(buf, size, "nr %u, rdi %#lx", e->a, (unsigned long)e->b);
		break;
	case TRACE_SYSCALL_EXIT:
		snprintf(buf, size, "nr %u, returns %ld", e->a, (long)e->b);
		break;
	case TRACE_MARK:
		snprintf(buf, size, "%s %u %#lx", e->c ? (const char *)e->c : "", e->a,
			 (unsigned long)e->b);
		break;
	default:
		snprintf(buf, size, "%s", func_name(e->b));
	}
}

static u64 trace_first_tsc(struct trace_iter *it, unsigned long skip)
{
	unsigned cpu;
	const struct trace_event *e = trace_iter_next(it, &cpu);
	u64 t0 = e ? e->tsc : 0;

	trace_iter_init(it);
	while (skip--)
		trace_iter_next(it, &cpu);
	return t0;
}

static unsigned long trace_total(void)
{
	unsigned long n = 0;

	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		n += MIN(trace_recorded(cpu), (u64)TRACE_ENTRIES);
	return n;
}

static void trace_stop_for_reading(void)
{
	unsigned silent = READ_ONCE(trace_enabled) ? trace_stop() : 0;

	if (silent)
		printk("trace: %u CPUs did not answer; the newest event of each may be "
		       "half written\n", silent);
}

unsigned long trace_dump(unsigned long last)
{
	struct trace_iter *it = kmalloc(sizeof(*it));
	unsigned long total, n = 0;
	const struct trace_event *e;
	unsigned cpu;
	char what[96];

	if (!it)
		return 0;
	trace_stop_for_reading();
	total = trace_total();
	trace_iter_init(it);
	u64 t0 = trace_first_tsc(it, last && last < total ? total - last : 0);
	printk("# trace: %lu events; times in microseconds from the first\n", total);
	while ((e = trace_iter_next(it, &cpu))) {
		u64 ns = trace_ns(e->tsc, t0);
		trace_describe(e, what, sizeof(what));
		printk("[%03u] pid %4u %8lu.%03lu: %s: %s\n", cpu, e->pid,
		       (unsigned long)(ns / 1000), (unsigned long)(ns % 1000),
		       trace_type_name(e->type), what);
		n++;
	}
	kfree(it);
	return n;
}

#define EXPORT_BEGIN "--- trace export begin ---"
#define EXPORT_END   "--- trace export end ---"

static void json_name(char *out, size_t size, const char *in)
{
	size_t n = 0;

	for (; *in && n + 3 < size; in++) {
		char c = *in;
		if (c == '"' || c == '\\')
			out[n++] = '\\';
		out[n++] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	out[n] = '\0';
}

struct json_form { const char *cat; char ph; };

static const struct json_form json_forms[NR_TRACE_TYPES] = {
	[TRACE_IRQ_ENTRY] = { "irq", 'B' }, [TRACE_IRQ_EXIT] = { "irq", 'E' },
	[TRACE_EXC_ENTRY] = { "exception", 'B' }, [TRACE_EXC_EXIT] = { "exception", 'E' },
	[TRACE_IPI_SEND] = { "ipi", 'i' },
	[TRACE_SOFTIRQ_ENTRY] = { "softirq", 'B' }, [TRACE_SOFTIRQ_EXIT] = { "softirq", 'E' },
	[TRACE_TASKLET_START] = { "tasklet", 'B' }, [TRACE_TASKLET_END] = { "tasklet", 'E' },
	[TRACE_WORK_START] = { "work", 'B' }, [TRACE_WORK_END] = { "work", 'E' },
	[TRACE_TIMER_START] = { "timer", 'B' }, [TRACE_TIMER_END] = { "timer", 'E' },
	[TRACE_HRTIMER_START] = { "hrtimer", 'B' }, [TRACE_HRTIMER_END] = { "hrtimer", 'E' },
	[TRACE_SWITCH] = { "sched", 'i' },
	[TRACE_SYSCALL_ENTRY] = { "syscall", 'B' }, [TRACE_SYSCALL_EXIT] = { "syscall", 'E' },
	[TRACE_MARK] = { "mark", 'i' },
};

static void json_event_name(const struct trace_event *e, char *buf, size_t size)
{
	char raw[64], task[9] = { 0 };

	switch (e->type) {
	case TRACE_IRQ_ENTRY: case TRACE_IRQ_EXIT:
	case TRACE_EXC_ENTRY: case TRACE_EXC_EXIT:
		snprintf(raw, sizeof(raw), "%s", vector_name(e->a));
		break;
	case TRACE_IPI_SEND:
		snprintf(raw, sizeof(raw), "IPI %s", vector_name(e->a));
		break;
	case TRACE_SOFTIRQ_ENTRY: case TRACE_SOFTIRQ_EXIT:
		snprintf(raw, sizeof(raw), "softirq %s", softirq_name(e->a));
		break;
	case TRACE_SWITCH:
		memcpy(task, &e->c, 8);
		snprintf(raw, sizeof(raw), "switch to %s", task);
		break;
	case TRACE_SYSCALL_ENTRY: case TRACE_SYSCALL_EXIT:
		snprintf(raw, sizeof(raw), "syscall %u", e->a);
		break;
	case TRACE_MARK:
		if (e->c)
			snprintf(raw, sizeof(raw), "%s", (const char *)e->c);
		else
			snprintf(raw, sizeof(raw), "mark %u", e->a);
		break;
	default:
		snprintf(raw, sizeof(raw), "%s", func_name(e->b));
	}
	json_name(buf, size, raw);
}

static void json_event(const struct trace_event *e, unsigned lane, u64 t0)
{
	const struct json_form *f = &json_forms[e->type < NR_TRACE_TYPES ? e->type : 0];
	u64 ns = trace_ns(e->tsc, t0);
	char name[80];

	if (!f->cat)
		return;
	json_event_name(e, name, sizeof(name));
	printk("{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"%c\",%s\"ts\":%lu.%03lu,"
	       "\"pid\":0,\"tid\":%u,\"args\":{\"pid\":%u,\"a\":%u,\"b\":\"%#lx\"}},\n",
	       name, f->cat, f->ph, f->ph == 'i' ? "\"s\":\"t\"," : "",
	       (unsigned long)(ns / 1000), (unsigned long)(ns % 1000), lane,
	       e->pid, e->a, (unsigned long)e->b);
}

#define TASK_LANE_BASE 1000

static bool task_span(const struct trace_event *e)
{
	return e->type == TRACE_SYSCALL_ENTRY || e->type == TRACE_SYSCALL_EXIT ||
	       e->type == TRACE_WORK_START || e->type == TRACE_WORK_END;
}

static bool json_keep(const struct trace_event *e, unsigned cpu, u16 *depth)
{
	char ph = e->type < NR_TRACE_TYPES ? json_forms[e->type].ph : 0;

	if (task_span(e) || (ph != 'B' && ph != 'E'))
		return true;
	if (ph == 'B') {
		depth[cpu]++;
		return true;
	}
	if (!depth[cpu])
		return false;                   /* its beginning is gone */
	depth[cpu]--;
	return true;
}

static void json_flow(const struct trace_event *send, unsigned from, u64 t0, unsigned id)
{
	unsigned to = send->b;

	if (send->b >= nr_cpu_ids)
		return;
	for (u64 i = trace_recorded(to) > TRACE_ENTRIES ? trace_recorded(to) - TRACE_ENTRIES : 0;
	     i < trace_recorded(to); i++) {
		const struct trace_event *e = trace_peek(to, i);
		if (e && e->type == TRACE_IRQ_ENTRY && e->a == send->a && e->tsc >= send->tsc) {
			u64 s = trace_ns(send->tsc, t0), r = trace_ns(e->tsc, t0);
			printk("{\"name\":\"IPI\",\"cat\":\"ipi\",\"ph\":\"s\",\"id\":%u,"
			       "\"ts\":%lu.%03lu,\"pid\":0,\"tid\":%u},\n", id,
			       (unsigned long)(s / 1000), (unsigned long)(s % 1000), from);
			printk("{\"name\":\"IPI\",\"cat\":\"ipi\",\"ph\":\"f\","
			       "\"bp\":\"e\",\"id\":%u,"
			       "\"ts\":%lu.%03lu,\"pid\":0,\"tid\":%u},\n", id,
			       (unsigned long)(r / 1000), (unsigned long)(r % 1000), to);
			return;
		}
	}
}

unsigned long trace_export(void)
{
	struct trace_iter *it = kmalloc(sizeof(*it));
	const struct trace_event *e;
	unsigned long n = 0;
	unsigned cpu, flows = 0;

	if (!it)
		return 0;
	trace_stop_for_reading();
	trace_iter_init(it);
	u64 t0 = trace_first_tsc(it, 0);
	printk("%s\n{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", EXPORT_BEGIN);
	memset(it->depth, 0, sizeof(it->depth));
	while ((e = trace_iter_next(it, &cpu))) {
		if (!json_keep(e, cpu, it->depth))
			continue;
		json_event(e, task_span(e) ? TASK_LANE_BASE + e->pid : cpu, t0);
		if (e->type == TRACE_IPI_SEND)
			json_flow(e, cpu, t0, ++flows);
		n++;
	}
	for (unsigned c = 0; c < nr_cpu_ids; c++)
		if (cpu_online(c))
			printk("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":0,\"tid\":%u,"
			       "\"args\":{\"name\":\"CPU %u\"}},\n", c, c);
	printk("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":0,"
	       "\"args\":{\"name\":\"litkernel\"}}\n]}\n%s\n", EXPORT_END);
	kfree(it);
	return n;
}
