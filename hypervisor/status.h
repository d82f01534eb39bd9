/* The one status type of the hypervisor core: 0 is success, everything else
 * names what went wrong. */
#ifndef FVX_STATUS_H
#define FVX_STATUS_H

enum fvx_status {
	FVX_OK = 0,
	FVX_ERR_UNSUPPORTED, /* the CPU lacks a feature FastVMIX needs */
	FVX_ERR_NOMEM,
	FVX_ERR_INVALID, /* bad argument or input */
	FVX_ERR_VMX, /* a VMX instruction failed */
	FVX_ERR_BUSY,
};

static inline const char *fvx_status_str(enum fvx_status s)
{
	switch (s) {
	case FVX_OK: return "ok";
	case FVX_ERR_UNSUPPORTED: return "unsupported CPU";
	case FVX_ERR_NOMEM: return "out of memory";
	case FVX_ERR_INVALID: return "invalid argument";
	case FVX_ERR_VMX: return "VMX instruction failed";
	case FVX_ERR_BUSY: return "busy";
	}
	return "unknown status";
}

#endif
