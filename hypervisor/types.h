/* Fixed-width types for the hypervisor core, which includes no OS header.
 * The definitions match the Linux kernel's, so a file may include both. */
#ifndef FVX_TYPES_H
#define FVX_TYPES_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed short s16;
typedef signed int s32;
typedef signed long long s64;
/* The names the shared interface headers use (identical to Linux's). */
typedef u8 __u8;
typedef u16 __u16;
typedef u32 __u32;
typedef u64 __u64;
typedef s16 __s16;
typedef s32 __s32;
typedef s64 __s64;

#ifdef __KERNEL__
#ifndef _LINUX_STDDEF_H
typedef _Bool bool;
#define false 0
#define true 1
#endif
#ifndef NULL
#define NULL ((void *)0)
#endif
#else
#include <stdbool.h>
#include <stddef.h>
#endif

#ifndef BIT
#define BIT(n) (1ULL << (n))
#endif
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
