/* Tangled from chapters/29-utime.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#ifndef __ASSEMBLER__
#include "kernel.h"
#endif

#define VDSO_SEQ                0       /* odd while the kernel writes */
#define VDSO_CLOCK_MODE         4
#define VDSO_CYCLE_LAST         8       /* the TSC at the last update */
#define VDSO_MULT               16
#define VDSO_SHIFT              20
#define VDSO_MONO               24      /* CLOCK_MONOTONIC then, in ns */
#define VDSO_FRAC               32      /* and its fraction, << shift */
#define VDSO_OFFS_REAL          40      /* REALTIME - MONOTONIC */
#define VDSO_OFFS_BOOT          48      /* BOOTTIME - MONOTONIC */

#define VDSO_CLOCKMODE_NONE     0       /* use the system call */
#define VDSO_CLOCKMODE_TSC      1       /* read the TSC */

#ifndef __ASSEMBLER__
struct vdso_data {
	u32 seq, clock_mode;
	u64 cycle_last;
	u32 mult, shift;
	s64 mono;
	u64 frac;
	s64 offs_real, offs_boot;
};
_Static_assert(__builtin_offsetof(struct vdso_data, cycle_last) == VDSO_CYCLE_LAST &&
	       __builtin_offsetof(struct vdso_data, mult) == VDSO_MULT &&
	       __builtin_offsetof(struct vdso_data, shift) == VDSO_SHIFT &&
	       __builtin_offsetof(struct vdso_data, mono) == VDSO_MONO &&
	       __builtin_offsetof(struct vdso_data, frac) == VDSO_FRAC &&
	       __builtin_offsetof(struct vdso_data, offs_real) == VDSO_OFFS_REAL &&
	       __builtin_offsetof(struct vdso_data, offs_boot) == VDSO_OFFS_BOOT,
	       "the time page's layout and its offsets disagree");
#endif
