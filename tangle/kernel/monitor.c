/* Tangled from chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "monitor.h"
#include "trace.h"
#include "sched.h"
#include "smp.h"
#include "irq.h"
#include "softirq.h"
#include "timer.h"
#include "time.h"
#include "clocks.h"
#include "mm.h"
#include "apic.h"
#include "ktest.h"
#include "ktest-exit.h"
#include "wait.h"

static void erase_chars(struct line_editor *ed, unsigned n)
{
	while (n--) {
		if (ed->too_long) {             /* characters never shown go first */
			ed->too_long--;
			continue;
		}
		if (!ed->len)
			return;
		ed->len--;
		ed->echo("\b \b");
	}
}

static void show_line(struct line_editor *ed, const char *text)
{
	ed->too_long = ed->unprintable = 0;
	erase_chars(ed, ed->len);
	strlcpy(ed->line, text, sizeof(ed->line));
	ed->len = strlen(ed->line);
	ed->echo(ed->line);
}

static void history_add(struct line_editor *ed, const char *line)
{
	if (!*line || (ed->nr_history &&
		       strcmp(ed->history[ed->nr_history - 1], line) == 0))
		return;
	if (ed->nr_history == MONITOR_HISTORY) {
		memmove(ed->history[0], ed->history[1],
			sizeof(ed->history[0]) * (MONITOR_HISTORY - 1));
		ed->nr_history--;
	}
	strlcpy(ed->history[ed->nr_history++], line, MONITOR_LINE);
}

static void history_step(struct line_editor *ed, char key)
{
	if (key == 'A' && ed->shown > 0)
		show_line(ed, ed->history[--ed->shown]);
	else if (key == 'B' && ed->shown < ed->nr_history)
		show_line(ed, ++ed->shown == ed->nr_history ? "" : ed->history[ed->shown]);
}

static void complete_word(struct line_editor *ed)
{
	const char *first = NULL;
	size_t common = 0;
	int n = 0;

	bool in_arguments = false;

	for (unsigned i = 0; i < ed->len; i++)
		in_arguments |= ed->line[i] == ' ';
	if (in_arguments || !ed->words) {
		ed->echo("\a");
		return;
	}
	for (const char *const *w = ed->words; *w; w++) {
		if (strncmp(*w, ed->line, ed->len) != 0)
			continue;
		if (!n++) {
			first = *w;
			common = strlen(*w);
		}
		while (common > ed->len && strncmp(*w, first, common) != 0)
			common--;
	}
	if (!n) {
		ed->echo("\a");
		return;
	}
	if (common > ed->len || n == 1) {
		char add[MONITOR_LINE];
		size_t k = 0;
		for (size_t i = ed->len; i < common && ed->len + k + 2 < MONITOR_LINE; i++)
			add[k++] = first[i];
		if (n == 1)
			add[k++] = ' ';
		add[k] = '\0';
		memcpy(ed->line + ed->len, add, k);
		ed->len += k;
		ed->echo(add);
		return;
	}
	ed->echo("\r\n");
	for (const char *const *w = ed->words; *w; w++)
		if (strncmp(*w, ed->line, ed->len) == 0) {
			ed->echo(*w);
			ed->echo("  ");
		}
	ed->echo("\r\n");
	ed->echo(ed->prompt);
	ed->line[ed->len] = '\0';
	ed->echo(ed->line);
}

static void end_line(struct line_editor *ed, bool abandon)
{
	ed->line[ed->len] = '\0';
	ed->echo(abandon ? "^C\r\n" : "\r\n");
	if (!abandon && !ed->too_long)
		history_add(ed, ed->line);
	ed->done(abandon ? "" : ed->line, abandon ? 0 : ed->too_long,
		 abandon ? 0 : ed->unprintable);
	ed->len = 0;
	ed->too_long = ed->unprintable = 0;
	ed->shown = ed->nr_history;
}

