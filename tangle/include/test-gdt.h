/* Tangled from chapters/11-entry.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "desc.h"

#define TEST_NP_SEL (GDT_ENTRIES * 8)   /* 0x40: past the kernel's GDT */
