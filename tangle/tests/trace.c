/* Tangled from chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "trace.h"
#include "ktest.h"
#include "sched.h"
#include "smp.h"
#include "softirq.h"
#include "timer.h"
#include "workqueue.h"
#include "vectors.h"
#include "kallsyms.h"
#include "syscall.h"
#include "task.h"
#include "apic.h"
#include "monitor.h"
#include "uart.h"

static bool named(const struct trace_event *e, const char *name)
{
	unsigned long off, size;
	const char *s = kallsyms_lookup(e->b, &off, &size);

	return s && strcmp(s, name) == 0;
}

static bool start_or_skip(struct ktest *t)
{
	if (trace_start()) {
		trace_free();
		t->skip = "no memory for every CPU's 64 KiB trace ring";
		return false;
	}
	return true;
}

static void test_sleep_is_traced(struct ktest *t)
{
	unsigned cpu = smp_processor_id();
	int found = 0, depth = 0;
	u64 last = 0;

	if (!start_or_skip(t))
		return;
	u64 from = trace_recorded(cpu);
	msleep(10);
	trace_stop();
	for (u64 i = from; i < trace_recorded(cpu); i++) {
		const struct trace_event *e = trace_peek(cpu, i);
		ASSERT_TRUE(t, e != NULL);
		EXPECT_GE(t, e->tsc, last);
		last = e->tsc;
		if (e->type == TRACE_IRQ_ENTRY)
			depth++;
		if (e->type == TRACE_IRQ_EXIT)
			depth--;
		if (found == 0 && e->type == TRACE_SWITCH && e->a == (u32)current->pid)
			found++;
		else if (found == 1 && e->type == TRACE_IRQ_ENTRY)
			found++;
		else if (found == 2 && e->type == TRACE_SOFTIRQ_ENTRY && e->a == TIMER_SOFTIRQ)
			found++;
		else if (found == 3 && e->type == TRACE_TIMER_START && named(e, "process_timeout"))
			found++;
		else if (found == 4 && e->type == TRACE_SWITCH && e->b == (u64)current->pid)
			found++;
	}
	EXPECT_EQ(t, found, 5);
	EXPECT_EQ(t, depth, 0);
	trace_free();
}

static void test_off_records_nothing(struct ktest *t)
{
	u64 before[NR_CPUS];

	trace_stop();
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		before[cpu] = trace_recorded(cpu);
	msleep(10);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		EXPECT_EQ(t, trace_recorded(cpu), before[cpu]);
}

static void called(void *info)
{
	(void)info;
}

static void test_ipi_send_and_receive(struct ktest *t)
{
	unsigned me = get_cpu(), to = me;
	const struct trace_event *send = NULL;

	put_cpu();
	for (unsigned c = 1; c < nr_cpu_ids && to == me; c++)
		if (cpu_online((me + c) % nr_cpu_ids))
			to = (me + c) % nr_cpu_ids;
	if (to == me || !lapic_present)
		KTEST_SKIP(t, "needs a second CPU and a local APIC");
	if (!start_or_skip(t))
		return;
	u64 from = trace_recorded(me);
	ASSERT_EQ(t, smp_call_function_single(to, called, NULL, true), 0);
	trace_stop();
	for (u64 i = from; i < trace_recorded(me) && !send; i++) {
		const struct trace_event *e = trace_peek(me, i);
		if (e && e->type == TRACE_IPI_SEND && e->b == to)
			send = e;
	}
	ASSERT_TRUE(t, send != NULL);
	EXPECT_EQ(t, send->a, CALL_FUNCTION_SINGLE_VECTOR);
	bool received = false;
	for (u64 i = 0; i < trace_recorded(to) && !received; i++) {
		const struct trace_event *e = trace_peek(to, i);
		received = e && e->type == TRACE_IRQ_ENTRY && e->a == send->a && e->tsc >= send->tsc;
	}
	EXPECT_TRUE(t, received);
	trace_free();
}

static bool syscall_seen(int pid, long *result)
{
	bool entry = false;

	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		for (u64 i = 0; i < trace_recorded(cpu); i++) {
			const struct trace_event *e = trace_peek(cpu, i);
			if (!e || e->pid != (u32)pid || e->a != SYS_getpid)
				continue;
			entry |= e->type == TRACE_SYSCALL_ENTRY;
			if (entry && e->type == TRACE_SYSCALL_EXIT) {
				*result = e->b;
				return true;
			}
		}
	return false;
}

static void test_syscall_is_traced(struct ktest *t)
{
	long result = -1;

	if (!start_or_skip(t))
		return;
	struct task *task = run_user_program("getpid");
	trace_stop();
	ASSERT_TRUE(t, task != NULL);
	EXPECT_TRUE(t, syscall_seen(task->pid, &result));
	EXPECT_EQ(t, result, task->pid);
	task_free(task);
	trace_free();
}

static void traced_tasklet_fn(struct tasklet *tl)
{
	(void)tl;
}

static void traced_work_fn(struct work_struct *w)
{
	(void)w;
}

static DECLARE_TASKLET(traced_tasklet, traced_tasklet_fn);

static bool pair_seen(unsigned start, unsigned end, const char *fn)
{
	bool started = false;

	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		for (u64 i = 0; i < trace_recorded(cpu); i++) {
			const struct trace_event *e = trace_peek(cpu, i);
			if (e && e->type == start && named(e, fn))
				started = true;
			if (e && e->type == end && started && named(e, fn))
				return true;
		}
	return false;
}

static void test_bottom_halves_are_traced(struct ktest *t)
{
	struct work_struct w;

	if (!start_or_skip(t))
		return;
	INIT_WORK(&w, traced_work_fn);
	tasklet_schedule(&traced_tasklet);
	schedule_work(&w);
	flush_work(&w);
	msleep(10);
	trace_stop();
	EXPECT_TRUE(t, pair_seen(TRACE_TASKLET_START, TRACE_TASKLET_END, "traced_tasklet_fn"));
	EXPECT_TRUE(t, pair_seen(TRACE_WORK_START, TRACE_WORK_END, "traced_work_fn"));
	trace_free();
}

static void test_ring_keeps_the_newest(struct ktest *t)
{
	if (!start_or_skip(t))
		return;
	u64 flags = local_irq_save();
	unsigned cpu = smp_processor_id();
	u64 from = trace_recorded(cpu);
	for (u32 i = 0; i < 3 * TRACE_ENTRIES; i++)
		trace(TRACE_MARK, i, 0, 0);
	u64 head = trace_recorded(cpu);
	trace_stop();
	local_irq_restore(flags);
	EXPECT_EQ(t, head - from, 3 * TRACE_ENTRIES);
	EXPECT_TRUE(t, trace_peek(cpu, head - TRACE_ENTRIES - 1) == NULL);
	const struct trace_event *oldest = trace_peek(cpu, head - TRACE_ENTRIES);
	const struct trace_event *newest = trace_peek(cpu, head - 1);
	ASSERT_TRUE(t, oldest && newest);
	EXPECT_EQ(t, oldest->a, 2 * TRACE_ENTRIES);
	EXPECT_EQ(t, newest->a, 3 * TRACE_ENTRIES - 1);
	EXPECT_EQ(t, (unsigned)newest->type, (unsigned)TRACE_MARK);
	trace_free();
}

static char echoed[1024], got[MONITOR_LINE];
static unsigned long got_long, got_bad;
static int lines_done;

static void test_echo(const char *s)
{
	size_t n = strlen(echoed);

	strlcpy(echoed + n, s, sizeof(echoed) - n);
}

static bool echoed_has(const char *what)
{
	for (const char *p = echoed; *p; p++)
		if (strncmp(p, what, strlen(what)) == 0)
			return true;
	return false;
}

static void test_done(const char *line, unsigned long too_long, unsigned long unprintable)
{
	strlcpy(got, line, sizeof(got));
	got_long = too_long, got_bad = unprintable;
	lines_done++;
}

static const char *const test_words[] = { "alpha", "alpine", "beta", NULL };

static void feed(struct line_editor *ed, const char *s)
{
	echoed[0] = '\0';
	while (*s)
		editor_feed(ed, *s++);
}

static struct line_editor test_editor(void)
{
	lines_done = 0;
	return (struct line_editor){ .words = test_words, .prompt = "> ",
				     .echo = test_echo, .done = test_done };
}

static void test_editor_edits(struct ktest *t)
{
	struct line_editor ed = test_editor();

	feed(&ed, "cpuz\x7fs\r");
	EXPECT_STREQ(t, got, "cpus");
	EXPECT_TRUE(t, echoed_has("\b \b"));
	feed(&ed, "ab\bc\r\n");
	EXPECT_STREQ(t, got, "ac");
	EXPECT_EQ(t, lines_done, 2);
	feed(&ed, "garbage\x15mem\n");
	EXPECT_STREQ(t, got, "mem");
	feed(&ed, "crash null\x03");
	EXPECT_STREQ(t, got, "");
	EXPECT_EQ(t, lines_done, 4);
	EXPECT_EQ(t, ed.len, 0U);
}

static void test_editor_history(struct ktest *t)
{
	struct line_editor ed = test_editor();

	feed(&ed, "one\rtwo\rtwo\r");
	EXPECT_EQ(t, ed.nr_history, 2U);
	feed(&ed, "\x1b[A\x1b[A\r");
	EXPECT_STREQ(t, got, "one");
	feed(&ed, "\x1b[A\x1b[B\r");
	EXPECT_STREQ(t, got, "");
	feed(&ed, "x\x1b[3~\x1b[1;5Cy\r");
	EXPECT_STREQ(t, got, "xy");
	feed(&ed, "\x1bOA\r");                  /* the up arrow, application mode */
	EXPECT_STREQ(t, got, "xy");
	feed(&ed, "ab\x1b\r");                   /* ESC, then Enter: still Enter */
	EXPECT_STREQ(t, got, "ab");
	for (int i = 0; i < 10; i++) {
		char line[8];
		snprintf(line, sizeof(line), "l%d\r", i);
		feed(&ed, line);
	}
	EXPECT_EQ(t, ed.nr_history, (unsigned)MONITOR_HISTORY);
	EXPECT_STREQ(t, ed.history[0], "l2");
}