void editor_feed(struct line_editor *ed, char c)
{
	u8 b = c;
	bool after_cr = ed->after_cr;

	ed->after_cr = false;
	if (ed->esc == 1) {                     /* after ESC */
		ed->esc = b == '[' ? 2 : b == 'O' ? 3 : 0;
		if (ed->esc || b >= 0x20)
			return;                 /* a control byte still counts */
	} else if (ed->esc == 2) {              /* CSI: parameters, a final byte */
		if (b >= 0x40 && b <= 0x7e) {
			ed->esc = 0;
			history_step(ed, b);
		}
		return;
	} else if (ed->esc == 3) {              /* SS3: one final byte */
		ed->esc = 0;
		history_step(ed, b);
		return;
	}
	switch (b) {
	case '\r':
		ed->after_cr = true;
		end_line(ed, false);
		break;
	case '\n':
		if (!after_cr)
			end_line(ed, false);
		break;
	case 0x7f: case '\b':
		erase_chars(ed, 1);
		break;
	case 0x15:                              /* Ctrl-U */
		ed->too_long = ed->unprintable = 0;
		erase_chars(ed, ed->len);
		break;
	case 0x03:                              /* Ctrl-C */
		end_line(ed, true);
		break;
	case '\t':
		complete_word(ed);
		break;
	case 0x1b:
		ed->esc = 1;
		break;
	default:
		if (b < 0x20 || b > 0x7e) {
			ed->unprintable++;
		} else if (ed->len < MONITOR_LINE - 1) {
			char s[2] = { c, '\0' };
			ed->line[ed->len++] = c;
			ed->echo(s);
		} else {
			ed->too_long++;
		}
	}
}

#define MONITOR_QUEUE 4

struct queued_line {
	char text[MONITOR_LINE];
	unsigned long too_long, unprintable;
};

static struct queued_line queue[MONITOR_QUEUE];
static unsigned queue_head, queue_count;
static unsigned long lines_dropped;
static spinlock_t queue_lock = SPINLOCK_INIT;
static DEFINE_WAIT_QUEUE_HEAD(monitor_wait);
bool monitor_listening;

static void queue_line(const char *line, unsigned long too_long, unsigned long unprintable)
{
	u64 f = spin_lock_irqsave(&queue_lock);

	if (queue_count == MONITOR_QUEUE) {
		lines_dropped++;
	} else {
		struct queued_line *q = &queue[(queue_head + queue_count++) % MONITOR_QUEUE];
		strlcpy(q->text, line, sizeof(q->text));
		q->too_long = too_long;
		q->unprintable = unprintable;
	}
	spin_unlock_irqrestore(&queue_lock, f);
	wake_up(&monitor_wait);
}

static void echo_console(const char *s)
{
	printk("%s", s);
}

static struct line_editor editor = {
	.prompt = "monitor> ",
	.echo = echo_console, .done = queue_line,
};

void monitor_take_byte(char c)
{
	editor_feed(&editor, c);
}

static void run_line(char *line);
static void monitor_commands_init(void);

static void report_losses(void)
{
	static unsigned long dropped_said, overruns_said;
	unsigned long dropped = READ_ONCE(lines_dropped);
	unsigned long overruns = READ_ONCE(rx_ring_overruns);

	if (dropped != dropped_said)
		printk("monitor: %lu lines dropped: they came while the queue of %u was full\n",
		       dropped - dropped_said, MONITOR_QUEUE);
	if (overruns != overruns_said)
		printk("monitor: %lu bytes lost: the receive ring was full\n",
		       overruns - overruns_said);
	dropped_said = dropped;
	overruns_said = overruns;
}

void monitor_main(void)
{
	monitor_commands_init();
	printk("monitor: type 'help' for the commands; Tab completes, arrows recall\n");
	WRITE_ONCE(monitor_listening, true);
	for (;;) {
		struct queued_line q;
		report_losses();
		printk("%s", editor.prompt);
		wait_event(monitor_wait, READ_ONCE(queue_count) != 0);
		u64 f = spin_lock_irqsave(&queue_lock);
		q = queue[queue_head];
		queue_head = (queue_head + 1) % MONITOR_QUEUE;
		queue_count--;
		spin_unlock_irqrestore(&queue_lock, f);
		if (q.unprintable)
			printk("monitor: ignored %lu unprintable byte%s\n", q.unprintable,
			       q.unprintable == 1 ? "" : "s");
		if (q.too_long)
			printk("monitor: line too long (%lu characters past %u): ignored\n",
			       q.too_long, MONITOR_LINE - 1);
		else
			run_line(q.text);
	}
}

struct command {
	const char *name, *usage, *help;
	void (*run)(int argc, char **argv);
	int min_args, max_args;         /* after the name */
};

