/* Tangled from chapters/90-harness.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#define KTEST_EXIT_PORT  0xf4
#define KTEST_EXIT_PASS  0x10           /* QEMU exits with 33 */
#define KTEST_EXIT_FAIL  0x11           /* 35 */
#define KTEST_EXIT_PANIC 0x12           /* 37 */
