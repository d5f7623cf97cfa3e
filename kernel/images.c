/*
 * Owns the image modules of a boot: which modules are images and copying
 * them into each program's address space. See images.h.
 */
#include "images.h"

#include "aspace.h"
#include "kprintf.h"
#include "multiboot2.h"
#include "panic.h"
#include "proc.h"
#include "xomb/abi.h"

#define PAGE	   MM_FRAME_SIZE
#define IMAGE_WORD "image"

static struct {
	unsigned count;
	struct {
		uint64_t start, len;
	} mod[XOMB_IMAGES_MAX];
	struct xomb_images info; /* what the info page reads */
} images;

/* The blank-separated word at *s: its length; *s moves past blanks first. */
static size_t images_word(const char **s)
{
	size_t n = 0;

	while (**s == ' ')
		(*s)++;
	while ((*s)[n] != 0 && (*s)[n] != ' ')
		n++;
	return n;
}

int images_parse(const char *cmdline, char *name)
{
	const char *s = cmdline;
	size_t n = images_word(&s), i;

	name[0] = 0;
	for (i = 0; i < n && IMAGE_WORD[i] == s[i]; i++)
		;
	if (i != n || IMAGE_WORD[i] != 0)
		return 0;
	s += n;
	n = images_word(&s);
	if (n == 0 || n >= XOMB_IMAGE_NAME)
		return -1;
	for (i = 0; i < n; i++)
		name[i] = s[i];
	name[n] = 0;
	s += n;
	return images_word(&s) == 0 ? 1 : -1;
}

/* Record module m (an image named name) at the next page-aligned offset. */
static void images_add(const struct boot_module *m, const char *name)
{
	unsigned i = images.count++;
	struct xomb_image *im = &images.info.image[i];
	uint64_t off = PAGE;

	if (i > 0)
		off = im[-1].offset +
		      ((im[-1].size + PAGE - 1u) & ~(PAGE - 1u));
	images.mod[i].start = m->start;
	images.mod[i].len = m->end - m->start;
	for (unsigned j = 0; j < XOMB_IMAGE_NAME; j++)
		im->name[j] = name[j];
	im->offset = off;
	im->size = m->end - m->start;
	images.info.count = images.count;
}

unsigned images_collect(const struct boot_info *bi)
{
	char name[XOMB_IMAGE_NAME];
	struct boot_module m;
	unsigned bad = 0;

	images.count = 0;
	images.info = (struct xomb_images){0};
	for (size_t i = 0; i < bi->module_count; i++) {
		int kind;

		if (mb2_module(bi, i, &m) != MM_OK)
			panic("user: module %zu unreadable", i);
		kind = images_parse(m.cmdline, name);
		if (kind == 0)
			continue;
		if (kind < 0 || images.count == XOMB_IMAGES_MAX ||
		    m.end == m.start) {
			kprintf("user: FAIL image line \"%s\" refused\n",
				m.cmdline);
			bad++;
			continue;
		}
		images_add(&m, name);
	}
	return bad;
}

/* Copy image i, mapped in the kernel at src, to its place in pml4. */
static mm_status_t images_copy(unsigned i, const uint8_t *src, uint64_t pml4)
{
	const struct xomb_image *im = &images.info.image[i];
	mm_status_t st = MM_OK;

	aspace_switch(pml4);
	for (uint64_t o = 0; o < im->size && st == MM_OK; o += PAGE) {
		uint64_t n = im->size - o < PAGE ? im->size - o : PAGE;

		st = proc_map_page(XOMB_IMAGES_VA + im->offset + o, src + o, 0,
				   n, 0);
	}
	aspace_switch(aspace_kernel());
	return st;
}

mm_status_t images_map(uint64_t pml4)
{
	mm_status_t st;

	/* the info page even when count is 0: a library OS can always look */
	aspace_switch(pml4);
	st = proc_map_page(XOMB_IMAGES_VA, (const uint8_t *)&images.info, 0,
			   sizeof(images.info), 0);
	aspace_switch(aspace_kernel());
	for (unsigned i = 0; i < images.count && st == MM_OK; i++) {
		const void *src;

		st = aspace_map_module(images.mod[i].start, images.mod[i].len,
				       &src);
		if (st != MM_OK)
			break;
		st = images_copy(i, src, pml4);
		aspace_unmap_module(images.mod[i].start, images.mod[i].len);
	}
	return st;
}
