/* The host side of VMX root: its own page tables, GDT, TSS and IDT, all in
 * the pool. Built at load time. */
#ifndef FVX_CORE_HOST_H
#define FVX_CORE_HOST_H

#include "../arch/x86/paging.h"
#include "vcpu.h"

/* Where VMX root runs the root image: PML4 slot 256, the start of the hole
 * Linux leaves for a hypervisor (it never maps it, nor does the direct map
 * reach it). Only the host's page tables map it. */
#define HOST_ROOT_VA 0xffff800000000000ULL
/* The kernel image, modules and fixmap: the PML4 slot the host copies. */
#define HOST_KERNEL_HALF_SLOT 511

/* Page tables: Linux's direct map of [0, ram_top) rebuilt with 2 MiB
 * pages, a private copy of the kernel-image/module half (PML4 entry 511),
 * and the root image (hv->root) at HOST_ROOT_VA. Executable in VMX root is
 * the image's code and nothing else: the kernel half is mapped so that
 * leaving VMX can run the loader's code (devirt.c), but not executable. */
enum fvx_status host_page_tables_build(struct hv *hv, u64 guest_cr3);
/* This CPU's top-level table, a copy of hv->host_cr3's: leaving VMX on one
 * CPU changes its own (host_kernel_half_executable), no other CPU's. */
enum fvx_status host_cpu_page_table_build(struct hv *hv, struct vcpu *v);
/* The IDT shared by all CPUs (its stubs are in the root image), and the one
 * in force while a CPU leaves VMX (vcpu.h: leave_idt). */
enum fvx_status host_idt_build(struct hv *hv);
/* Fills this CPU's GDT copy and TSS (pages allocated with the vcpu). */
enum fvx_status host_gdt_build(struct vcpu *v);

/* After VMXOFF (devirt.c): the loader's code may run again with this CPU's
 * host page tables. The TLB must be flushed before it does. */
static inline void host_kernel_half_executable(struct vcpu *v)
{
	v->host_pml4[HOST_KERNEL_HALF_SLOT] &= ~PTE_NX;
}

#endif