static const struct command *command_table(unsigned *n);

#define MAX_WORDS 8

static int split_words(char *line, char **argv)
{
	int argc = 0;

	for (char *p = line; *p;) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		if (argc == MAX_WORDS)
			return MAX_WORDS + 1;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	return argc;
}

static unsigned edit_distance(const char *a, const char *b)
{
	unsigned row[MONITOR_LINE], n = strlen(b);

	if (strlen(a) >= MONITOR_LINE || n >= MONITOR_LINE)
		return ~0U;
	for (unsigned j = 0; j <= n; j++)
		row[j] = j;
	for (unsigned i = 1; a[i - 1]; i++) {
		unsigned diag = row[0];
		row[0] = i;
		for (unsigned j = 1; j <= n; j++) {
			unsigned up = row[j];
			row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1),
				     diag + (a[i - 1] != b[j - 1]));
			diag = up;
		}
	}
	return row[n];
}

const char *monitor_suggest(const char *word)
{
	unsigned n, best = 3;
	const struct command *table = command_table(&n);
	const char *near = NULL;

	for (unsigned i = 0; i < n; i++) {
		unsigned d = edit_distance(word, table[i].name);
		if (d < best)
			best = d, near = table[i].name;
	}
	return near;
}

static void run_line(char *line)
{
	char *argv[MAX_WORDS + 1];
	int argc = split_words(line, argv);
	unsigned n;
	const struct command *table = command_table(&n);

	if (argc == 0)
		return;
	for (unsigned i = 0; i < n; i++) {
		const struct command *c = &table[i];
		if (strcmp(argv[0], c->name) != 0)
			continue;
		if (argc - 1 < c->min_args || argc - 1 > c->max_args)
			printk("usage: %s %s\n", c->name, c->usage);
		else
			c->run(argc, argv);
		return;
	}
	const char *near = monitor_suggest(argv[0]);
	printk("monitor: no command '%s'", argv[0]);
	if (near)
		printk("; did you mean '%s'?", near);
	printk(" ('help' lists them)\n");
}

static bool parse_number(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9' || __builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (unsigned long)(*s - '0'), &v) || v > max)
			return false;
	*out = v;
	return true;
}

static bool parse_cpu(const char *s, const char *usage, unsigned *cpu)
{
	unsigned long v;

	if (!parse_number(s, NR_CPUS - 1, &v)) {
		printk("usage: %s\n", usage);
		return false;
	}
	if (v >= nr_cpu_ids || !cpu_online(v)) {
		printk("monitor: CPU %lu is not online (online: %u of them, 0 to %u)\n",
		       v, nr_cpus_online, nr_cpu_ids - 1);
		return false;
	}
	*cpu = v;
	return true;
}

struct cpu_snapshot {
	char name[16];
	int pid;
	unsigned count;
};

static void snapshot_cpu(void *info)
{
	struct cpu_snapshot *s = info;
	struct task *t = current;

	strlcpy(s->name, t->comm, sizeof(s->name));
	s->pid = t->pid;
	s->count = preempt_count() - (in_irq() ? HARDIRQ_OFFSET : 0);
}

static void cmd_cpus(int argc, char **argv)
{
	unsigned me = smp_processor_id();       /* init is bound to its CPU */
	int err;

	(void)argc, (void)argv;
	printk("CPU APIC  current task           preempt_count\n");
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct cpu_snapshot s = { "?", -1, 0 };
		if (!cpu_online(cpu))
			continue;
		if (cpu == me)
			snapshot_cpu(&s);
		else if ((err = smp_call_function_single(cpu, snapshot_cpu, &s, true)))
			snprintf(s.name, sizeof(s.name), "(error %d)", err);
		char who[24];
		snprintf(who, sizeof(who), "%s[%d]", s.name, s.pid);
		printk("%3u %4u  %-22s 0x%08x%s\n", cpu, cpu_apic_id[cpu], who, s.count,
		       cpu == me ? "  (the monitor's CPU)" : "");
	}
}

static void cmd_irqs(int argc, char **argv)
{
	(void)argc, (void)argv;
	show_interrupts();
}

static void cmd_softirqs(int argc, char **argv)
{
	(void)argc, (void)argv;
	show_softirqs();
}

