/* The host side of VMX root: its own page tables, GDT, TSS and IDT, all in
 * the pool. Built at load time. */
#ifndef FVX_CORE_HOST_H
#define FVX_CORE_HOST_H

#include "vcpu.h"

/* Page tables: Linux's direct map of [0, ram_top) rebuilt with 2 MiB
 * pages, and a private copy of the kernel-image/module half (PML4 entry 511)
 * so that the host runs its code on tables the guest cannot change. */
enum fvx_status host_page_tables_build(struct hv *hv, u64 guest_cr3);
/* The IDT shared by all CPUs, and the one in force while a CPU leaves VMX
 * (vcpu.h: leave_idt). */
enum fvx_status host_idt_build(struct hv *hv);
/* Fills this CPU's GDT copy and TSS (pages allocated with the vcpu). */
enum fvx_status host_gdt_build(struct vcpu *v);

#endif
