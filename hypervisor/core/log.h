/* Messages from VMX root: port 0xE9 (the emulator's debug port; ignored by
 * real hardware). Integer arguments are u64: %x hex, %u decimal, %s string. */
#ifndef FVX_CORE_LOG_H
#define FVX_CORE_LOG_H

#include "../types.h"

void root_log(const char *fmt, ...);
/* Reports a broken invariant and stops this CPU. */
void root_fatal(const char *fmt, ...);

#endif
