/* libFuzzer target: the agent's checks of ioctl arguments and mmap
 * requests (agent/checks.h), against the contract include/fastvmix/ioctl.h
 * states, written out again here:
 *   - a trace request is version 3 in fast or exit mode, any filter, sealed
 *     for at most 86400 seconds;
 *   - an analyzer request is version 1 with 1 .. FVX_WIN_CODE_SIZE bytes;
 *   - an info request is version FVX_IOC_INFO_VERSION;
 *   - the rings map read-only and never beyond the rings the geometry
 *     describes, and, for any geometry the hypervisor can report
 *     (views_build), never beyond the window's backed part; the consumer
 *     page maps as exactly one page; any other offset is refused.
 * Input: a selector byte, then the argument struct's bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>
#include "../../agent/checks.h"
#include "fuzz_input.h"

#define PAGE_SIZE_4K 4096ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "\n==== FUZZ INVARIANT BROKEN: %s\n", what);
	abort();
}

static void trace_request(struct fuzz_input *in)
{
	struct fvx_trace_request req;
	unsigned int i;
	int r;

	for (i = 0; i < sizeof(req); i++)
		((uint8_t *)&req)[i] = in_u8(in);
	if (in_u8(in) & 1) /* often a good version and mode */
		req.version = FVX_TRACE_REQUEST_VERSION, req.mode = 1 + (req.mode & 1),
		req.seal_seconds %= 2 * 86400, req.flags &= 3 | (req.flags & 0x100),
		req.tsc_call_ticks &= req.flags & 4 ? ~0u : 0x3ffff;
	r = agent_check_trace_request(&req);
	if (r != 0 && r != -EINVAL)
		fail("trace request: not an errno the ioctl documents");
	if ((r == 0) !=
	    (req.version == 4 && (req.mode == FVX_MODE_FAST || req.mode == FVX_MODE_EXIT) &&
	     req.seal_seconds <= 86400 && !(req.flags & ~3u) && req.tsc_call_ticks <= 100000 &&
	     (req.flags & 2 || !req.tsc_call_ticks)))
		fail("trace request accepted or refused against the contract");
}

static void analyzer_request(struct fuzz_input *in)
{
	struct fvx_ioc_analyzer req;
	unsigned int i;
	int r;

	for (i = 0; i < sizeof(req); i++)
		((uint8_t *)&req)[i] = in_u8(in);
	if (in_u8(in) & 1)
		req.version = FVX_IOC_ANALYZER_VERSION, req.size %= 2 * FVX_WIN_CODE_SIZE;
	r = agent_check_analyzer_request(&req);
	if (r != 0 && r != -EINVAL)
		fail("analyzer request: not an errno the ioctl documents");
	if ((r == 0) != (req.version == 1 && req.size >= 1 && req.size <= 0x40000))
		fail("analyzer request accepted or refused against the contract");
}

static void info_request(struct fuzz_input *in)
{
	struct fvx_ioc_info req;
	unsigned int i;
	int r;

	for (i = 0; i < sizeof(req); i++)
		((uint8_t *)&req)[i] = in_u8(in);
	r = agent_check_info_request(&req);
	if ((r == 0) != (req.version == FVX_IOC_INFO_VERSION) || (r && r != -EINVAL))
		fail("info request accepted or refused against the contract");
}

static void mapping(struct fuzz_input *in)
{
	struct fvx_geometry g = { .record_size = sizeof(struct fvx_trace_record) };
	uint8_t how = in_u8(in);
	uint64_t off, size = in_u64(in), backed = 0;
	unsigned __int128 rings;
	int writable = how & 1, r;
	bool hypervisor_geometry = !(how & 2);

	if (hypervisor_geometry) { /* as views_build sizes the rings, for any backing */
		g.cpu_count = 1 + in_u8(in) % FVX_WIN_MAX_CPUS;
		backed = FVX_WIN_RINGS +
			 (1 + in_u32(in) % (FVX_WIN_SPAN / (4ULL << 20))) * (4ULL << 20);
		backed = backed > FVX_WIN_SPAN ? FVX_WIN_SPAN : backed;
		g.ring_bytes = ((backed - FVX_WIN_RINGS) / g.cpu_count) & ~(PAGE_SIZE_4K - 1);
	} else {
		g.cpu_count = in_u32(in);
		g.ring_bytes = in_u64(in);
	}
	switch ((how >> 2) & 3) {
	case 0: off = FVX_MMAP_RINGS; break;
	case 1: off = FVX_MMAP_CONSUMER; break;
	case 2: off = (uint64_t)in_u32(in) << 12; break;
	default: off = in_u64(in);
	}
	if (how & 16) /* page multiples, as the kernel asks */
		size = (size % (8ULL << 20)) & ~(PAGE_SIZE_4K - 1);
	rings = (unsigned __int128)g.ring_bytes * g.cpu_count;
	r = agent_check_mmap(off, size, writable, &g, PAGE_SIZE_4K);
	if (r == AGENT_MAP_RINGS) {
		if (off != FVX_MMAP_RINGS || writable)
			fail("rings mapped writable or at another offset");
		if (size > rings)
			fail("rings mapping beyond the rings");
		if (hypervisor_geometry && size > backed - FVX_WIN_RINGS)
			fail("rings mapping beyond the window's backed part");
	} else if (r == AGENT_MAP_CONSUMER) {
		if (off != FVX_MMAP_CONSUMER || size != PAGE_SIZE_4K)
			fail("consumer page mapped at another offset or size");
	} else if (r != (off == FVX_MMAP_RINGS ? -EPERM : -EINVAL)) {
		fail("mapping refused with an errno the device does not document for it");
	}
	/* What the contract allows is allowed: for any geometry the hypervisor
	 * reports, and for the consumer page whatever the geometry. */
	if (hypervisor_geometry && off == FVX_MMAP_RINGS && !writable && size <= rings &&
	    r != AGENT_MAP_RINGS)
		fail("a read-only mapping within the rings refused");
	if (off == FVX_MMAP_CONSUMER && size == PAGE_SIZE_4K && r != AGENT_MAP_CONSUMER)
		fail("the consumer page refused");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	while (!in_done(&in)) {
		switch (in_u8(&in) % 4) {
		case 0: trace_request(&in); break;
		case 1: analyzer_request(&in); break;
		case 2: info_request(&in); break;
		default: mapping(&in);
		}
	}
	return 0;
}
