/*
 * Owns the kernel's one way to die on purpose: a message on serial, then the
 * failure exit code so that a boot test fails at once instead of timing out.
 */
#include "panic.h"

#include "arch.h"
#include "kprintf.h"
#include "serial.h"

_Noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	kprintf("\nxomb: PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	serial_flush();
	arch_exit(ARCH_EXIT_FAIL);
}
