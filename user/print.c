/*
 * uprintf: formats into a buffer on the stack, then one WRITE. Small on
 * purpose: %c %s %d %u %x %p %%, length l, flags '0' '#', a width.
 */
#include "xomb/user.h"

#define PRINT_MAX 512u

struct out {
	char buf[PRINT_MAX];
	unsigned len;
};

struct spec {
	int zero, alt, is_long;
	unsigned width;
};

static void out_c(struct out *o, char c)
{
	if (o->len < PRINT_MAX)
		o->buf[o->len++] = c;
}

static void out_s(struct out *o, const char *s)
{
	while (*s)
		out_c(o, *s++);
}

/* v in base 10 or 16, padded to the width, "0x" first when alt. */
static void out_u(struct out *o, uint64_t v, unsigned base,
		  const struct spec *sp, int neg)
{
	char d[24];
	unsigned n = 0, pre = (unsigned)neg + (sp->alt ? 2u : 0u);

	do {
		d[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	for (unsigned w = n + pre; !sp->zero && w < sp->width; w++)
		out_c(o, ' ');
	if (neg)
		out_c(o, '-');
	if (sp->alt)
		out_s(o, "0x");
	for (unsigned w = n + pre; sp->zero && w < sp->width; w++)
		out_c(o, '0');
	while (n)
		out_c(o, d[--n]);
}

static const char *parse_spec(const char *f, struct spec *sp)
{
	*sp = (struct spec){0};
	for (; *f == '0' || *f == '#'; f++) {
		if (*f == '0')
			sp->zero = 1;
		else
			sp->alt = 1;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		sp->width = sp->width * 10u + (unsigned)(*f - '0');
	for (; *f == 'l'; f++)
		sp->is_long = 1;
	return f;
}

static void out_int(struct out *o, char c, struct spec *sp, va_list *ap)
{
	if (c == 'd') {
		int64_t v =
			sp->is_long ? va_arg(*ap, int64_t) : va_arg(*ap, int);

		out_u(o, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 10, sp, v < 0);
		return;
	}
	if (c == 'p') {
		sp->alt = 1;
		out_u(o, (uint64_t)va_arg(*ap, void *), 16, sp, 0);
		return;
	}
	out_u(o, sp->is_long ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned),
	      c == 'x' ? 16u : 10u, sp, 0);
}

static void out_conv(struct out *o, char c, struct spec *sp, va_list *ap)
{
	if (c == 'c')
		out_c(o, (char)va_arg(*ap, int));
	else if (c == 's')
		out_s(o, va_arg(*ap, const char *));
	else if (c == 'd' || c == 'u' || c == 'x' || c == 'p')
		out_int(o, c, sp, ap);
	else
		out_c(o, c);
}

int64_t uvprintf(const char *fmt, va_list ap)
{
	struct out o;
	struct spec sp;
	va_list aq;

	o.len = 0;
	va_copy(aq, ap);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			out_c(&o, *f);
			continue;
		}
		f = parse_spec(f + 1, &sp);
		if (*f == 0)
			break;
		out_conv(&o, *f, &sp, &aq);
	}
	va_end(aq);
	return xomb_write(o.buf, o.len);
}

int64_t uprintf(const char *fmt, ...)
{
	va_list ap;
	int64_t r;

	va_start(ap, fmt);
	r = uvprintf(fmt, ap);
	va_end(ap);
	return r;
}
