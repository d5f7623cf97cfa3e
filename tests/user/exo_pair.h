/* What exo_taint and exo_reuse agree on without talking. */
#ifndef EXO_PAIR_H
#define EXO_PAIR_H

#define EXO_PAIR_FROM	 0x2000000ull /* 32 MiB: above the kernel's loads */
#define EXO_PAIR_VA	 0x0000100000000000ull
#define EXO_PAIR_PATTERN 0xA5A5A5A5A5A5A5A5ull

#endif /* EXO_PAIR_H */
