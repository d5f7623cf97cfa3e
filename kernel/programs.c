/*
 * Owns the program phase of a boot: which modules are programs, running
 * them one after another (each with a copy of the image modules,
 * images.h), judging each against its expect=, and the frame accounting
 * behind frames_leaked.
 */
#include "programs.h"

#include "aspace.h"
#include "exoproc.h"
#include "images.h"
#include "kmem.h"
#include "kprintf.h"
#include "multiboot2.h"
#include "panic.h"
#include "proc.h"

#define PROGRAM_WORD "program"
#define EXPECT_EXIT  "expect=exit"
#define EXPECT_KILL  "expect=killed"

/* The blank-separated word at *s: its length; *s moves past blanks first. */
static size_t programs_word(const char **s)
{
	size_t n = 0;

	while (**s == ' ')
		(*s)++;
	while ((*s)[n] != 0 && (*s)[n] != ' ')
		n++;
	return n;
}

static bool programs_is(const char *w, size_t n, const char *word)
{
	size_t i = 0;

	while (i < n && word[i] == w[i])
		i++;
	return i == n && word[i] == 0;
}

int programs_parse(const char *cmdline, struct program_spec *spec)
{
	const char *s = cmdline;
	size_t n = programs_word(&s);

	spec->name[0] = 0;
	spec->expect_killed = false;
	if (!programs_is(s, n, PROGRAM_WORD))
		return 0;
	s += n;
	n = programs_word(&s);
	if (n == 0 || n >= sizeof(spec->name))
		return -1;
	for (size_t i = 0; i < n; i++)
		spec->name[i] = s[i];
	spec->name[n] = 0;
	s += n;
	n = programs_word(&s);
	if (programs_is(s, n, EXPECT_KILL))
		spec->expect_killed = true;
	else if (n != 0 && !programs_is(s, n, EXPECT_EXIT))
		return -1;
	s += n;
	return programs_word(&s) == 0 ? 1 : -1;
}

static uint64_t programs_free_frames(void)
{
	struct mm_frame_stats st;

	kmem_lock();
	mm_frame_stats(&kmem.frames, &st);
	kmem_unlock();
	return st.free_frames;
}

/* Load and run one program; true when it was killed (or refused). */
static bool programs_one(const struct boot_module *m, struct proc *p)
{
	const void *img;
	const char *why;
	uint64_t len = m->end - m->start;

	kmem_lock();
	if (aspace_map_module(m->start, len, &img) != MM_OK) {
		kmem_unlock();
		kprintf("user: refused name=%s reason=cannot_map_module\n",
			p->name);
		return true;
	}
	why = proc_load(p, img, len);
	aspace_unmap_module(m->start, len);
	if (why == NULL && images_map(p->pml4) != MM_OK) {
		proc_destroy(p);
		why = "cannot_map_images";
	}
	kmem_unlock();
	if (why != NULL) {
		kprintf("user: refused name=%s reason=%s\n", p->name, why);
		return true;
	}
	kprintf("user: run name=%s pid=%u entry=%#lx\n", p->name, p->pid,
		p->entry);
	kmem_lock();
	proc_run(p);
	proc_destroy(p);
	kmem_unlock();
	return p->end == PROC_KILLED;
}

/* Judge one program: its end against the spec; print the verdict. */
static void programs_judge(const struct program_spec *spec,
			   const struct proc *p, bool killed,
			   struct programs_result *out)
{
	bool met = killed ? spec->expect_killed
			  : !spec->expect_killed && p->code == 0;

	if (killed)
		out->killed++;
	else
		out->exited++;
	if (!met)
		out->unmet++;
	kprintf("user: %s name=%s pid=%u %s code=%lu expect=%s\n",
		met ? "ok" : "FAIL", spec->name, p->pid,
		killed ? "killed" : "exited", killed ? 0 : p->code,
		spec->expect_killed ? "killed" : "exit");
}

static void programs_module(const struct boot_module *m,
			    struct programs_result *out)
{
	struct program_spec spec;
	struct proc p = {0};
	int kind = programs_parse(m->cmdline, &spec);

	if (kind == 0)
		return;
	out->programs++;
	p.pid = out->programs;
	p.name = spec.name;
	if (kind < 0) {
		kprintf("user: FAIL malformed program line \"%s\"\n",
			m->cmdline);
		out->unmet++;
		out->killed++;
		return;
	}
	programs_judge(&spec, &p, programs_one(m, &p), out);
}

/* Every process and resource of the programs is gone: only init is left. */
static void programs_check_registry(struct programs_result *out)
{
	if (exoproc.p.nproc == 1 && exoproc.p.nres == 0)
		return;
	kprintf("user: FAIL registry holds processes=%u resources=%u\n",
		exoproc.p.nproc - 1u, exoproc.p.nres);
	out->unmet++;
}

void programs_run(const struct boot_info *bi, struct programs_result *out)
{
	uint64_t before = programs_free_frames();
	uint64_t made_proc = exoproc.p.made_proc, made_res = exoproc.p.made_res;
	struct boot_module m;

	*out = (struct programs_result){0};
	out->unmet = images_collect(bi);
	for (size_t i = 0; i < bi->module_count; i++) {
		if (mb2_module(bi, i, &m) != MM_OK)
			panic("user: module %zu unreadable", i);
		programs_module(&m, out);
	}
	out->frames_leaked = (int64_t)(before - programs_free_frames());
	out->processes = exoproc.p.made_proc - made_proc;
	out->resources = exoproc.p.made_res - made_res;
	programs_check_registry(out);
	kprintf("user: programs=%u exited=%u killed=%u processes=%lu "
		"resources=%lu frames_leaked=%ld\n",
		out->programs, out->exited, out->killed, out->processes,
		out->resources, out->frames_leaked);
}
