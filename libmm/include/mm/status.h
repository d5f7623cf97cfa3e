/*
 * Status codes returned by every libmm action. MM_OK is zero so that
 * `if (st != MM_OK)` and `if (st)` read the same.
 */
#ifndef MM_STATUS_H
#define MM_STATUS_H

/* The result of every libmm action: MM_OK or one MM_ERR_* code. */
typedef enum {
	MM_OK = 0,
	MM_ERR_NOMEM,	      /* no frame / no room in a fixed-size table */
	MM_ERR_IN_USE,	      /* the frame is already allocated */
	MM_ERR_NOT_ALLOCATED, /* freeing a frame that is free */
	MM_ERR_RESERVED, /* the frame is reserved: never allocated or freed */
	MM_ERR_OUT_OF_RANGE,  /* beyond tracked memory / address space */
	MM_ERR_INVALID,	      /* malformed argument or input */
	MM_ERR_MAPPED,	      /* the virtual page is already mapped */
	MM_ERR_NOT_MAPPED,    /* the virtual page is not mapped */
	MM_ERR_HUGE_CONFLICT, /* huge page where tables exist, or the reverse */
	MM_ERR_UNSUPPORTED,   /* the CPU lacks the feature (e.g. 1 GiB pages) */
	MM_STATUS_COUNT	      /* number of codes; not a status */
} mm_status_t;

/*
 * Name of a status code ("MM_OK", "MM_ERR_NOMEM", ...). Never NULL: an
 * out-of-range value yields "MM_ERR_?".
 */
const char *mm_status_str(mm_status_t st);

#endif /* MM_STATUS_H */
