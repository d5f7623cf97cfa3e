/*
 * The raw multiboot2 boot information on serial, for capturing real infos
 * from an emulator (tools/capture_mb2.sh turns the lines back into bytes).
 */
#ifndef XOMB_MB2_DUMP_H
#define XOMB_MB2_DUMP_H

#include <stdint.h>

/* The command-line switch that asks for the dump. */
#define MB2_DUMP_SWITCH "mb2.dump=1"

/* Bytes per dump line. */
#define MB2_DUMP_LINE_BYTES 32u

/*
 * Print the `size` bytes at `info` as
 *   mb2dump: begin size=<decimal>
 *   mb2dump: <8 hex digits: offset> <up to 32 bytes as hex pairs>
 *   mb2dump: end
 * `info` must be readable for `size` bytes.
 */
void mb2_dump(const void *info, uint32_t size);

#endif /* XOMB_MB2_DUMP_H */
