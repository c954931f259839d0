/* Tangled from chapters/15-page-faults.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once

#ifdef __ASSEMBLER__
.macro SMAP_SITE b0, b1, b2
661:    .byte \b0, \b1, \b2
        .pushsection .smap_sites, "a"
        .balign 4
        .long 661b - .
        .popsection
.endm
#define ASM_CLAC SMAP_SITE 0x0f, 0x01, 0xca
#define ASM_STAC SMAP_SITE 0x0f, 0x01, 0xcb
#else
#define SMAP_SITE(b)							\
	"661: .byte 0x0f, 0x01, " b "\n\t"				\
	".pushsection .smap_sites, \"a\"\n\t"				\
	".balign 4\n\t"							\
	".long 661b - .\n\t"						\
	".popsection\n\t"
#define ASM_CLAC SMAP_SITE("0xca")
#define ASM_STAC SMAP_SITE("0xcb")
#endif

#ifndef __ASSEMBLER__
void protections_init(void);
extern bool smap_enabled, smep_enabled, umip_enabled;
#endif
