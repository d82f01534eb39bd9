/* VMCS setup for a late launch. */
#ifndef FVX_CORE_VMCS_SETUP_H
#define FVX_CORE_VMCS_SETUP_H

#include "vcpu.h"

/* Writes every field of the current VMCS for CPU v. */
void vmcs_setup(const struct hv *hv, struct vcpu *v);

#endif
