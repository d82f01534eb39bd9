/* fastvmix status: the hypervisor's per-CPU VM-exit counters by reason,
 * read with VMCALL through the loader's device. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "fastvmix/exit_reasons.h"
#include "fastvmix/ioctl.h"

#define EXIT_NAME(number, id, text) [number] = text,
static const char *const exit_names[FVX_EXIT_REASON_COUNT] = { FVX_EXIT_REASONS(EXIT_NAME) };
#undef EXIT_NAME

static int query(int fd, unsigned int cpu, struct fvx_ioc_hv_status *req)
{
	memset(req, 0, sizeof(*req));
	req->version = FVX_IOC_HV_STATUS_VERSION;
	req->cpu = cpu;
	return ioctl(fd, FVX_IOC_HV_STATUS, req);
}

static void print_cpu(const struct fvx_cpu_status *s)
{
	unsigned int r;

	printf("cpu %u: %llu exits, %llu vmcalls\n", s->cpu, (unsigned long long)s->exits_total,
	       (unsigned long long)s->vmcalls);
	for (r = 0; r < FVX_EXIT_REASON_COUNT; r++)
		if (s->exits[r])
			printf("  %-28s %2u %12llu\n", exit_names[r] ? exit_names[r] : "?", r,
			       (unsigned long long)s->exits[r]);
}

#define USAGE "usage: fastvmix status\n"

int cmd_status(int argc, char **argv)
{
	struct fvx_ioc_hv_status req;
	unsigned int cpu;
	int fd;

	if (argc == 2 && cli_wants_help(argv[1])) {
		printf(USAGE "Prints the running hypervisor's VM exits by reason, per CPU\n"
			     "(through %s).\n",
		       FVX_HV_DEVICE);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, USAGE);
		return 2;
	}
	fd = open(FVX_HV_DEVICE, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "fastvmix status: %s: %s%s\n", FVX_HV_DEVICE, strerror(errno),
			errno == ENOENT ? " (the hypervisor is not loaded: insmod fastvmix_hv.ko)"
					: "");
		return 1;
	}
	if (query(fd, 0, &req) != 0) {
		fprintf(stderr, "fastvmix status: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	if (req.status.version != FVX_CPU_STATUS_VERSION) {
		fprintf(stderr,
			"fastvmix status: hypervisor reports status version %u, expected %u\n",
			req.status.version, FVX_CPU_STATUS_VERSION);
		close(fd);
		return 1;
	}
	printf("hypervisor: %u cpu(s); EPT%s%s%s; memory %#llx-%#llx hidden from the guest\n",
	       req.status.cpu_count,
	       req.status.features & FVX_FEATURE_EPT_1G ? " (1 GiB pages)" : "",
	       req.status.features & FVX_FEATURE_VPID ? ", VPID" : "",
	       req.status.features & FVX_FEATURE_MSR_BITMAP ? ", MSR bitmap" : "",
	       (unsigned long long)req.status.hv_base,
	       (unsigned long long)(req.status.hv_base + req.status.hv_size - 1));
	for (cpu = 0; cpu < req.status.cpu_count; cpu++) {
		struct fvx_ioc_hv_status one;

		if (query(fd, cpu, &one) != 0) {
			printf("cpu %u: not running under the hypervisor (%s)\n", cpu,
			       strerror(errno));
			continue;
		}
		print_cpu(&one.status);
	}
	close(fd);
	return 0;
}
