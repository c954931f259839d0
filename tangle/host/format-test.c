/* Tangled from chapters/90-harness.nw by 'make tangle'. Edit the chapter, not this file. */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "format.h"

static int tests, failures;

static void ok(int good, const char *name)
{
	printf("%s %d %s\n", good ? "ok" : "not ok", ++tests, name);
	failures += !good;
}

static int mismatches;

static int check(const char *fmt, ...)
{
	char mine[512], ref[512];
	va_list a, b;

	va_start(a, fmt);
	va_copy(b, a);
	int n1 = kvsnprintf(mine, sizeof(mine), fmt, a);
	int n2 = vsprintf(ref, fmt, b);
	va_end(a);
	va_end(b);
	if (n1 == n2 && strcmp(mine, ref) == 0)
		return 1;
	if (mismatches++ < 10)
		printf("# format \"%s\": kernel \"%s\" (%d), libc \"%s\" (%d)\n",
		       fmt, mine, n1, ref, n2);
	return 0;
}

static const long long values[] = {
	0, 1, -1, 7, 42, -42, 127, 128, 255, 256, -128, 65535, -32768,
	INT_MAX, INT_MIN, UINT_MAX, LLONG_MAX, LLONG_MIN, 0x123456789abcLL,
};

static int check_int(const char *fmt, char len, long long v)
{
	switch (len) {
	case 'H': return check(fmt, (int)(signed char)v);
	case 'h': return check(fmt, (int)(short)v);
	case 'l': case 'z': case 't': return check(fmt, (long)v);
	case 'L': case 'j': return check(fmt, v);
	default:  return check(fmt, (int)v);
	}
}

static void test_integers(void)
{
	static const char *lens[] = { "", "hh", "h", "l", "ll", "z", "j", "t" };
	static const char lcode[] = { 0, 'H', 'h', 'l', 'L', 'z', 'j', 't' };
	static const char *widths[] = { "", "1", "6", "22" };
	static const char *precs[] = { "", ".0", ".1", ".5", ".25" };
	const char *convs = "diuxXo";
	int good = 1, n = 0;

	for (int flags = 0; flags < 32; flags++)
	for (size_t w = 0; w < 4; w++)
	for (size_t p = 0; p < 5; p++)
	for (size_t l = 0; l < 8; l++)
	for (const char *c = convs; *c; c++) {
		char fmt[32], *f = fmt;
		*f++ = '%';
		for (int b = 0; b < 5; b++)
			if (flags & (1 << b))
				*f++ = "-+ 0#"[b];
		f += sprintf(f, "%s%s%s%c", widths[w], precs[p], lens[l], *c);
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++, n++)
			good &= check_int(fmt, lcode[l], values[v]);
	}
	printf("# %d integer conversions compared\n", n);
	ok(good, "integers");
}

static void test_strings_and_stars(void)
{
	int good = 1;

	good &= check("%s|%10s|%-10s|%.2s|%10.3s", "abc", "abc", "abc", "abc", "abcdef");
	good &= check("%c|%5c|%-5c|%%", 'x', 'y', 'z');
	good &= check("%*d|%-*d|%*d|%.*d|%.*d", 6, 42, 6, 42, -6, 42, 4, 7, -1, 7);
	good &= check("a%sb%dc%ud", "", 0, 0u);
	good &= check("no conversions at all");
	ok(good, "strings_and_stars");

	char mine[64], ref[64];
	void *p = (void *)0xffffffff80100000UL;
	ksnprintf(mine, sizeof(mine), "%p %p", p, (void *)0);
	sprintf(ref, "%#018lx 0x%016lx", (unsigned long)p, 0UL);  /* libc's */
	ok(strcmp(mine, ref) == 0, "pointers");
}

static void test_truncation(void)
{
	char b[8];
	int good = 1;

	memset(b, 'x', sizeof(b));
	good &= ksnprintf(b, 0, "%d", 12345) == 5 && b[0] == 'x';
	good &= ksnprintf(b, 1, "%d", 12345) == 5 && b[0] == '\0';
	good &= ksnprintf(b, 4, "%d", 12345) == 5 && strcmp(b, "123") == 0;
	good &= ksnprintf(b, 6, "%d", 12345) == 5 && strcmp(b, "12345") == 0;
	good &= ksnprintf(b, 8, "%s", (const char *)NULL) == 6 && strcmp(b, "(null)") == 0;
	ok(good, "truncation");
}

int main(void)
{
	printf("KTAP version 1\n1..4\n");
	test_integers();
	test_strings_and_stars();
	test_truncation();
	return failures != 0;
}
