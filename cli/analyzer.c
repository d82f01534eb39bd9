/* fastvmix analyzer load FILE: put a user analyzer into the window. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define USAGE "usage: fastvmix analyzer load FILE\n"

int cmd_analyzer(int argc, char **argv)
{
	int fd, err;

	if (argc > 1 && cli_wants_help(argv[argc - 1])) {
		printf(USAGE "Loads a user analyzer image into the window, replacing the one\n"
			     "there; the image is checked here, then by the hypervisor.\n");
		return 0;
	}
	if (argc != 3 || strcmp(argv[1], "load")) {
		fprintf(stderr, USAGE);
		return 2;
	}
	fd = device_open();
	if (fd < 0)
		return 1;
	err = device_load_analyzer(fd, argv[2]);
	close(fd);
	if (err)
		return 1;
	printf("analyzer %s loaded\n", argv[2]);
	return 0;
}
