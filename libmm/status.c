/*
 * Owns the names of the status codes, for logs and test failure messages.
 */
#include "mm/status.h"

static const char *const names[MM_STATUS_COUNT] = {
	[MM_OK] = "MM_OK",
	[MM_ERR_NOMEM] = "MM_ERR_NOMEM",
	[MM_ERR_IN_USE] = "MM_ERR_IN_USE",
	[MM_ERR_NOT_ALLOCATED] = "MM_ERR_NOT_ALLOCATED",
	[MM_ERR_RESERVED] = "MM_ERR_RESERVED",
	[MM_ERR_OUT_OF_RANGE] = "MM_ERR_OUT_OF_RANGE",
	[MM_ERR_INVALID] = "MM_ERR_INVALID",
	[MM_ERR_MAPPED] = "MM_ERR_MAPPED",
	[MM_ERR_NOT_MAPPED] = "MM_ERR_NOT_MAPPED",
	[MM_ERR_HUGE_CONFLICT] = "MM_ERR_HUGE_CONFLICT",
	[MM_ERR_UNSUPPORTED] = "MM_ERR_UNSUPPORTED",
};

const char *mm_status_str(mm_status_t st)
{
	unsigned i = (unsigned)st;

	if (i >= MM_STATUS_COUNT)
		return "MM_ERR_?";
	return names[i];
}
