/*
 * Owns system-call dispatch: registers in, result out in rax. Every pointer
 * and length from a program is checked against the program's own page
 * tables (sysargs.c, over mm_user_check) before the kernel touches a byte
 * of it; the bytes are then copied under the user-access window (SMAP).
 */
#include "syscall.h"

#include "exok.h"
#include "exoproc.h"
#include "kmem.h"
#include "proc.h"
#include "serial.h"
#include "sysargs.h"
#include "uarch.h"
#include "xomb/abi.h"

#define WRITE_CHUNK 128u

uint64_t syscall_test_return_rip;

/* Copy n <= WRITE_CHUNK bytes of the program at buf to the console. */
static void syscall_copy_chunk(const volatile char *buf, unsigned n)
{
	char chunk[WRITE_CHUNK];

	uarch_user_access_begin();
	for (unsigned i = 0; i < n; i++)
		chunk[i] = buf[i];
	uarch_user_access_end();
	for (unsigned i = 0; i < n; i++)
		serial_putc(chunk[i]);
}

/* Copy [buf, buf + len) of the program to the console, a chunk at a time. */
static void syscall_copy_out(uint64_t buf, uint64_t len)
{
	for (uint64_t done = 0; done < len; done += WRITE_CHUNK) {
		uint64_t left = len - done;

		syscall_copy_chunk((const volatile char *)(buf + done),
				   left < WRITE_CHUNK ? (unsigned)left
						      : WRITE_CHUNK);
	}
}

int64_t syscall_write(uint64_t buf, uint64_t len)
{
	int64_t err;

	kmem_lock();
	err = sysargs_write(&kmem.vm, buf, len);
	kmem_unlock();
	if (err != 0)
		return err;
	syscall_copy_out(buf, len);
	return (int64_t)len;
}

static int64_t syscall_dispatch(struct uarch_frame *f)
{
	switch (f->rax) {
	case XOMB_SYS_EXIT:
		exoproc_end(NULL, 0,
			    0); /* a child in onFree: back to its parent */
		proc_exit(f->rdi);
	case XOMB_SYS_WRITE:
		return syscall_write(f->rdi, f->rsi);
	case XOMB_SYS_YIELD:
		return 0; /* one program at a time: it runs on */
	case XOMB_SYS_GETPID:
		return proc_current()->pid;
	case XOMB_SYS_ALLOC_PAGE:
	case XOMB_SYS_REMAP_PAGE:
	case XOMB_SYS_CHMOD_PAGE:
	case XOMB_SYS_UNMAP_PAGE:
	case XOMB_SYS_MAP_ZERO:
		return exok_syscall(f->rax, f->rdi, f->rsi, f->rdx);
	case XOMB_SYS_ALLOC_PROCESS:
	case XOMB_SYS_YIELD_PROCESS:
	case XOMB_SYS_FREE_PROCESS:
	case XOMB_SYS_MAP_UPCALL:
	case XOMB_SYS_ALLOC_RESOURCE:
	case XOMB_SYS_GRANT_RESOURCE:
	case XOMB_SYS_REVOKE_RESOURCE:
	case XOMB_SYS_CHOWN_RESOURCE:
		return exoproc_syscall(f);
	default:
		return XOMB_ENOSYS;
	}
}

void uarch_syscall(struct uarch_frame *f)
{
	exoproc_syscall_seen();
	f->rax = (uint64_t)syscall_dispatch(f);
	if (syscall_test_return_rip != 0) {
		f->rip = syscall_test_return_rip;
		syscall_test_return_rip = 0;
	}
}
