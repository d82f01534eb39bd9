/* libFuzzer target: any VM exit a guest can cause, with any guest state,
 * through vmexit_handler, each checked against a model of what it may do
 * (tests/fuzz/hvfuzz.h). */
#include "hvfuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	machine_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return hvfuzz_run(data, size, PROFILE_EXITS);
}
