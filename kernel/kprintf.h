/*
 * A small printf for the kernel console (COM1).
 */
#ifndef XOMB_KPRINTF_H
#define XOMB_KPRINTF_H

#include <stdarg.h>

/*
 * Format to the serial console. Conversions: %c %s %d %i %u %x %p %%, with
 * the flags '-' (left-align), '0' (zero pad), '#' (0x prefix), a decimal
 * field width, and the length modifiers l, ll, z. %p prints 0x and 16 hex
 * digits. An unknown conversion is printed as-is.
 */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

#endif /* XOMB_KPRINTF_H */
