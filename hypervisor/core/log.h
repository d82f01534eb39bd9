/* Messages from VMX root: port 0xE9 (the emulator's debug port; ignored by
 * real hardware). Integer arguments are u64: %x hex, %u decimal, %s string. */
#ifndef FVX_CORE_LOG_H
#define FVX_CORE_LOG_H

#include "../types.h"

void root_log(const char *fmt, ...);
/* root_log, the first `limit` times `count` (a per-CPU counter) allows. */
#define root_log_limited(count, limit, ...)                                                        \
	do {                                                                                       \
		if ((count) < (limit)) {                                                           \
			(count)++;                                                                 \
			root_log(__VA_ARGS__);                                                     \
		}                                                                                  \
	} while (0)
/* Reports a broken invariant and stops this CPU. */
void root_fatal(const char *fmt, ...);

#endif
