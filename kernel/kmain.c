/*
 * Owns the boot flow after long mode: console and exception handling, the
 * multiboot2 info, the memory map, the frame allocator and paging setup, the
 * in-kernel tests, the machine-readable summary (DESIGN.md "Boot contract")
 * and the exit code.
 */
#include <stdint.h>

#include "arch.h"
#include "aspace.h"
#include "boot_info.h"
#include "cmdline.h"
#include "exok.h"
#include "exoproc.h"
#include "kmem.h"
#include "kprintf.h"
#include "ktest.h"
#include "mb2_dump.h"
#include "multiboot2.h"
#include "panic.h"
#include "programs.h"
#include "serial.h"
#include "uarch.h"

_Noreturn void kmain(uint32_t magic, uint32_t info_phys);

static struct boot_info boot_info;
static struct arch_cpu cpu;

/*
 * Map the multiboot2 info through the early window and parse it; with
 * "mb2.dump=1" print its raw bytes before anything uses what was parsed.
 */
static uint32_t parse_boot_info(uint32_t info_phys)
{
	const uint32_t *head = arch_window_map(info_phys, 8);
	uint32_t size;
	const void *info;
	mm_status_t st;

	if (head == NULL)
		panic("cannot map the multiboot2 info at %#x", info_phys);
	size = head[0];
	info = arch_window_map(info_phys, size);
	if (info == NULL)
		panic("cannot map %u bytes of multiboot2 info", size);
	st = mb2_parse(info, size, &boot_info);
	if (st != MM_OK)
		panic("multiboot2 info at %#x: %s", info_phys,
		      mm_status_str(st));
	if (cmdline_has(boot_info.cmdline, MB2_DUMP_SWITCH))
		mb2_dump(info, size);
	return size;
}

static void print_modules(void)
{
	struct boot_module m;

	for (size_t i = 0; i < boot_info.module_count; i++) {
		if (mb2_module(&boot_info, i, &m) != MM_OK)
			panic("module %zu: unreadable", i);
		kprintf("module %zu: [%#lx, %#lx) \"%s\"\n", i, m.start, m.end,
			m.cmdline);
	}
}

static void print_memmap(const struct mm_memmap *map)
{
	kprintf("memory map (%zu regions):\n", map->count);
	kprintf("  %-18s  %-18s  %10s  %s\n", "start", "end", "KiB", "type");
	for (size_t i = 0; i < map->count; i++) {
		const struct mm_region *r = &map->regions[i];

		kprintf("  %#018lx  %#018lx  %10lu  %s\n", r->base,
			r->base + r->length, r->length >> 10,
			mm_region_type_str(r->type));
	}
}

static void print_frames(void)
{
	const struct mm_frame_stats *s = &kmem.boot_stats;

	kprintf("frames: total=%lu usable=%lu free=%lu reserved=%lu "
		"(%lu MiB usable, %lu MiB free)\n",
		s->total_frames, s->usable_frames, s->free_frames,
		s->reserved_frames, s->usable_frames >> 8, s->free_frames >> 8);
	kprintf("frames: metadata %lu KiB at %#lx; free 2 MiB runs=%lu, "
		"1 GiB runs=%lu\n",
		kmem.meta_bytes >> 10, kmem.meta_phys, s->free_2m_runs,
		s->free_1g_runs);
}

static void fill_kernel_extent(void)
{
	boot_info.kernel_phys_start = (uint64_t)_kernel_phys_start;
	boot_info.kernel_phys_end = (uint64_t)_kernel_phys_end;
	boot_info.kernel_virt_start = (uint64_t)_kernel_virt_start;
	boot_info.kernel_virt_end = (uint64_t)_kernel_virt_end;
	kprintf("kernel: phys [%#lx, %#lx) virt [%#lx, %#lx)\n",
		boot_info.kernel_phys_start, boot_info.kernel_phys_end,
		boot_info.kernel_virt_start, boot_info.kernel_virt_end);
}

static void print_summary(const struct ktest_result *r)
{
	const struct mm_frame_stats *s = &kmem.boot_stats;

	kprintf("xomb: boot method=multiboot2 firmware=%s cpu_nx=%d "
		"cpu_1g=%d\n",
		boot_info.firmware == BOOT_FIRMWARE_UEFI ? "uefi" : "bios",
		cpu.nx, cpu.pg1g);
	kprintf("mm: usable_bytes=%lu total_frames=%lu free_frames=%lu "
		"reserved_frames=%lu\n",
		mm_memmap_usable_bytes(&boot_info.memmap), s->total_frames,
		s->free_frames, s->reserved_frames);
	kprintf("ktest: %u passed, %u failed\n", r->passed, r->failed);
}

/*
 * Ring 3: the shared kernel half, the system-call MSRs, SMEP/SMAP; then
 * the user-mode kernel tests and the programs. True when every program met
 * its expect= and no frame leaked.
 */
static bool user_phase(struct ktest_result *result)
{
	struct programs_result pr;

	kmem_lock();
	aspace_init();
	exok_init();
	exoproc_init();
	kmem_unlock();
	uarch_init();
	kprintf("user: smep=%d smap=%d\n", uarch_smep(), uarch_smap());
	ktest_run_table(ktest_user_tests, ktest_user_count, result);
	ktest_run_table(ktest_exok_tests, ktest_exok_count, result);
	programs_run(&boot_info, &pr);
	return pr.unmet == 0 && pr.frames_leaked == 0;
}

_Noreturn void kmain(uint32_t magic, uint32_t info_phys)
{
	struct ktest_result result;
	uint32_t info_size;
	bool user_ok;

	serial_init();
	arch_idt_init();
	kprintf("\nXOmB-C kernel: multiboot2 magic %#x, info at %#x\n", magic,
		info_phys);
	arch_cpu_probe(&cpu);
	kprintf("cpu: nx=%d 1g_pages=%d wp=%d\n", cpu.nx, cpu.pg1g, cpu.wp);
	info_size = parse_boot_info(info_phys);
	kprintf("boot: loader \"%s\", command line \"%s\", %zu module(s)\n",
		boot_info.bootloader, boot_info.cmdline,
		boot_info.module_count);
	print_modules();
	fill_kernel_extent();
	print_memmap(&boot_info.memmap);
	kmem_init_frames(&boot_info, info_phys, info_size);
	print_frames();
	kmem_init_paging();
	kprintf("paging: recursive PML4[510], identity map removed, kernel "
		"W^X\n");
	ktest_run(&boot_info, &result);
	user_ok = user_phase(&result);
	print_summary(&result);
	serial_flush();
	arch_exit(result.failed || !user_ok ? ARCH_EXIT_FAIL : ARCH_EXIT_PASS);
}
