/*
 * What the compiler may call even in freestanding code (memset, memcpy for
 * struct initialisation and copies), and ustrlen.
 */
#include "xomb/user.h"

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);

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

size_t ustrlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}
