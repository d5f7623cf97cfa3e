/*
 * Owns COM1: the 16550 register programming and polled transmission. A
 * newline is sent as CR LF so that raw terminals show clean lines.
 */
#include "serial.h"

#include "cpu.h"

#define COM1	   0x3F8u
#define REG_DATA   0u /* DLAB=1: divisor low */
#define REG_IER	   1u /* DLAB=1: divisor high */
#define REG_FCR	   2u
#define REG_LCR	   3u
#define REG_MCR	   4u
#define REG_LSR	   5u
#define LCR_DLAB   0x80u
#define LCR_8N1	   0x03u
#define FCR_FIFO   0xC7u /* enable, clear both, 14-byte trigger */
#define MCR_DTR	   0x03u /* DTR | RTS */
#define LSR_THRE   0x20u /* transmit holding register empty */
#define LSR_TEMT   0x40u /* transmitter (shift register too) empty */
#define DIV_115200 1u

void serial_init(void)
{
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, LCR_DLAB);
	outb(COM1 + REG_DATA, DIV_115200);
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, LCR_8N1);
	outb(COM1 + REG_FCR, FCR_FIFO);
	outb(COM1 + REG_MCR, MCR_DTR);
}

static void put_raw(char c)
{
	while (!(inb(COM1 + REG_LSR) & LSR_THRE))
		;
	outb(COM1 + REG_DATA, (uint8_t)c);
}

void serial_putc(char c)
{
	if (c == '\n')
		put_raw('\r');
	put_raw(c);
}

void serial_flush(void)
{
	while (!(inb(COM1 + REG_LSR) & LSR_TEMT))
		;
}
