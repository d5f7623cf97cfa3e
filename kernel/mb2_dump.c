/*
 * Owns the hex dump of the multiboot2 boot information ("mb2.dump=1"): one
 * line of 32 bytes at a time, offsets in hex, between begin and end markers
 * that carry the size, so a capture tool can check it got every byte.
 */
#include "mb2_dump.h"

#include <stddef.h>

#include "kprintf.h"

/* Format the bytes [p, p + n) as hex pairs into line (2 * n + 1 bytes). */
static void hex_line(char *line, const uint8_t *p, uint32_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (const uint8_t *end = p + n; p < end; p++) {
		*line++ = digits[*p >> 4];
		*line++ = digits[*p & 0xf];
	}
	*line = 0;
}

void mb2_dump(const void *info, uint32_t size)
{
	const uint8_t *bytes = info;
	char line[2 * MB2_DUMP_LINE_BYTES + 1];

	kprintf("mb2dump: begin size=%u\n", size);
	for (uint32_t off = 0; off < size; off += MB2_DUMP_LINE_BYTES) {
		uint32_t n = size - off;

		if (n > MB2_DUMP_LINE_BYTES)
			n = MB2_DUMP_LINE_BYTES;
		hex_line(line, bytes + off, n);
		kprintf("mb2dump: %08x %s\n", off, line);
	}
	kprintf("mb2dump: end\n");
}
