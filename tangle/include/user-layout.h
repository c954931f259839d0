/* Tangled from chapters/13-syscalls.nw chapters/15-page-faults.nw chapters/29-utime.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#define USER_TEXT       0x400000                /* where programs are loaded */
#define USER_STACK_TOP  0x7ffffffff000
#define USER_STACK_SIZE (16 * 4096)
#define USER_TOP        0x800000000000          /* first non-user address */

#define USER_RODATA     0x200000                /* one read-only page */
#define USER_DATA       0x10000000              /* a demand-zero data area */
#define USER_DATA_SIZE  (64 * 4096)
#define USER_UNMAPPED   0x30000000              /* in no region, ever */

#define USER_VVAR       0x300000                /* the time page (read-only) */
#define USER_VDSO       0x301000                /* the code that reads it */

#define CLOCKID_REALTIME        0       /* Linux's clock numbers, for programs */
#define CLOCKID_MONOTONIC       1
#define CLOCKID_BOOTTIME        7
#define TIMER_ABSTIME_FLAG      1       /* TIMER_ABSTIME, for programs */
