/* Forced into every C file of the VMX-root image (build-root-image.sh):
 * every symbol, declared or defined, binds inside the image, so code
 * reaches it PC-relative, with neither GOT nor PLT. */
#pragma GCC visibility push(hidden)
