/* libFuzzer target: the VMCALL API (include/fastvmix/vmcall.h) with any
 * function number, arguments and guest pointers, from ring 0 and ring 3,
 * with and without the magic; each call checked against a model of what it
 * may do (tests/fuzz/hvfuzz.h). */
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
	return hvfuzz_run(data, size, PROFILE_VMCALLS);
}
