/*
 * The 16550 UART on COM1, polled: the kernel's console and the boot tests'
 * only witness.
 */
#ifndef XOMB_ARCH_SERIAL_H
#define XOMB_ARCH_SERIAL_H

/* Program COM1 for 115200 baud, 8N1, FIFOs on, no interrupts. */
void serial_init(void);

/* Send one byte, waiting while the transmit holding register is full. */
void serial_putc(char c);

/* Wait until the transmitter is empty: every byte has left the wire. */
void serial_flush(void);

#endif /* XOMB_ARCH_SERIAL_H */
