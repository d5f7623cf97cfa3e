/*
 * Owns the system-call MSRs, SMEP/SMAP, the return-path guard and the
 * user-access window. See uarch.h.
 */
#include "uarch.h"

#include "cpu.h"

#define MSR_STAR	   0xC0000081u
#define MSR_LSTAR	   0xC0000082u
#define MSR_SFMASK	   0xC0000084u
#define EFER_SCE	   (1u << 0)
#define RFLAGS_TF	   (1ull << 8)
#define RFLAGS_IF	   (1ull << 9)
#define RFLAGS_DF	   (1ull << 10)
#define RFLAGS_NT	   (1ull << 14)
#define RFLAGS_AC	   (1ull << 18)
#define CR4_SMEP	   (1ull << 20)
#define CR4_SMAP	   (1ull << 21)
#define CPUID_7_SMEP	   (1u << 7)
#define CPUID_7_SMAP	   (1u << 20)
#define STAR_SYSCALL_SHIFT 32u
#define STAR_SYSRET_SHIFT  48u

extern char uarch_syscall_entry[];

static bool smep_on, smap_on;

static uint64_t uarch_read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void uarch_write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* SMEP and SMAP when CPUID leaf 7 reports them. */
static void uarch_protect_supervisor(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	uint64_t cr4 = uarch_read_cr4();

	if (r.eax < 7)
		return;
	r = cpuid(7, 0);
	smep_on = (r.ebx & CPUID_7_SMEP) != 0;
	smap_on = (r.ebx & CPUID_7_SMAP) != 0;
	if (smep_on)
		cr4 |= CR4_SMEP;
	if (smap_on)
		cr4 |= CR4_SMAP;
	uarch_write_cr4(cr4);
}

void uarch_init(void)
{
	uint64_t star = (uint64_t)GDT_KERNEL_CS << STAR_SYSCALL_SHIFT |
			(uint64_t)(GDT_USER_DS - 8u) << STAR_SYSRET_SHIFT;

	wrmsr(MSR_STAR, star);
	wrmsr(MSR_LSTAR, (uint64_t)uarch_syscall_entry);
	wrmsr(MSR_SFMASK,
	      RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	uarch_protect_supervisor();
}

bool uarch_smep(void)
{
	return smep_on;
}

bool uarch_smap(void)
{
	return smap_on;
}

_Static_assert(sizeof(struct uarch_frame) == 16u * sizeof(uint64_t),
	       "uentry.asm's FRAME_QWORDS");

void uarch_return_guard(const struct uarch_frame *f)
{
	if (f->rip >= UARCH_USER_HALF_END)
		uarch_user_killed(UARCH_KILL_RETURN, 0, f->rip, 0);
}

uint64_t uarch_rflags(void)
{
	uint64_t f;

	__asm__ volatile("pushfq\n\tpopq %0" : "=r"(f));
	return f;
}

void uarch_user_access_begin(void)
{
	if (smap_on)
		__asm__ volatile("stac" : : : "memory");
}

void uarch_user_access_end(void)
{
	if (smap_on)
		__asm__ volatile("clac" : : : "memory");
}
