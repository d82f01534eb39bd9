/* A small formatter for VMX-root messages; no Linux calls after launch. */
#include "log.h"
#include "../arch/x86/asm.h"

#define DEBUG_PORT 0xe9

static void put(char c)
{
	arch_outb(DEBUG_PORT, c);
}

static void put_u64(u64 v, unsigned int base)
{
	char buf[20];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (base == 16) {
		put('0');
		put('x');
	}
	while (n)
		put(buf[--n]);
}

static void vlog(const char *fmt, __builtin_va_list ap)
{
	const char *s;

	for (put('f'), s = "astvmix: "; *s; s++)
		put(*s);
	for (; *fmt; fmt++) {
		if (*fmt != '%' || !fmt[1]) {
			put(*fmt);
			continue;
		}
		switch (*++fmt) {
		case 'x': put_u64(__builtin_va_arg(ap, u64), 16); break;
		case 'u': put_u64(__builtin_va_arg(ap, u64), 10); break;
		case 's':
			for (s = __builtin_va_arg(ap, const char *); *s; s++)
				put(*s);
			break;
		default: put(*fmt);
		}
	}
}

void root_log(const char *fmt, ...)
{
	__builtin_va_list ap;

	__builtin_va_start(ap, fmt);
	vlog(fmt, ap);
	__builtin_va_end(ap);
}

void root_fatal(const char *fmt, ...)
{
	__builtin_va_list ap;

	__builtin_va_start(ap, fmt);
	vlog(fmt, ap);
	__builtin_va_end(ap);
	root_log("this CPU stops here\n");
	arch_halt_forever();
}
