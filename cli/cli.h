/* The fastvmix command: one file per subcommand, listed in main.c. */
#ifndef FVX_CLI_H
#define FVX_CLI_H

#include <stdbool.h>
#include <stdint.h>

struct cli_command {
	const char *name;
	const char *usage;
	const char *help;
	int (*run)(int argc, char **argv);
};

int cmd_doctor(int argc, char **argv);
int cmd_status(int argc, char **argv);

/* Reads MSR `msr` of CPU `cpu` through /dev/cpu/N/msr (Linux msr driver). */
bool cli_rdmsr(int cpu, uint32_t msr, uint64_t *value);
/* Number of CPUs that have an msr device node; 0 when the driver is absent. */
int cli_msr_cpus(void);

#endif
