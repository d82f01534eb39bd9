/* Reading a fuzz input as a stream of little-endian fields: past its end
 * every field reads as zero, so any input decodes to something. */
#ifndef FVX_FUZZ_INPUT_H
#define FVX_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fuzz_input {
	const uint8_t *p;
	size_t left;
};

static inline bool in_done(const struct fuzz_input *in)
{
	return !in->left;
}

static inline uint8_t in_u8(struct fuzz_input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static inline uint64_t in_bytes(struct fuzz_input *in, unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)in_u8(in) << (8 * i);
	return v;
}

static inline uint16_t in_u16(struct fuzz_input *in)
{
	return (uint16_t)in_bytes(in, 2);
}

static inline uint32_t in_u32(struct fuzz_input *in)
{
	return (uint32_t)in_bytes(in, 4);
}

static inline uint64_t in_u64(struct fuzz_input *in)
{
	return in_bytes(in, 8);
}

#endif
