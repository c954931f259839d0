/* Tangled from chapters/02-console.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include <stdarg.h>
#include <stddef.h>

typedef void (*format_out_fn)(char c, void *arg);

int vformat(format_out_fn out, void *arg, const char *fmt, va_list ap);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
