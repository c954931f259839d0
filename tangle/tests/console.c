/* Tangled from chapters/02-console.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "format.h"
#include "uart.h"
#include "ktest.h"

static void test_uart_present(struct ktest *t)
{
	int spins = 0;

	EXPECT_TRUE(t, console_present());
	EXPECT_NE(t, inb(COM1 + UART_LSR), 0xff);       /* a missing chip reads 0xff */
	while (!(inb(COM1 + UART_LSR) & LSR_TEMT) && spins < 1000000)
		spins++;
	EXPECT_LT(t, spins, 1000000);
}

static void test_snprintf(struct ktest *t)
{
	char b[64];

	snprintf(b, sizeof(b), "%d %5u|%-5x|%05X %s", -42, 7u, 0xabu, 0xbeefu, "ok");
	EXPECT_STREQ(t, b, "-42     7|ab   |0BEEF ok");
	snprintf(b, sizeof(b), "%p", (void *)0xffffffff80100000UL);
	EXPECT_STREQ(t, b, "0xffffffff80100000");
	snprintf(b, sizeof(b), "%lld %llu", -9223372036854775807LL - 1,
		 18446744073709551615ULL);
	EXPECT_STREQ(t, b, "-9223372036854775808 18446744073709551615");
	EXPECT_EQ(t, snprintf(b, 4, "%s", "abcdef"), 6);
	EXPECT_STREQ(t, b, "abc");
}

static void deliberate_panic(void)
{
	panic("ktest: deliberate panic (ktest=panic)");
}

KTEST_CRASH(panic, deliberate_panic,
	"Kernel panic - not syncing: ktest: deliberate panic");

static void test_string(struct ktest *t)
{
	char b[16] = "abcdefgh";

	memmove(b + 2, b, 6);
	EXPECT_STREQ(t, b, "ababcdef");
	memmove(b, b + 2, 6);
	EXPECT_EQ(t, memcmp(b, "abcdefef", 8), 0);
	EXPECT_EQ(t, strlen("kernel"), 6);
	EXPECT_LT(t, strcmp("a", "b"), 0);
	EXPECT_EQ(t, strncmp("abcx", "abcy", 3), 0);
	EXPECT_EQ(t, strlcpy(b, "truncated", 5), 9);
	EXPECT_STREQ(t, b, "trun");
	EXPECT_EQ(t, strchr("hello", 'l') - "hello", 2);
}

KTEST_SUITE(console,
	KTEST_CASE(test_uart_present),
	KTEST_CASE(test_snprintf),
	KTEST_CASE(test_string));
