#!/usr/bin/env python3
"""Make a malformed copy of a valid user program, for the loader's refusals.

    make_bad_elf.py KIND IN.elf OUT.elf

KIND: bad_magic (the magic's 'E' becomes 'X'), kernel_half (the last
PT_LOAD moved to the kernel half), wx (the first PT_LOAD made writable and
executable), entry_outside (the entry moved into the last, non-executable
PT_LOAD), truncated (the file cut in the middle of its first segment).
The kernel must refuse each before anything of it runs.
"""
import struct
import sys

PT_LOAD = 1
PF_X, PF_W, PF_R = 1, 2, 4
KERNEL_HALF = 0xFFFFFFFF80000000


def loads(img):
    phoff, = struct.unpack_from("<Q", img, 32)
    phnum, = struct.unpack_from("<H", img, 56)
    return [phoff + 56 * i for i in range(phnum)
            if struct.unpack_from("<I", img, phoff + 56 * i)[0] == PT_LOAD]


def main():
    kind, src, dst = sys.argv[1:4]
    img = bytearray(open(src, "rb").read())
    ph = loads(img)
    if kind == "bad_magic":
        img[1] = ord("X")
    elif kind == "kernel_half":
        struct.pack_into("<Q", img, ph[-1] + 16, KERNEL_HALF)
    elif kind == "wx":
        struct.pack_into("<I", img, ph[0] + 4, PF_R | PF_W | PF_X)
    elif kind == "entry_outside":
        vaddr, = struct.unpack_from("<Q", img, ph[-1] + 16)
        struct.pack_into("<Q", img, 24, vaddr)
    elif kind == "truncated":
        off, = struct.unpack_from("<Q", img, ph[0] + 8)
        size, = struct.unpack_from("<Q", img, ph[0] + 32)
        img = img[:off + size // 2]
    else:
        sys.exit("make_bad_elf.py: unknown kind " + kind)
    open(dst, "wb").write(img)


if __name__ == "__main__":
    main()
