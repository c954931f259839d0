/* Tangled from chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "kernel.h"

void monitor_main(void) __attribute__((noreturn));
void monitor_take_byte(char c);

extern bool monitor_listening;
extern unsigned long rx_ring_overruns;

#define MONITOR_LINE    128             /* bytes in a line, with its NUL */
#define MONITOR_HISTORY 8               /* earlier lines kept */

struct line_editor {
	char line[MONITOR_LINE];
	unsigned len;
	unsigned long too_long;         /* characters past the end of the line */
	unsigned long unprintable;      /* bytes no command contains */
	int esc;                        /* 0; 1 after ESC; 2 after ESC [; 3 after ESC O */
	bool after_cr;                  /* the last byte was a CR */
	char history[MONITOR_HISTORY][MONITOR_LINE];
	unsigned nr_history, shown;     /* lines kept; which one is shown */
	const char *const *words;       /* for completion, NULL-terminated */
	const char *prompt;
	void (*echo)(const char *s);
	void (*done)(const char *line, unsigned long too_long,
		     unsigned long unprintable);
};

void editor_feed(struct line_editor *ed, char c);
const char *monitor_suggest(const char *word);
