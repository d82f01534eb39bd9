/* The fastvmix command: one file per subcommand, listed in main.c. */
#ifndef FVX_CLI_H
#define FVX_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "fastvmix/ioctl.h"
#include "fastvmix/trace.h"

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
struct device_rings {
	struct fvx_ioc_info info;
	const unsigned char *rings; /* read-only */
	struct fvx_ring_consumer *consumer;
};
int device_open(void);
int device_load_analyzer(int fd, const char *path);
int device_map(int fd, struct device_rings *r);
const struct fvx_ring_header *device_ring(const struct device_rings *r, unsigned int cpu);

/* Reads MSR `msr` of CPU `cpu` through /dev/cpu/N/msr (Linux msr driver). */
bool cli_rdmsr(int cpu, uint32_t msr, uint64_t *value);
/* Number of CPUs that have an msr device node; 0 when the driver is absent. */
int cli_msr_cpus(void);

#endif
