/* The /dev/fastvmix client (the agent module): opening it, analyzer
 * loading, the ring geometry and the mapped trace rings. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "core/analyzer_image.h"

/* The agent hands the hypervisor's VMCALL errors up unchanged as errno, so
 * strerror() of errno is the hypervisor's own word. */
_Static_assert(FVX_VMCALL_EPERM == -EPERM, "VMCALL codes are negated errnos");
_Static_assert(FVX_VMCALL_ENOENT == -ENOENT, "VMCALL codes are negated errnos");
_Static_assert(FVX_VMCALL_EBUSY == -EBUSY, "VMCALL codes are negated errnos");
_Static_assert(FVX_VMCALL_EINVAL == -EINVAL, "VMCALL codes are negated errnos");
_Static_assert(FVX_VMCALL_ENOSYS == -ENOSYS, "VMCALL codes are negated errnos");

int device_open(void)
{
	int fd = open(FVX_AGENT_DEVICE, O_RDWR | O_CLOEXEC); /* not inherited by the sample */

	if (fd < 0)
		fprintf(stderr, "fastvmix: %s: %s%s\n", FVX_AGENT_DEVICE, strerror(errno),
			errno == ENOENT ? " (load fastvmix_hv.ko, then fastvmix.ko)" : "");
	return fd;
}

int device_load_analyzer(int fd, const char *path)
{
	struct fvx_ioc_analyzer req = { .version = FVX_IOC_ANALYZER_VERSION };
	enum analyzer_image_error e;
	unsigned char *image;
	size_t size;
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "fastvmix: %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* One byte more than fits, so an oversized image is refused as such. */
	image = malloc(FVX_WIN_CODE_SIZE + 1);
	if (!image) {
		fprintf(stderr, "fastvmix: %s: %s\n", path, strerror(errno));
		fclose(f);
		return -1;
	}
	size = fread(image, 1, FVX_WIN_CODE_SIZE + 1, f);
	if (ferror(f)) {
		fprintf(stderr, "fastvmix: reading %s: %s\n", path, strerror(errno));
		fclose(f);
		free(image);
		return -1;
	}
	fclose(f);
	/* The hypervisor checks again; checking here gives the clearer message. */
	e = analyzer_image_check(image, size, FVX_WIN_CODE_SIZE);
	if (e == ANALYZER_OK) {
		req.size = size;
		req.image = (unsigned long)image;
		if (ioctl(fd, FVX_IOC_ANALYZER_LOAD, &req) != 0) {
			if (errno == EINVAL && req.error != ANALYZER_OK)
				e = req.error;
			else
				fprintf(stderr, "fastvmix: loading %s: %s\n", path,
					strerror(errno));
			if (e == ANALYZER_OK) {
				free(image);
				return -1;
			}
		}
	}
	free(image);
	if (e != ANALYZER_OK) {
		fprintf(stderr, "fastvmix: %s: %s\n", path, analyzer_image_error_str(e));
		return -1;
	}
	return 0;
}

/* Whether the agent's ring geometry is one this frontend can read. */
static int geometry_usable(const struct fvx_geometry *g)
{
	if (g->record_size != sizeof(struct fvx_trace_record)) {
		fprintf(stderr,
			"fastvmix: the agent's trace records are %u bytes, this fastvmix reads "
			"%zu-byte records: fastvmix and fastvmix.ko are from different versions\n",
			g->record_size, sizeof(struct fvx_trace_record));
		return 0;
	}
	/* Each ring starts on its own header page, as the hypervisor lays them
	 * out: a header anywhere else is misaligned for its atomic reads. */
	if (!g->cpu_count || g->cpu_count > FVX_WIN_MAX_CPUS ||
	    g->cpu_count * sizeof(struct fvx_ring_consumer) > FVX_CONSUMER_BYTES ||
	    g->ring_bytes < FVX_RING_RECORDS || g->ring_bytes % FVX_RING_RECORDS ||
	    g->ring_bytes > (FVX_WIN_SPAN - FVX_WIN_RINGS) / g->cpu_count) {
		fprintf(stderr,
			"fastvmix: the agent reports %u rings of %llu bytes: not a layout "
			"this fastvmix can map\n",
			g->cpu_count, (unsigned long long)g->ring_bytes);
		return 0;
	}
	return 1;
}

int device_map(int fd, struct device_rings *r)
{
	struct fvx_ioc_info info = { .version = FVX_IOC_INFO_VERSION };

	*r = (struct device_rings){ .rings = MAP_FAILED, .consumer = MAP_FAILED };
	if (ioctl(fd, FVX_IOC_INFO, &info) != 0) {
		fprintf(stderr,
			"fastvmix: %s: asking for the ring geometry (info version %u): %s\n",
			FVX_AGENT_DEVICE, FVX_IOC_INFO_VERSION, strerror(errno));
		return -1;
	}
	if (!geometry_usable(&info.geometry))
		return -1;
	r->geometry = info.geometry;
	r->rings_bytes = info.geometry.ring_bytes * info.geometry.cpu_count;
	r->rings = mmap(NULL, r->rings_bytes, PROT_READ, MAP_SHARED, fd, FVX_MMAP_RINGS);
	if (r->rings == MAP_FAILED) {
		fprintf(stderr, "fastvmix: mapping the trace rings: %s\n", strerror(errno));
		return -1;
	}
	r->consumer = mmap(NULL, FVX_CONSUMER_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   FVX_MMAP_CONSUMER);
	if (r->consumer == MAP_FAILED) {
		fprintf(stderr, "fastvmix: mapping the ring tails: %s\n", strerror(errno));
		device_unmap(r);
		return -1;
	}
	return 0;
}

void device_unmap(struct device_rings *r)
{
	if (r->consumer != MAP_FAILED)
		munmap(r->consumer, FVX_CONSUMER_BYTES);
	if (r->rings != MAP_FAILED)
		munmap(r->rings, r->rings_bytes);
	r->consumer = MAP_FAILED;
	r->rings = MAP_FAILED;
}
