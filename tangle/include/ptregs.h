/* Tangled from chapters/12-dispatch.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once

#define PTREGS_R15      0
#define PTREGS_BP       32
#define PTREGS_BX       40
#define PTREGS_R11      48
#define PTREGS_AX       80
#define PTREGS_CX       88
#define PTREGS_DI       112
#define PTREGS_ORIG_AX  120
#define PTREGS_IP       128
#define PTREGS_CS       136
#define PTREGS_FLAGS    144
#define PTREGS_SP       152
#define PTREGS_SS       160
#define PTREGS_SIZE     168

#ifndef __ASSEMBLER__
#include "kernel.h"

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx;       /* callee-saved */
	unsigned long r11, r10, r9, r8, ax, cx, dx, si, di;
	unsigned long orig_ax;  /* -1 (exception), vector or system-call number */
	unsigned long ip, cs, flags, sp, ss;            /* pushed by the CPU */
};

static inline bool user_mode(const struct pt_regs *regs)
{
	return regs->cs & 3;
}

#define PTREGS_CHECK(field, OFF) \
	_Static_assert(offsetof(struct pt_regs, field) == PTREGS_##OFF, \
		       "PTREGS_" #OFF " disagrees with struct pt_regs")
PTREGS_CHECK(r15, R15);
PTREGS_CHECK(bp, BP);
PTREGS_CHECK(bx, BX);
PTREGS_CHECK(r11, R11);
PTREGS_CHECK(ax, AX);
PTREGS_CHECK(cx, CX);
PTREGS_CHECK(di, DI);
PTREGS_CHECK(orig_ax, ORIG_AX);
PTREGS_CHECK(ip, IP);
PTREGS_CHECK(cs, CS);
PTREGS_CHECK(flags, FLAGS);
PTREGS_CHECK(sp, SP);
PTREGS_CHECK(ss, SS);
_Static_assert(sizeof(struct pt_regs) == PTREGS_SIZE, "PTREGS_SIZE");
#endif
