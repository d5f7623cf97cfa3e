/*
 * Fatal kernel errors.
 */
#ifndef XOMB_PANIC_H
#define XOMB_PANIC_H

/*
 * Print "xomb: PANIC: <message>" on the console, wait for the UART to drain
 * and leave the emulator with the failure code (isa-debug-exit 0x11).
 * Never returns.
 */
_Noreturn void panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif /* XOMB_PANIC_H */