static void test_editor_completes(struct ktest *t)
{
	struct line_editor ed = test_editor();

	feed(&ed, "al\t");
	EXPECT_STREQ(t, echoed, "alp");
	feed(&ed, "\t");
	EXPECT_TRUE(t, echoed_has("alpha  alpine"));
	EXPECT_TRUE(t, echoed_has("> alp"));
	feed(&ed, "h\t\r");
	EXPECT_STREQ(t, got, "alpha ");
	feed(&ed, "z\t");
	EXPECT_STREQ(t, echoed, "z\a");
	feed(&ed, "\x15" "beta x\t");
	EXPECT_TRUE(t, echoed_has("\a"));
}

static void test_editor_bad_input(struct ktest *t)
{
	struct line_editor ed = test_editor();
	char big[201];

	memset(big, 'x', 200);
	big[200] = '\0';
	feed(&ed, big);
	feed(&ed, "\r");
	EXPECT_EQ(t, got_long, 73UL);
	EXPECT_EQ(t, strlen(got), (size_t)MONITOR_LINE - 1);
	feed(&ed, "\x01\x80\xff" "ab\x1b" "c\r");
	EXPECT_STREQ(t, got, "ab");
	EXPECT_EQ(t, got_bad, 3UL);
	feed(&ed, "ok\r");
	EXPECT_STREQ(t, got, "ok");
	EXPECT_EQ(t, got_long, 0UL);
	EXPECT_EQ(t, got_bad, 0UL);
	big[130] = '\0';                        /* three too many, taken back */
	feed(&ed, big);
	feed(&ed, "\x7f\x7f\x7f\r");
	EXPECT_EQ(t, got_long, 0UL);
	EXPECT_EQ(t, strlen(got), (size_t)MONITOR_LINE - 1);
	feed(&ed, big);                         /* abandoned: nothing to report */
	feed(&ed, "\x01\x03");
	EXPECT_EQ(t, got_long, 0UL);
	EXPECT_EQ(t, got_bad, 0UL);
}

