/* pid_index.h: an open-addressing table from a thread's pid to where its
 * entry is, with linear probing and deletion by shifting back (no
 * tombstones), so a lookup stays short however many threads came and went. */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cli.h"

/* Slot of pid's probe sequence start: the high bits of pid times the
 * table's random odd multiplier, so that sequential pids spread and no
 * sample can choose pids that share a start (the low bits of a fixed
 * multiple are the pid's own low bits, reordered). */
static size_t home(const struct pid_index *x, uint32_t pid)
{
	return (size_t)((pid * x->mult) >> (64 - x->bits));
}

static struct pid_slot *slot_of(const struct pid_index *x, uint32_t pid)
{
	size_t i;

	for (i = home(x, pid);; i = (i + 1) & (x->cap - 1)) {
		if (!x->slots[i].used || x->slots[i].pid == pid)
			return &x->slots[i];
	}
}

bool pid_index_find(const struct pid_index *x, uint32_t pid, size_t *at)
{
	const struct pid_slot *s = x->cap ? slot_of(x, pid) : NULL;

	if (!s || !s->used)
		return false;
	*at = s->at;
	return true;
}

/* Twice the room, every entry placed anew; false when there is no memory
 * (the table stays as it was). */
static bool grow(struct pid_index *x)
{
	struct pid_index bigger = { .cap = x->cap ? 2 * x->cap : 64,
				    .bits = x->cap ? x->bits + 1 : 6,
				    .mult = x->mult };
	size_t i;

	while (!(bigger.mult & 1) && getrandom(&bigger.mult, sizeof(bigger.mult), 0) > 0)
		bigger.mult |= (uint64_t) !!bigger.mult; /* odd; 0 again: read again */
	if (!(bigger.mult & 1))
		bigger.mult = 0x9e3779b97f4a7c15ULL; /* no randomness: still spread */
	bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
	if (!bigger.slots)
		return false;
	for (i = 0; i < x->cap; i++)
		if (x->slots[i].used)
			*slot_of(&bigger, x->slots[i].pid) = x->slots[i];
	bigger.count = x->count;
	free(x->slots);
	*x = bigger;
	return true;
}

bool pid_index_set(struct pid_index *x, uint32_t pid, size_t at)
{
	struct pid_slot *s = x->cap ? slot_of(x, pid) : NULL;

	/* (Moving an entry never needs memory: only a new pid grows it.) */
	if (!s || !s->used) {
		if (2 * (x->count + 1) > x->cap && !grow(x))
			return false;
		s = slot_of(x, pid);
		x->count++;
	}
	*s = (struct pid_slot){ .pid = pid, .at = at, .used = true };
	return true;
}

void pid_index_remove(struct pid_index *x, uint32_t pid)
{
	struct pid_slot *s = x->cap ? slot_of(x, pid) : NULL;
	size_t hole, i, h;

	if (!s || !s->used)
		return;
	hole = (size_t)(s - x->slots);
	s->used = false;
	x->count--;
	/* Entries after the hole whose probe sequence passes it move into it. */
	for (i = (hole + 1) & (x->cap - 1); x->slots[i].used; i = (i + 1) & (x->cap - 1)) {
		h = home(x, x->slots[i].pid);
		if (((i - h) & (x->cap - 1)) >= ((i - hole) & (x->cap - 1))) {
			x->slots[hole] = x->slots[i];
			x->slots[i].used = false;
			hole = i;
		}
	}
}

void pid_index_free(struct pid_index *x)
{
	free(x->slots);
	memset(x, 0, sizeof(*x));
}
