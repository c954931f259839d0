/* Tangled from chapters/90-harness.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "kernel.h"
#include "ktest-exit.h"

struct ktest {
	const char *name;
	int failures;
	const char *skip;               /* non-NULL: skipped, and why */
};

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const char *file;               /* the chapter, for ordering */
	const struct ktest_case *cases;
	size_t nr_cases;
};

#define KTEST_CASE(fn) { #fn, fn }

#define KTEST_SUITE(sname, ...)						\
	static const struct ktest_case sname##_cases__[] = { __VA_ARGS__ }; \
	static const struct ktest_suite sname##_suite__ = {		\
		#sname, __FILE__, sname##_cases__, ARRAY_SIZE(sname##_cases__) \
	};								\
	static const struct ktest_suite *const sname##_ptr__		\
	__attribute__((used, section(".ktest_suites"))) = &sname##_suite__

extern const struct ktest_suite *const __ktest_suites_start[];
extern const struct ktest_suite *const __ktest_suites_end[];

void ktest_fail(struct ktest *t, const char *file, int line, const char *what,
		const char *a, u64 av, const char *b, u64 bv);

#define KTEST_CMP(t, a, op, b, as, bs, name, on_fail) do {		\
	__typeof__(a) a__ = (a);					\
	__typeof__(b) b__ = (b);					\
	_Pragma("clang diagnostic push")				\
	_Pragma("clang diagnostic ignored \"-Wsign-compare\"")		\
	if (!(a__ op b__)) {						\
		ktest_fail(t, __FILE__, __LINE__, name, as,		\
			   (u64)(uintptr_t)a__, bs, (u64)(uintptr_t)b__); \
		on_fail;						\
	}								\
	_Pragma("clang diagnostic pop")					\
} while (0)

#define EXPECT_EQ(t, a, b) \
	KTEST_CMP(t, a, ==, b, #a, #b, "EXPECT_EQ", (void)0)
#define EXPECT_NE(t, a, b) \
	KTEST_CMP(t, a, !=, b, #a, #b, "EXPECT_NE", (void)0)
#define EXPECT_LT(t, a, b) \
	KTEST_CMP(t, a, <, b, #a, #b, "EXPECT_LT", (void)0)
#define EXPECT_LE(t, a, b) \
	KTEST_CMP(t, a, <=, b, #a, #b, "EXPECT_LE", (void)0)
#define EXPECT_GT(t, a, b) \
	KTEST_CMP(t, a, >, b, #a, #b, "EXPECT_GT", (void)0)
#define EXPECT_GE(t, a, b) \
	KTEST_CMP(t, a, >=, b, #a, #b, "EXPECT_GE", (void)0)
#define EXPECT_TRUE(t, x) \
	KTEST_CMP(t, !!(x), ==, 1, #x, "true", "EXPECT_TRUE", (void)0)
#define EXPECT_FALSE(t, x) \
	KTEST_CMP(t, !!(x), ==, 0, #x, "false", "EXPECT_FALSE", (void)0)
#define ASSERT_EQ(t, a, b) \
	KTEST_CMP(t, a, ==, b, #a, #b, "ASSERT_EQ", return)
#define ASSERT_NE(t, a, b) \
	KTEST_CMP(t, a, !=, b, #a, #b, "ASSERT_NE", return)
#define ASSERT_GT(t, a, b) \
	KTEST_CMP(t, a, >, b, #a, #b, "ASSERT_GT", return)
#define ASSERT_TRUE(t, x) \
	KTEST_CMP(t, !!(x), ==, 1, #x, "true", "ASSERT_TRUE", return)

void ktest_fail_str(struct ktest *t, const char *file, int line,
		    const char *a, const char *as, const char *b, const char *bs);

#define EXPECT_STREQ(t, a, b) do {					\
	const char *a__ = (a), *b__ = (b);				\
	if (!a__ || !b__ || strcmp(a__, b__) != 0)			\
		ktest_fail_str(t, __FILE__, __LINE__, #a, a__, #b, b__); \
} while (0)

#define KTEST_SKIP(t, reason) do { (t)->skip = (reason); return; } while (0)

void ktest_main(const char *filter);
void ktest_log(struct ktest *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct ktest_crash {
	const char *name;               /* ktest=NAME runs it */
	void (*crash)(void);            /* must not return */
	const char *const *expect;      /* lines the log must show; NULL ends */
};

#define KTEST_CRASH(cname, fn, ...)					\
	static const char *const cname##_expect__[] = { __VA_ARGS__, NULL }; \
	static const struct ktest_crash cname##_crash__ = {		\
		#cname, fn, cname##_expect__				\
	};								\
	static const struct ktest_crash *const cname##_crash_ptr__	\
	__attribute__((used, section(".ktest_crashes"))) = &cname##_crash__

extern const struct ktest_crash *const __ktest_crashes_start[];
extern const struct ktest_crash *const __ktest_crashes_end[];

void ktest_exit(u8 code) __attribute__((noreturn));
void ktest_panic(void);

int ktest_run(const char *filter);
void ktest_list(bool bench);