static void test_suggestions(struct ktest *t)
{
	EXPECT_STREQ(t, monitor_suggest("cpsu"), "cpus");
	EXPECT_STREQ(t, monitor_suggest("tracee"), "trace");
	EXPECT_STREQ(t, monitor_suggest("slep"), "sleep");
	EXPECT_TRUE(t, monitor_suggest("xyzzyq") == NULL);
}

KTEST_SUITE(trace,
	KTEST_CASE(test_sleep_is_traced),
	KTEST_CASE(test_off_records_nothing),
	KTEST_CASE(test_ipi_send_and_receive),
	KTEST_CASE(test_syscall_is_traced),
	KTEST_CASE(test_bottom_halves_are_traced),
	KTEST_CASE(test_ring_keeps_the_newest),
	KTEST_CASE(test_editor_edits),
	KTEST_CASE(test_editor_history),
	KTEST_CASE(test_editor_completes),
	KTEST_CASE(test_editor_bad_input),
	KTEST_CASE(test_suggestions));

#define TRACE_BENCH_LOOPS 100000

static u64 trace_loop(bool with_tracepoint)
{
	u64 start = rdtsc();

	for (u32 i = 0; i < TRACE_BENCH_LOOPS; i++) {
		if (with_tracepoint)
			trace(TRACE_MARK, i, 0, 0);
		asm volatile("" ::: "memory");
	}
	return rdtsc() - start;
}

