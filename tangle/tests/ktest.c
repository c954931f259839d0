/* Tangled from chapters/90-harness.nw by 'make tangle'. Edit the chapter, not this file. */
#include "ktest.h"
#include "mm.h"
#include "traps.h"
#include "probe.h"

void ktest_fail(struct ktest *t, const char *file, int line, const char *what,
		const char *a, u64 av, const char *b, u64 bv)
{
	t->failures++;
	printk("    # %s: %s(%s, %s) failed at %s:%d\n", t->name, what, a, b,
	       file, line);
	printk("    #   %s = %ld (%#lx), %s = %ld (%#lx)\n", a, (long)av, av,
	       b, (long)bv, bv);
}

void ktest_fail_str(struct ktest *t, const char *file, int line,
		    const char *a, const char *as, const char *b, const char *bs)
{
	t->failures++;
	printk("    # %s: EXPECT_STREQ(%s, %s) failed at %s:%d\n", t->name,
	       a, b, file, line);
	printk("    #   \"%s\" vs \"%s\"\n", as, bs);
}

void ktest_log(struct ktest *t, const char *fmt, ...)
{
	va_list ap;

	printk("    # %s: ", t->name);
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
}

void ktest_exit(u8 code)
{
	outb(KTEST_EXIT_PORT, code);
	printk("ktest: no isa-debug-exit device at %#x; halting\n",
	       KTEST_EXIT_PORT);
	cli();
	for (;;)
		hlt();
}

#define KTEST_MAX_SUITES 64

static bool selected(const char *filter, const char *name)
{
	size_t n = strlen(name);

	if (!*filter || strcmp(filter, "all") == 0)
		return strncmp(name, "bench", 5) != 0;
	for (const char *p = filter; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	}
	return false;
}

static bool suite_named(const char *word, size_t len)
{
	for (const struct ktest_suite *const *s = __ktest_suites_start;
	     s < __ktest_suites_end; s++)
		if (strlen((*s)->name) == len && strncmp((*s)->name, word, len) == 0)
			return true;
	return false;
}

static bool suite_before(const struct ktest_suite *a, const struct ktest_suite *b)
{
	int c = strcmp(a->file, b->file);

	return c < 0 || (c == 0 && strcmp(a->name, b->name) < 0);
}

static int collect_suites(const char *filter, const struct ktest_suite **out)
{
	int n = 0;

	for (const struct ktest_suite *const *s = __ktest_suites_start;
	     s < __ktest_suites_end && n < KTEST_MAX_SUITES; s++) {
		if (!selected(filter, (*s)->name))
			continue;
		int i = n++;
		while (i > 0 && suite_before(*s, out[i - 1])) {
			out[i] = out[i - 1];    /* insertion sort */
			i--;
		}
		out[i] = *s;
	}
	return n;
}

static __attribute__((noinline)) int run_suite(int index,
						const struct ktest_suite *s)
{
	int failed = 0, skipped = 0;

	printk("    KTAP version 1\n    # Subtest: %s\n    1..%zu\n",
	       s->name, s->nr_cases);
	for (size_t i = 0; i < s->nr_cases; i++) {
		const char *name = s->cases[i].name;
		if (strncmp(name, "test_", 5) == 0)
			name += 5;
		struct ktest t = { .name = name };
		s->cases[i].run(&t);
		if (t.failures) {
			failed++;
			printk("    not ok %zu %s\n", i + 1, name);
		} else if (t.skip) {
			skipped++;
			printk("    ok %zu %s # SKIP %s\n", i + 1, name, t.skip);
		} else {
			printk("    ok %zu %s\n", i + 1, name);
		}
	}
	if (skipped == (int)s->nr_cases && s->nr_cases)
		printk("ok %d %s # SKIP all cases skipped\n", index, s->name);
	else
		printk("%s %d %s\n", failed ? "not ok" : "ok", index, s->name);
	return failed;
}

void ktest_main(const char *filter)
{
	static const struct ktest_suite *suites[KTEST_MAX_SUITES];
	int failed = 0;

	exception_hook = probe_catch;           /* tests raise exceptions */
	for (const struct ktest_crash *const *c = __ktest_crashes_start;
	     c < __ktest_crashes_end; c++) {
		if (strcmp(filter, (*c)->name) != 0)
			continue;
		printk("KTAP version 1\n1..1\n# crash test %s\n", (*c)->name);
		for (const char *const *e = (*c)->expect; *e; e++)
			printk("# expect: %s\n", *e);
		(*c)->crash();
		printk("not ok 1 %s # it returned\n", (*c)->name);
		ktest_exit(KTEST_EXIT_FAIL);
	}
	for (const char *w = filter; *filter && strcmp(filter, "all") != 0 && w;) {
		const char *comma = strchr(w, ',');
		size_t len = comma ? (size_t)(comma - w) : strlen(w);
		if (!suite_named(w, len)) {
			printk("ktest: no suite named '%.*s'; the suites are:", (int)len, w);
			for (const struct ktest_suite *const *s = __ktest_suites_start;
			     s < __ktest_suites_end; s++)
				printk(" %s", (*s)->name);
			printk("\n");
			ktest_exit(KTEST_EXIT_FAIL);
		}
		w = w[len] ? w + len + 1 : NULL;
	}
	int n = collect_suites(filter, suites);
	printk("KTAP version 1\n1..%d\n", n);
	for (int i = 0; i < n; i++)
		if (run_suite(i + 1, suites[i]))
			failed++;
	printk("# ktest: %d of %d suites failed; peak memory use %lu KiB\n",
	       failed, n, frames_peak_use() * PAGE_SIZE / 1024);
	ktest_exit(failed ? KTEST_EXIT_FAIL : KTEST_EXIT_PASS);
}

int ktest_run(const char *filter)
{
	static const struct ktest_suite *suites[KTEST_MAX_SUITES];
	int failed = 0, n = collect_suites(filter, suites);

	if (n == 0)
		return -1;
	exception_hook = probe_catch;
	printk("KTAP version 1\n1..%d\n", n);
	for (int i = 0; i < n; i++)
		if (run_suite(i + 1, suites[i]))
			failed++;
	printk("# ktest: %d of %d suites failed\n", failed, n);
	return failed;
}

void ktest_list(bool bench)
{
	for (const struct ktest_suite *const *s = __ktest_suites_start;
	     s < __ktest_suites_end; s++)
		if ((strncmp((*s)->name, "bench", 5) == 0) == bench)
			printk("  %s\n", (*s)->name);
}

void ktest_panic(void)
{
	if (!boot_info.cmdline[0] || cmdline_get("ktest") || cmdline_get("ktest.monitor"))
		ktest_exit(KTEST_EXIT_PANIC);
}
