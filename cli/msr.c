/* MSR access for the frontend through the Linux msr driver (/dev/cpu/N/msr). */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

bool cli_rdmsr(int cpu, uint32_t msr, uint64_t *value)
{
	char path[64];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = pread(fd, value, sizeof(*value), msr);
	close(fd);
	return n == (ssize_t)sizeof(*value);
}

int cli_msr_cpus(void)
{
	char path[64];
	int cpu;

	for (cpu = 0; cpu < 4096; cpu++) {
		snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
		if (access(path, F_OK) != 0)
			break;
	}
	return cpu;
}
