/* Tangled from chapters/02-console.nw by 'make tangle'. Edit the chapter, not this file. */
#include <stdbool.h>
#include <stdint.h>
#include "format.h"

struct spec {
	bool minus, plus, space, zero, hash;
	int width;              /* 0: none */
	int prec;               /* -1: none */
	char len;               /* 'H' hh, 'h', 0, 'l', 'L' ll, 'z', 't', 'j' */
};

struct sink {
	format_out_fn out;
	void *arg;
	int count;              /* characters produced so far */
};

static void emit(struct sink *s, char c)
{
	s->out(c, s->arg);
	s->count++;
}

static void emit_n(struct sink *s, char c, int n)
{
	while (n-- > 0)
		emit(s, c);
}

static void format_number(struct sink *s, const struct spec *sp,
			  uint64_t v, bool neg, bool is_signed,
			  unsigned base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[24];
	int nd = 0;

	while (v) {
		digits[nd++] = set[v % base];
		v /= base;
	}
	int prec = sp->prec < 0 ? 1 : sp->prec;
	int zeros = prec > nd ? prec - nd : 0;
	const char *prefix = "";
	if (neg)
		prefix = "-";
	else if (is_signed && sp->plus)
		prefix = "+";
	else if (is_signed && sp->space)
		prefix = " ";
	else if (sp->hash && base == 16 && nd > 0)
		prefix = upper ? "0X" : "0x";
	if (sp->hash && base == 8 && zeros == 0 && (nd == 0 || digits[nd - 1] != '0'))
		zeros = 1;
	int plen = 0;
	while (prefix[plen])
		plen++;
	int pad = sp->width - (plen + zeros + nd);
	bool zero_pad = sp->zero && !sp->minus && sp->prec < 0;

	if (!sp->minus && !zero_pad)
		emit_n(s, ' ', pad);
	for (int i = 0; i < plen; i++)
		emit(s, prefix[i]);
	if (zero_pad)
		emit_n(s, '0', pad);
	emit_n(s, '0', zeros);
	while (nd)
		emit(s, digits[--nd]);
	if (sp->minus)
		emit_n(s, ' ', pad);
}

static void format_string(struct sink *s, const struct spec *sp,
			  const char *str)
{
	int n = 0;

	if (!str)
		str = "(null)";
	while (str[n] && (sp->prec < 0 || n < sp->prec))
		n++;
	if (!sp->minus)
		emit_n(s, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		emit(s, str[i]);
	if (sp->minus)
		emit_n(s, ' ', sp->width - n);
}

static int64_t signed_arg(char len, va_list *ap)
{
	switch (len) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': return va_arg(*ap, long);     /* ssize_t */
	case 't': return va_arg(*ap, long);     /* ptrdiff_t */
	case 'j': return va_arg(*ap, intmax_t);
	default:  return va_arg(*ap, int);
	}
}

static uint64_t unsigned_arg(char len, va_list *ap)
{
	switch (len) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned);
	case 'h': return (unsigned short)va_arg(*ap, unsigned);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	case 't': return va_arg(*ap, unsigned long);
	case 'j': return va_arg(*ap, uintmax_t);
	default:  return va_arg(*ap, unsigned);
	}
}

int vformat(format_out_fn out, void *arg, const char *fmt, va_list ap0)
{
	struct sink s = { out, arg, 0 };
	va_list ap;

	va_copy(ap, ap0);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			emit(&s, *fmt);
			continue;
		}
		struct spec sp = { .prec = -1 };
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-') sp.minus = true;
			else if (*fmt == '+') sp.plus = true;
			else if (*fmt == ' ') sp.space = true;
			else if (*fmt == '0') sp.zero = true;
			else if (*fmt == '#') sp.hash = true;
			else break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.minus = true;
				sp.width = -sp.width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				sp.width = sp.width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			sp.prec = 0;
			if (*fmt == '*') {
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					sp.prec = sp.prec * 10 + (*fmt++ - '0');
			}
		}
		if (fmt[0] == 'h' && fmt[1] == 'h') {
			sp.len = 'H';
			fmt += 2;
		} else if (fmt[0] == 'l' && fmt[1] == 'l') {
			sp.len = 'L';
			fmt += 2;
		} else if (*fmt == 'h' || *fmt == 'l' || *fmt == 'z' || *fmt == 't' ||
			   *fmt == 'j') {
			sp.len = *fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = signed_arg(sp.len, &ap);
			format_number(&s, &sp, v < 0 ? 0 - (uint64_t)v : (uint64_t)v,
				      v < 0, true, 10, false);
			break;
		}
		case 'u': format_number(&s, &sp, unsigned_arg(sp.len, &ap),
					false, false, 10, false); break;
		case 'x': format_number(&s, &sp, unsigned_arg(sp.len, &ap),
					false, false, 16, false); break;
		case 'X': format_number(&s, &sp, unsigned_arg(sp.len, &ap),
					false, false, 16, true); break;
		case 'o': format_number(&s, &sp, unsigned_arg(sp.len, &ap),
					false, false, 8, false); break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!sp.minus)
				emit_n(&s, ' ', sp.width - 1);
			emit(&s, c);
			if (sp.minus)
				emit_n(&s, ' ', sp.width - 1);
			break;
		}
		case 's':
			format_string(&s, &sp, va_arg(ap, const char *));
			break;
		case 'p': {
			struct spec ps = { .prec = 16 };
			if (!sp.minus)
				emit_n(&s, ' ', sp.width - 18);
			emit(&s, '0');
			emit(&s, 'x');
			format_number(&s, &ps, (uintptr_t)va_arg(ap, void *),
				      false, false, 16, false);
			if (sp.minus)
				emit_n(&s, ' ', sp.width - 18);
			break;
		}
		case '%':
			emit(&s, '%');
			break;
		case '\0':
			fmt--;                  /* a lone % at the end: stop */
			break;
		default:
			emit(&s, '%');
			emit(&s, *fmt);
		}
	}
	va_end(ap);
	return s.count;
}

struct buf {
	char *p;
	size_t size, len;
};

static void buf_out(char c, void *arg)
{
	struct buf *b = arg;

	if (b->len + 1 < b->size)
		b->p[b->len] = c;
	b->len++;
}

int vsnprintf(char *p, size_t size, const char *fmt, va_list ap)
{
	struct buf b = { p, size, 0 };
	int n = vformat(buf_out, &b, fmt, ap);

	if (size)
		p[b.len < size ? b.len : size - 1] = '\0';
	return n;
}

int snprintf(char *p, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(p, size, fmt, ap);
	va_end(ap);
	return n;
}
