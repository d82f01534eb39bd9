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
	long size;
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "fastvmix: %s: %s\n", path, strerror(errno));
		return -1;
	}
	image = malloc(FVX_WIN_CODE_SIZE + 1);
	size = image ? (long)fread(image, 1, FVX_WIN_CODE_SIZE + 1, f) : -1;
	fclose(f);
	if (size < 0) {
		free(image);
		return -1;
	}
	/* The hypervisor checks again; checking here gives the clearer message. */
	e = analyzer_image_check(image, size, FVX_WIN_CODE_SIZE);
	if (e == ANALYZER_OK) {
		req.size = size;
		req.image = (unsigned long)image;
		if (ioctl(fd, FVX_IOC_ANALYZER_LOAD, &req) != 0) {
			if (errno == EINVAL && req.error)
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

int device_map(int fd, struct device_rings *r)
{
	r->info = (struct fvx_ioc_info){ .version = FVX_IOC_INFO_VERSION };
	if (ioctl(fd, FVX_IOC_INFO, &r->info) != 0) {
		fprintf(stderr, "fastvmix: %s: %s\n", FVX_AGENT_DEVICE, strerror(errno));
		return -1;
	}
	r->rings = mmap(NULL, r->info.ring_bytes * r->info.cpu_count, PROT_READ, MAP_SHARED, fd,
			FVX_MMAP_RINGS);
	r->consumer = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, FVX_MMAP_CONSUMER);
	if (r->rings == MAP_FAILED || r->consumer == MAP_FAILED) {
		fprintf(stderr, "fastvmix: mapping the trace rings: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

const struct fvx_ring_header *device_ring(const struct device_rings *r, unsigned int cpu)
{
	return (const struct fvx_ring_header *)(r->rings + cpu * r->info.ring_bytes);
}