static void cmd_tasks(int argc, char **argv)
{
	(void)argc, (void)argv;
	show_tasks();
}

static void cmd_timers(int argc, char **argv)
{
	(void)argc, (void)argv;
	show_timers();
}

static void show_calibration(const char *what, const struct calibration *c)
{
	if (!c->hz)
		return;
	printk("%s: %lu.%06lu MHz against the %s over %lu ms, +-%lu.%03lu ppm\n", what,
	       (unsigned long)(c->hz / 1000000), (unsigned long)(c->hz % 1000000),
	       c->against, (unsigned long)(c->window_ns / NSEC_PER_MSEC),
	       (unsigned long)(c->error_ppb / 1000), (unsigned long)(c->error_ppb % 1000));
}

static void cmd_clocks(int argc, char **argv)
{
	(void)argc, (void)argv;
	printk("clock sources (* = timekeeping's):\n");
	show_clocksources();
	printk("clock-event devices:\n");
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct clock_event_device *d = cpu_online(cpu) ? per_cpu(tick_device, cpu) : NULL;
		if (d)
			printk("  CPU %u: %-10s %lu interrupts; %lu ticks, %lu idle stops\n", cpu,
			       d->name, d->events, per_cpu(tick_cpu_sched, cpu).ticks,
			       per_cpu(tick_cpu_sched, cpu).stops);
	}
	show_calibration("tsc (fast)", &tsc_fast);
	show_calibration("tsc (refined)", &tsc_refined);
	show_calibration("apic-timer", &lapic_cal);
	printk("tsc: %s; TSC-deadline timer %s; HPET %s\n",
	       tsc_invariant ? "invariant" : "not invariant",
	       tsc_deadline_present ? "present" : "absent", hpet_present ? "present" : "absent");
}

static void cmd_mem(int argc, char **argv)
{
	(void)argc, (void)argv;
	printk("frames: %lu free (%lu KiB); at most %lu in use since boot\n",
	       (unsigned long)frames_free_count(),
	       (unsigned long)(frames_free_count() * PAGE_SIZE / 1024),
	       (unsigned long)frames_peak_use());
	show_kmalloc();
}

