/*
 * The four memory functions that GCC and Clang may call from any
 * freestanding code, libmm's included (struct copies, zeroing): a kernel
 * that links libmm provides them. String instructions, so that the compiler
 * cannot turn a loop here back into a call to the function itself.
 */
#include <stddef.h>
#include <stdint.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb"
			 : "+D"(d), "+S"(src), "+c"(n)
			 :
			 : "memory");
	return dst;
}

/* Backwards (direction flag set) when dst overlaps the end of src. */
void *memmove(void *dst, const void *src, size_t n)
{
	const char *s = (const char *)src + n - 1;
	char *d = (char *)dst + n - 1;

	if ((char *)dst <= (const char *)src ||
	    (char *)dst >= (const char *)src + n)
		return memcpy(dst, src, n);
	__asm__ volatile("std\n\trep movsb\n\tcld"
			 : "+D"(d), "+S"(s), "+c"(n)
			 :
			 : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}
