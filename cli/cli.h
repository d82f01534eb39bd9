/* The fastvmix command: one file per subcommand, listed in main.c. */
#ifndef FVX_CLI_H
#define FVX_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "fastvmix/ioctl.h"
#include "fastvmix/trace.h"
#include "fastvmix/ring.h"

struct cli_command {
	const char *name;
	const char *usage;
	const char *help;
	int (*run)(int argc, char **argv);
};

int cmd_doctor(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_analyzer(int argc, char **argv);

/* device.c: the /dev/fastvmix client */
#define FVX_CONSUMER_BYTES 4096 /* the page of consumer tails */
struct device_rings {
	struct fvx_geometry geometry;
	void *rings; /* read-only: cpu_count rings of ring_bytes (ring.h) */
	size_t rings_bytes;
	struct fvx_ring_consumer *consumer; /* FVX_CONSUMER_BYTES, read-write */
};
int device_open(void);
int device_load_analyzer(int fd, const char *path);
/* Asks for the geometry and maps the rings; refuses a geometry it cannot read. */
int device_map(int fd, struct device_rings *r);

/* Reads MSR `msr` of CPU `cpu` through /dev/cpu/N/msr (Linux msr driver). */
bool cli_rdmsr(int cpu, uint32_t msr, uint64_t *value);
/* Number of CPUs that have an msr device node; 0 when the driver is absent. */
int cli_msr_cpus(void);

#endif
