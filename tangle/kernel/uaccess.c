/* Tangled from chapters/15-page-faults.nw by 'make tangle'. Edit the chapter, not this file. */
#include "uaccess.h"

static __attribute__((noinline))
unsigned long copy_user(void *to, const void *from, unsigned long n)
{
	asm volatile(ASM_STAC
		     "1: rep movsb\n\t"
		     "2:\n\t"
		     ASM_CLAC
		     ".pushsection .fixup, \"ax\"\n"
		     "3:\tjmp 2b\n\t"
		     ".popsection\n\t"
		     _ASM_EXTABLE(1b, 3b)
		     : "+c"(n), "+D"(to), "+S"(from) :: "memory");
	return n;
}

unsigned long copy_from_user(void *to, const void *from, unsigned long n)
{
	unsigned long left = n;

	if (access_ok(from, n))
		left = copy_user(to, from, n);
	if (left)
		memset((char *)to + (n - left), 0, left);
	return left;
}

unsigned long copy_to_user(void *to, const void *from, unsigned long n)
{
	if (!access_ok(to, n))
		return n;
	return copy_user(to, from, n);
}

long strncpy_from_user(char *dst, const char *src, long count)
{
	if (count <= 0)
		return 0;
	for (long i = 0; i < count; i++) {
		char c;
		if (get_user(c, src + i))
			return -EFAULT;
		dst[i] = c;
		if (!c)
			return i;
	}
	return count;
}
