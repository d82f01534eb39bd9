/* fastvmix: the FastVMIX frontend. Dispatches to one subcommand per file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_command commands[] = {
	{ "doctor", "doctor [--raw]", "check this CPU's VMX features against what FastVMIX needs",
	  cmd_doctor },
	{ "status", "status [--json]", "per-CPU VM exits by reason of the running hypervisor",
	  cmd_status },
	{ "trace", "trace [OPTIONS] -- CMD [ARGS]", "trace the system calls of a command or pid",
	  cmd_trace },
	{ "analyzer", "analyzer load FILE", "load a user analyzer image", cmd_analyzer },
};

static void usage(FILE *out)
{
	unsigned int i;

	fprintf(out, "usage: fastvmix COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-24s %s\n", commands[i].usage, commands[i].help);
}

int main(int argc, char **argv)
{
	unsigned int i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "fastvmix: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
