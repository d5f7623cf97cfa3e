/*
 * A test-and-set spinlock. The kernel runs on one CPU with interrupts off
 * today, so it never spins; it marks who may touch shared state (the frame
 * allocator, the page tables) for the day other CPUs arrive.
 */
#ifndef XOMB_SPINLOCK_H
#define XOMB_SPINLOCK_H

#include <stdint.h>

struct spinlock {
	uint32_t locked; /* 0 free, 1 held */
};

/* Take the lock, spinning (with pause) while another CPU holds it. */
static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1u, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			__asm__ volatile("pause");
	}
}

/* Release a lock this CPU holds. */
static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0u, __ATOMIC_RELEASE);
}

#endif /* XOMB_SPINLOCK_H */