static void civil_from_days(s64 z, s64 *y, unsigned *m, unsigned *d)
{
	z += 719468;                                    /* days from 0000-03-01 */
	s64 era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = z - era * 146097;                /* day of the era */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;              /* March is 0 */

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static void cmd_uptime(int argc, char **argv)
{
	(void)argc, (void)argv;
	ktime_t t = ktime_get();
	u64 s = t / NSEC_PER_SEC;

	printk("up %lu:%02lu:%02lu.%06lu (%ld ns); jiffies %lu, %lu since boot\n",
	       (unsigned long)(s / 3600), (unsigned long)(s / 60 % 60), (unsigned long)(s % 60),
	       (unsigned long)(t % NSEC_PER_SEC / 1000), (long)t, jiffies,
	       jiffies - INITIAL_JIFFIES);
}

static void cmd_date(int argc, char **argv)
{
	(void)argc, (void)argv;
	ktime_t t = ktime_get_real();
	s64 secs = t / NSEC_PER_SEC, days = secs / 86400, y;
	unsigned sod = secs % 86400, m, d;

	if (boot_time_seconds < 0) {
		printk("date: no RTC was read at boot; the clock counts from 1970\n");
	}
	civil_from_days(days, &y, &m, &d);
	printk("%ld-%02u-%02u %02u:%02u:%02u.%06lu UTC\n", (long)y, m, d, sod / 3600,
	       sod / 60 % 60, sod % 60, (unsigned long)(t % NSEC_PER_SEC / 1000));
}

static void cmd_ipi(int argc, char **argv)
{
	unsigned cpu;

	(void)argc;
	if (!parse_cpu(argv[1], "ipi CPU", &cpu))
		return;
	if (!lapic_present) {
		printk("monitor: no local APIC: this machine cannot send IPIs\n");
		return;
	}
	unsigned long before = READ_ONCE(per_cpu(ipi_resched, cpu)), after = before;
	ktime_t t0 = ktime_get(), t;
	smp_send_reschedule(cpu);
	while ((after = READ_ONCE(per_cpu(ipi_resched, cpu))) == before &&
	       (t = ktime_get()) - t0 < NSEC_PER_SEC)
		pause();
	t = ktime_get();
	if (after == before)
		printk("CPU %u: RES still %lu after 1 s: the IPI was not taken\n", cpu, before);
	else
		printk("CPU %u: RES %lu -> %lu, seen %ld ns after the send\n", cpu, before,
		       after, (long)(t - t0));
}

struct where { unsigned cpu, count; bool irqs_off; u64 tsc; };

static void where_am_i(void *info)
{
	struct where *w = info;

	w->cpu = smp_processor_id();
	w->count = preempt_count();
	w->irqs_off = irqs_disabled();
	w->tsc = rdtsc();
}

static void cmd_call(int argc, char **argv)
{
	struct where w = { ~0U, 0, false, 0 };
	unsigned cpu;

	(void)argc;
	if (!parse_cpu(argv[1], "call CPU", &cpu))
		return;
	u64 t0 = rdtsc();
	int err = smp_call_function_single(cpu, where_am_i, &w, true);
	u64 t1 = rdtsc();
	if (err) {
		printk("monitor: the call failed: error %d\n", err);
		return;
	}
	printk("where_am_i ran on CPU %u (APIC id %u) in %s context, preempt_count %#x, "
	       "interrupts %s; %lu ns after the call, %lu ns round trip\n", w.cpu,
	       cpu_apic_id[w.cpu], w.count & HARDIRQ_MASK ? "interrupt" : "process", w.count,
	       w.irqs_off ? "off" : "on", (unsigned long)((w.tsc - t0) * 1000000 / tsc_khz),
	       (unsigned long)((t1 - t0) * 1000000 / tsc_khz));
}

static void cmd_sleep(int argc, char **argv)
{
	unsigned long ms;

	(void)argc;
	if (!parse_number(argv[1], 60000, &ms)) {
		printk("usage: sleep MS (0 to 60000)\n");
		return;
	}
	ktime_t t0 = ktime_get();
	msleep(ms);
	ktime_t d = ktime_get() - t0;
	printk("slept %ld.%03ld ms (asked for %lu)\n", (long)(d / NSEC_PER_MSEC),
	       (long)(d % NSEC_PER_MSEC / 1000), ms);
}

static void run_suites(const char *filter, bool bench)
{
	WRITE_ONCE(monitor_listening, false);
	int failed = ktest_run(filter);
	WRITE_ONCE(monitor_listening, true);
	if (failed < 0) {
		printk("monitor: no %s named '%s'; they are:\n", bench ? "benchmark" : "suite",
		       filter);
		ktest_list(bench);
	} else {
		printk("monitor: %d suite%s failed\n", failed, failed == 1 ? "" : "s");
	}
}

static void cmd_test(int argc, char **argv)
{
	run_suites(argc > 1 ? argv[1] : "all", false);
}

static void cmd_bench(int argc, char **argv)
{
	char name[48];

	if (argc == 1) {
		printk("benchmark suites (bench NAME runs one):\n");
		ktest_list(true);
		return;
	}
	snprintf(name, sizeof(name), "%s%s", strncmp(argv[1], "bench", 5) ? "bench_" : "",
		 argv[1]);
	run_suites(name, true);
}

static void cmd_trace(int argc, char **argv)
{
	unsigned long n = 0;

	if (strcmp(argv[1], "on") == 0 && argc == 2) {
		int missing = trace_start();
		printk("trace: on; %u events a CPU on %u CPUs", TRACE_ENTRIES,
		       nr_cpus_online - missing);
		if (missing)
			printk("; %d CPUs had no memory for a ring", missing);
		printk("\n");
	} else if (strcmp(argv[1], "off") == 0 && argc == 2) {
		trace_stop();
		for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
			n += trace_recorded(cpu);
		printk("trace: off; %lu events recorded\n", n);
	} else if (strcmp(argv[1], "dump") == 0 &&
		   (argc == 2 || parse_number(argv[2], ~0UL, &n))) {
		printk("trace: %lu events printed\n", trace_dump(n));
	} else if (strcmp(argv[1], "export") == 0 && argc == 2) {
		printk("trace: %lu events exported\n", trace_export());
	} else {
		printk("usage: trace on|off|dump [N]|export\n");
	}
}

static void crash_null(void)
{
	asm volatile("movq $1, (%0)" : : "r"(0UL) : "memory");
}

static void crash_gp(void)
{
	asm volatile("movq (%0), %%rax" : : "r"(0xdead000000000000UL) : "rax", "memory");
}

static void crash_ud(void)
{
	asm volatile("ud2");
}

static void crash_df(void)
{
	asm volatile("movq %0, %%rsp\n\tpushq $0" : : "r"(current->stack) : "memory");
}

static void crash_lockup(void)
{
	cli();
	for (;;)
		pause();
}

static const struct { const char *name; void (*fn)(void); } crashes[] = {
	{ "null", crash_null }, { "gp", crash_gp }, { "ud", crash_ud },
	{ "df", crash_df }, { "lockup", crash_lockup },
};

static void cmd_crash(int argc, char **argv)
{
	(void)argc;
	for (unsigned i = 0; i < ARRAY_SIZE(crashes); i++) {
		if (strcmp(argv[1], crashes[i].name) != 0)
			continue;
		if (crashes[i].fn == crash_lockup &&
		    (nr_cpus_online < 2 || !watchdog_get_thresh())) {
			printk("monitor: a lockup needs a second CPU and the watchdog to be "
			       "noticed; here the machine would just stop\n");
			return;
		}
		printk("monitor: crash %s on CPU %u, on purpose\n", argv[1], smp_processor_id());
		crashes[i].fn();
		printk("monitor: crash %s came back?\n", argv[1]);
		return;
	}
	printk("usage: crash null|gp|ud|df|lockup\n");
}

static void cmd_poweroff(int argc, char **argv)
{
	(void)argc, (void)argv;
	printk("monitor: powering off\n");
	ktest_exit(KTEST_EXIT_PASS);
}

static void cmd_help(int argc, char **argv)
{
	unsigned n;
	const struct command *table = command_table(&n);

	(void)argc, (void)argv;
	for (unsigned i = 0; i < n; i++) {
		char left[40];
		snprintf(left, sizeof(left), "%s %s", table[i].name, table[i].usage);
		printk("  %-28s %s\n", left, table[i].help);
	}
}

static const struct command commands[] = {
	{ "help", "", "this list", cmd_help, 0, 0 },
	{ "cpus", "", "online CPUs: APIC id, current task, preempt_count", cmd_cpus, 0, 0 },
	{ "irqs", "", "interrupt counts per CPU, IPIs included", cmd_irqs, 0, 0 },
	{ "softirqs", "", "softirq counts per CPU", cmd_softirqs, 0, 0 },
	{ "tasks", "", "every task: pid, name, state, CPU, priority", cmd_tasks, 0, 0 },
	{ "timers", "", "pending wheel timers and hrtimers per CPU", cmd_timers, 0, 0 },
	{ "clocks", "", "clock sources, clock events, calibration", cmd_clocks, 0, 0 },
	{ "mem", "", "free frames and kmalloc classes", cmd_mem, 0, 0 },
	{ "uptime", "", "time since boot, and jiffies", cmd_uptime, 0, 0 },
	{ "date", "", "the real-time clock, as a date", cmd_date, 0, 0 },
	{ "ipi", "CPU", "send a reschedule IPI, show the counter", cmd_ipi, 1, 1 },
	{ "call", "CPU", "run a function on CPU, say how it ran", cmd_call, 1, 1 },
	{ "sleep", "MS", "sleep MS milliseconds, say how long it took", cmd_sleep, 1, 1 },
	{ "test", "[SUITE]", "run KTAP suites (all, or one)", cmd_test, 0, 1 },
	{ "bench", "[NAME]", "list the benchmarks, or run one", cmd_bench, 0, 1 },
	{ "trace", "on|off|dump [N]|export", "the event tracer", cmd_trace, 1, 2 },
	{ "crash", "null|gp|ud|df|lockup", "crash the kernel on purpose", cmd_crash, 1, 1 },
	{ "poweroff", "", "leave QEMU", cmd_poweroff, 0, 0 },
};
static const char *command_names[ARRAY_SIZE(commands) + 1];

static const struct command *command_table(unsigned *n)
{
	*n = ARRAY_SIZE(commands);
	return commands;
}

static void monitor_commands_init(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(commands); i++)
		command_names[i] = commands[i].name;
	editor.words = command_names;
}
