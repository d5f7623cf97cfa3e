/*
 * Owns formatted console output: number conversion, field padding and the
 * handful of conversions the kernel uses; bytes go to serial_putc().
 */
#include "kprintf.h"

#include <stdbool.h>
#include <stdint.h>

#include "serial.h"

struct spec {
	bool left, zero, alt;
	unsigned width;
	unsigned length; /* number of 'l' / 'z' modifiers seen */
};

static void pad(unsigned n, char c)
{
	while (n--)
		serial_putc(c);
}

static void put_field(const char *s, unsigned len, const struct spec *sp)
{
	unsigned fill = sp->width > len ? sp->width - len : 0;

	if (!sp->left)
		pad(fill, ' ');
	for (unsigned i = 0; i < len; i++)
		serial_putc(s[i]);
	if (sp->left)
		pad(fill, ' ');
}

/* Digits of v in base into the end of buf; returns the first digit. */
static char *utoa(uint64_t v, unsigned base, char *end)
{
	char *p = end;

	do {
		*--p = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	return p;
}

static void put_number(uint64_t v, bool neg, unsigned base,
		       const struct spec *sp)
{
	char buf[24];
	char *digits = utoa(v, base, buf + sizeof(buf));
	unsigned len = (unsigned)(buf + sizeof(buf) - digits);
	unsigned prefix = neg ? 1 : (sp->alt && base == 16 ? 2 : 0);
	unsigned fill = sp->width > len + prefix ? sp->width - len - prefix : 0;

	if (!sp->left && !sp->zero)
		pad(fill, ' ');
	if (neg)
		serial_putc('-');
	else if (prefix)
		put_field("0x", 2, &(struct spec){0});
	if (!sp->left && sp->zero)
		pad(fill, '0');
	put_field(digits, len, &(struct spec){0});
	if (sp->left)
		pad(fill, ' ');
}

static uint64_t get_unsigned(va_list *ap, unsigned length)
{
	if (length == 0)
		return va_arg(*ap, unsigned int);
	return va_arg(*ap, unsigned long);
}

static int64_t get_signed(va_list *ap, unsigned length)
{
	if (length == 0)
		return va_arg(*ap, int);
	return va_arg(*ap, long);
}

/* The flag characters '-', '0', '#' at *f, in any order; *f moves past them. */
static void parse_flags(const char **f, struct spec *sp)
{
	for (;; (*f)++) {
		if (**f == '-')
			sp->left = true;
		else if (**f == '0')
			sp->zero = true;
		else if (**f == '#')
			sp->alt = true;
		else
			return;
	}
}

/* The decimal field width at *f (0 when none); *f moves past it. */
static unsigned parse_width(const char **f)
{
	unsigned width = 0;

	for (; **f >= '0' && **f <= '9'; (*f)++)
		width = width * 10 + (unsigned)(**f - '0');
	return width;
}

/*
 * The spec after a '%': flags, width, 'l' / 'z' modifiers. Returns where
 * the conversion character is.
 */
static const char *parse_spec(const char *f, struct spec *sp)
{
	*sp = (struct spec){0};
	parse_flags(&f, sp);
	sp->width = parse_width(&f);
	while (*f == 'l' || *f == 'z')
		sp->length++, f++;
	return f;
}

static void convert(char c, struct spec *sp, va_list *ap)
{
	int64_t s;
	const char *str;
	unsigned len = 0;

	switch (c) {
	case 'd':
	case 'i':
		s = get_signed(ap, sp->length);
		put_number(s < 0 ? 0 - (uint64_t)s : (uint64_t)s, s < 0, 10,
			   sp);
		break;
	case 'u':
		put_number(get_unsigned(ap, sp->length), false, 10, sp);
		break;
	case 'x':
		put_number(get_unsigned(ap, sp->length), false, 16, sp);
		break;
	case 'p':
		*sp = (struct spec){.zero = true, .alt = true, .width = 18};
		put_number((uint64_t)va_arg(*ap, void *), false, 16, sp);
		break;
	case 'c':
		serial_putc((char)va_arg(*ap, int));
		break;
	case 's':
		str = va_arg(*ap, const char *);
		str = str ? str : "(null)";
		while (str[len])
			len++;
		put_field(str, len, sp);
		break;
	default:
		serial_putc('%');
		serial_putc(c);
	}
}

void kvprintf(const char *fmt, va_list ap)
{
	va_list aq;
	struct spec sp;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			serial_putc(*fmt++);
			continue;
		}
		if (fmt[1] == '%') {
			serial_putc('%');
			fmt += 2;
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp);
		if (*fmt)
			convert(*fmt++, &sp, &aq);
	}
	va_end(aq);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
