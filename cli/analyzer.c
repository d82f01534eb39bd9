/* fastvmix analyzer load FILE: put a user analyzer into the window. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cmd_analyzer(int argc, char **argv)
{
	int fd, err;

	if (argc != 3 || strcmp(argv[1], "load")) {
		fprintf(stderr, "usage: fastvmix analyzer load FILE\n");
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
