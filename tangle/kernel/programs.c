/* Tangled from chapters/13-syscalls.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "task.h"

#define USER_PROGRAM(n) { #n, (const u8 *)user_##n##_start, (const u8 *)user_##n##_end }
#define DECLARE_USER_PROGRAM(n) extern const char user_##n##_start[], user_##n##_end[];
#define USER_PROGRAMS(X) X(hello) X(getpid) X(regs) X(gsbase) X(int_dpl0) \
	X(ud2) X(null) X(unaligned) X(bench) X(badptr) X(demand) X(rowrite) \
	X(bench_pf)

USER_PROGRAMS(DECLARE_USER_PROGRAM)
#define COMMA_PROGRAM(n) USER_PROGRAM(n),
const struct user_program user_programs[] = { USER_PROGRAMS(COMMA_PROGRAM) };
const int nr_user_programs = ARRAY_SIZE(user_programs);
