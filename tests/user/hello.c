/*
 * The smallest program: one line through WRITE, then EXIT(0).
 */
#include "xomb/user.h"

int main(void)
{
	uprintf("hello from ring 3: pid %d\n", (int)xomb_getpid());
	return 0;
}
