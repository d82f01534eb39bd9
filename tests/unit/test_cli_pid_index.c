/* The frontend's pid index (cli/pid_index.c): against a plain array, over
 * many inserts, moves and removals, pids that collide and sequential ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "cli.h"

#define PIDS 5000

/* Random operations; after each, every pid is where the array says (or
 * absent), and the table is never more than half full. */
static void agrees_with_an_array(void **state)
{
	static long where[PIDS]; /* -1: absent */
	struct pid_index x = { 0 };
	unsigned int seed = 7, i, op;
	size_t at, n = 0;

	(void)state;
	for (i = 0; i < PIDS; i++)
		where[i] = -1;
	for (op = 0; op < 200000; op++) {
		/* pids 1000 apart share probe sequences' starts often enough */
		uint32_t k = (uint32_t)(rand_r(&seed) % PIDS), pid = k * 1000 + 1;

		if (rand_r(&seed) % 3) {
			if (where[k] < 0)
				n++;
			where[k] = (long)(op % 997);
			assert_true(pid_index_set(&x, pid, (size_t)where[k]));
		} else {
			if (where[k] >= 0)
				n--;
			where[k] = -1;
			pid_index_remove(&x, pid);
		}
		assert_int_equal(x.count, n);
		assert_true(2 * x.count <= x.cap);
		if (op % 1000)
			continue;
		for (i = 0; i < PIDS; i++) {
			bool found = pid_index_find(&x, i * 1000 + 1, &at);

			assert_int_equal(found, where[i] >= 0);
			if (found)
				assert_int_equal(at, (size_t)where[i]);
		}
	}
	assert_false(pid_index_find(&x, 2, &at));
	pid_index_free(&x);
	assert_false(pid_index_find(&x, 1, &at));
	pid_index_remove(&x, 1); /* (an empty table) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(agrees_with_an_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