static void bench_trace_costs(struct ktest *t)
{
	trace_stop();
	u64 empty = trace_loop(false), off = trace_loop(true);

	if (!start_or_skip(t))
		return;
	u64 on = trace_loop(true);
	trace_stop();
	printk("# bench trace_event: %lu instructions/op\n",
	       (unsigned long)((on - empty) / TRACE_BENCH_LOOPS));
	printk("# bench trace_disabled: %lu instructions/op\n",
	       (unsigned long)((off - empty) / TRACE_BENCH_LOOPS));
	EXPECT_GT(t, on, off);
	trace_free();
}

KTEST_SUITE(bench_trace, KTEST_CASE(bench_trace_costs));

static void scene_export(const char *name)
{
	trace_stop();
	printk("# timeline %s\n", name);
	trace_export();
}

static void scene_irq(void)
{
	u8 mcr = inb(COM1 + UART_MCR);

	trace_start();
	outb(COM1 + UART_MCR, mcr | MCR_LOOP);
	outb(COM1 + UART_DATA, '\r');
	udelay(500);
	outb(COM1 + UART_MCR, mcr);
	scene_export("irq");
}

static void scene_call_fn(void *info)
{
	(void)info;
	trace(TRACE_MARK, 1, 0, "scene_call_fn");
}

static void scene_ipi(void)
{
	trace_start();
	smp_call_function_single(1, scene_call_fn, NULL, true);
	udelay(20);
	scene_export("ipi");
}

static volatile bool scene_timer_ran;

static void scene_timer_fn(struct timer_list *t)
{
	(void)t;
	scene_timer_ran = true;
}

static void scene_timer(void)
{
	struct timer_list t;

	timer_setup(&t, scene_timer_fn, 0);
	scene_timer_ran = false;
	trace_start();
	mod_timer(&t, jiffies + 1);
	while (!scene_timer_ran)
		pause();
	udelay(20);
	scene_export("timer");
	del_timer_sync(&t);
}

static int scene_sleeper(void *data)
{
	wait_for_completion(data);
	return 0;
}

static void scene_wakeup(void)
{
	struct completion c;

	init_completion(&c);
	struct task *k = kthread_create(scene_sleeper, &c, "sleeper");
	if (!k)
		return;
	kthread_bind(k, 1);
	wake_up_new_task(k);
	msleep(20);
	trace_start();
	trace(TRACE_MARK, 2, 0, "complete()");
	complete(&c);
	msleep(1);
	scene_export("wakeup");
	wait_task(k);
	kthread_stop(k);
}

static void bench_timeline_scenes(struct ktest *t)
{
	if (nr_cpus_online < 2 || !lapic_present || !cpu_online(1))
		KTEST_SKIP(t, "the scenes need CPU 1 and a local APIC");
	scene_irq();
	scene_ipi();
	scene_timer();
	scene_wakeup();
}

KTEST_SUITE(bench_timelines, KTEST_CASE(bench_timeline_scenes));
