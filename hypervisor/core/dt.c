/* LGDT, LIDT, LLDT, LTR and their stores SGDT, SIDT, SLDT, STR under
 * descriptor-table exiting (SDM 25.1.3), on while the window is protected.
 * The loads the traced path does not allow are refused and shadowed (dt.h);
 * the rest, and every store, are done here as the CPU does them. VMX root
 * only. */
#include "dt.h"
#include "exit.h"
#include "guest_mem.h"
#include "insn.h"
#include "log.h"
#include "../arch/x86/asm.h"

/* VM-exit instruction information (SDM 27.2.5, Tables 27-10 and 27-11). */
#define INFO_SCALE(i) ((i)&3)
#define INFO_REG1(i) (((i) >> 3) & 15) /* LLDT..STR, register operand */
#define INFO_ADDR_SIZE(i) (((i) >> 7) & 7) /* 0: 16, 1: 32, 2: 64 bits */
#define INFO_REGISTER BIT(10) /* LLDT..STR: a register operand */
#define INFO_OPERAND_32 BIT(11) /* LGDT..SIDT outside 64-bit mode */
#define INFO_SEGMENT(i) (((i) >> 15) & 7)
#define INFO_INDEX(i) (((i) >> 18) & 15)
#define INFO_NO_INDEX BIT(22)
#define INFO_BASE(i) (((i) >> 23) & 15)
#define INFO_NO_BASE BIT(27)
#define INFO_IDENTITY(i) (((i) >> 28) & 3)
#define IDENTITY_LOAD 2 /* LGDT, LIDT, LLDT, LTR */
#define IDENTITY_TR 1 /* in Table 27-11: STR, LTR */

#define CR0_WP BIT(16)
#define RFLAGS_AC BIT(18)
#define VECTOR_NP 11
#define VECTOR_SS 12
#define VECTOR_PF 14
#define DESC_TYPE_LDT 0x02 /* type and S (bits 44:40) of a system descriptor */
#define DESC_TYPE_TSS 0x09 /* available 64-bit TSS */
#define DESC_TSS_BUSY 0x02
#define DESC_PRESENT BIT(47)
#define LOG_LIMIT 16

static const char *const names[2][4] = { { "SGDT", "SIDT", "LGDT", "LIDT" },
					 { "SLDT", "STR", "LLDT", "LTR" } };

static bool in_64bit_mode(void)
{
	return (vmcs_read32(VM_ENTRY_CONTROLS) & VM_ENTRY_IA32E_MODE) &&
	       (vmcs_read32(GUEST_CS_AR_BYTES) & SEGMENT_AR_L);
}

static bool canonical(u64 va)
{
	return (u64)((s64)(va << 16) >> 16) == va;
}

static struct guest_access access(bool user, bool write)
{
	return (struct guest_access){
		.cr3 = vmcs_readl(GUEST_CR3),
		.user = user,
		.write = write,
		.wp = vmcs_readl(GUEST_CR0) & CR0_WP,
		.smap = (vmcs_readl(GUEST_CR4) & CR4_SMAP) &&
			!(vmcs_readl(GUEST_RFLAGS) & RFLAGS_AC),
	};
}

static void inject_gp(u32 code)
{
	guest_inject_exception(VECTOR_GP, true, code);
}

/* Copies to or from the guest as its instruction would (guest_mem.h); a
 * fault becomes the #PF the CPU would raise, with CR2 set for it: VM exits
 * and entries leave CR2 alone, and an injected #PF does not write it (SDM
 * 26.6.1.1), so the value in the register at VM entry is the guest's.
 * Memory the hypervisor may not touch gets #GP(0). */
static bool copy(const struct hv *hv, const struct guest_access *a, u64 la, void *buf,
		 unsigned int len)
{
	struct guest_fault f;

	if (guest_copy(hv, a, la, buf, len, &f))
		return true;
	if (f.error == ~0u) {
		inject_gp(0);
		return false;
	}
	arch_write_cr2(f.cr2);
	guest_inject_exception(VECTOR_PF, true, f.error);
	return false;
}

/* The memory operand's linear address (SDM Vol. 1, 3.7.5; Vol. 3, 3.4.4):
 * the displacement is in the exit qualification, RIP-relative already
 * resolved (SDM 27.2.1); the sum wraps at the address size. In 64-bit mode
 * only FS and GS have a base and the address must be canonical; elsewhere
 * the segment must be usable and the operand within its limit (Linux's
 * segments are flat and expand-up). The fault is #SS(0) through SS. */
static bool operand_address(const struct guest_regs *r, u32 info, unsigned int size, u64 *la)
{
	enum vmcs_segment seg = INFO_SEGMENT(info);
	u64 off = vmcs_readl(EXIT_QUALIFICATION);
	u8 fault = seg == SEG_SS ? VECTOR_SS : VECTOR_GP;

	if (!(info & INFO_NO_BASE))
		off += guest_read_gpr(r, INFO_BASE(info));
	if (!(info & INFO_NO_INDEX))
		off += guest_read_gpr(r, INFO_INDEX(info)) << INFO_SCALE(info);
	if (INFO_ADDR_SIZE(info) == 0)
		off &= 0xffff;
	else if (INFO_ADDR_SIZE(info) == 1)
		off &= 0xffffffff;
	if (in_64bit_mode()) {
		if (seg == SEG_FS || seg == SEG_GS)
			off += vmcs_segment_base(seg);
		if (!canonical(off) || !canonical(off + size - 1))
			goto fault;
		*la = off;
		return true;
	}
	if ((vmcs_segment_ar(seg) & SEGMENT_AR_UNUSABLE) ||
	    off + size - 1 > vmcs_segment_limit(seg))
		goto fault;
	*la = (u32)(vmcs_segment_base(seg) + off);
	return true;
fault:
	guest_inject_exception(fault, true, 0);
	return false;
}

static bool umip_faults(void)
{
	return guest_cpl() != 0 && (vmcs_readl(GUEST_CR4) & CR4_UMIP);
}

static void refused(struct vcpu *v, const char *what, u64 value)
{
	v->dt_loads_refused++;
	if (v->dt.logged < LOG_LIMIT) {
		v->dt.logged++;
		root_log("cpu %u: %s %x refused at RIP %x\n", (u64)v->index, what, value,
			 vmcs_readl(GUEST_RIP));
	}
}

u64 dt_guest_idt_base(const struct vcpu *v)
{
	u64 base = vmcs_readl(GUEST_IDTR_BASE);

	return v->dt.window_idt && base == v->dt.window_idt ? v->dt.table[DT_IDT].base : base;
}

/* What the guest loaded: Linux's IDT where the window's stands in. */
static struct dt_table live_table(const struct vcpu *v, unsigned int t)
{
	if (t == DT_IDT)
		return (struct dt_table){ dt_guest_idt_base(v), vmcs_read32(GUEST_IDTR_LIMIT) };
	return (struct dt_table){ vmcs_readl(GUEST_GDTR_BASE), vmcs_read32(GUEST_GDTR_LIMIT) };
}

static bool same_table(struct dt_table a, struct dt_table b)
{
	return a.base == b.base && a.limit == b.limit;
}

/* The policy: the IDT only as it was at load; the GDT as then, or the same
 * table through the direct map (Linux's LTR switches to that writable
 * alias and back, native_load_tr_desc). */
static bool load_allowed(const struct vcpu *v, unsigned int t, struct dt_table value)
{
	const struct dt_table *linux_table = &v->dt.table[t];

	if (same_table(value, *linux_table))
		return true;
	return t == DT_GDT && v->dt.gdt_alias && value.base == v->dt.gdt_alias &&
	       value.limit == linux_table->limit;
}

static void write_table(const struct vcpu *v, unsigned int t, struct dt_table value)
{
	if (t == DT_IDT) {
		vmcs_writel(GUEST_IDTR_BASE,
			    v->dt.window_idt && value.base == v->dt.table[DT_IDT].base
				    ? v->dt.window_idt
				    : value.base);
		vmcs_write32(GUEST_IDTR_LIMIT, value.limit);
	} else {
		vmcs_writel(GUEST_GDTR_BASE, value.base);
		vmcs_write32(GUEST_GDTR_LIMIT, value.limit);
	}
}

static void shadow_table(struct vcpu *v, unsigned int t, struct dt_table value, const char *what)
{
	v->dt.shadow[t] = value;
	v->dt.shadowed[t] = true;
	refused(v, what, value.base);
}

static void load_table(struct vcpu *v, unsigned int t, struct dt_table value)
{
	if (!load_allowed(v, t, value)) {
		shadow_table(v, t, value, names[0][IDENTITY_LOAD | t]);
		return;
	}
	v->dt.shadowed[t] = false;
	write_table(v, t, value);
}

/* Exit reason 46. The memory operand is a 2-byte limit and a base of 8
 * bytes in 64-bit mode, else of 4 (of which LGDT/LIDT with a 16-bit
 * operand size use 3) (SDM Vol. 2, LGDT/LIDT, SGDT, SIDT). */
enum exit_action handle_dt_access(struct vcpu *v, struct guest_regs *r)
{
	u32 info = vmcs_read32(VMX_INSTRUCTION_INFO);
	unsigned int id = INFO_IDENTITY(info), t = id & 1, size = in_64bit_mode() ? 10 : 6;
	bool load = id & IDENTITY_LOAD;
	struct guest_access a = access(guest_cpl() == 3, !load);
	struct dt_table value;
	u8 m[10];
	u64 la;

	/* Privilege faults come before the exit (SDM 25.1.1): never seen
	 * here on a CPU that follows it, and raised as it would be. */
	if (load ? guest_cpl() != 0 : umip_faults()) {
		inject_gp(0);
		return EXIT_RESUME;
	}
	if (!operand_address(r, info, size, &la))
		return EXIT_RESUME;
	if (load) {
		if (!copy(v->hv, &a, la, m, size))
			return EXIT_RESUME;
		value.limit = m[0] | m[1] << 8;
		__builtin_memcpy(&value.base, m + 2, 8);
		if (size == 6)
			value.base &= info & INFO_OPERAND_32 ? 0xffffffff : 0xffffff;
		load_table(v, t, value);
	} else {
		value = v->dt.shadowed[t] ? v->dt.shadow[t] : live_table(v, t);
		m[0] = value.limit;
		m[1] = value.limit >> 8;
		__builtin_memcpy(m + 2, &value.base, 8); /* the low 4 outside 64-bit mode */
		if (!copy(v->hv, &a, la, m, size))
			return EXIT_RESUME;
	}
	guest_skip_instruction();
	return EXIT_RESUME;
}

/* Whether the exiting instruction has a 16-bit operand size: a 66 prefix
 * without REX.W (the information field does not say, SDM Table 27-11). */
static bool operand_16bit(const struct hv *hv)
{
	u8 code[INSN_MAX_LEN];
	unsigned int n = guest_fetch(hv, vmcs_readl(GUEST_CR3), vmcs_readl(GUEST_RIP), code,
				     vmcs_read32(VM_EXIT_INSTRUCTION_LEN) & 15),
		     i;
	bool osize = false;

	for (i = 0; i < n; i++) {
		u8 b = code[i];

		if (b == 0x66)
			osize = true;
		else if (b != 0x67 && b != 0xf0 && b != 0xf2 && b != 0xf3 && b != 0x26 &&
			 b != 0x2e && b != 0x36 && b != 0x3e && b != 0x64 && b != 0x65)
			break;
	}
	if (i < n && (code[i] & 0xf0) == 0x40 && in_64bit_mode() && (code[i] & 8))
		return false; /* REX.W */
	return osize;
}

/* LLDT and LTR (SDM Vol. 2): the descriptor in the GDT, 16 bytes in IA-32e
 * mode (SDM 7.2.3), checked as the CPU checks it; LTR marks the TSS busy
 * in the GDT, an implicit supervisor write (SDM 4.6). */
static void load_system_segment(struct vcpu *v, u16 sel, enum vmcs_segment s, u8 type)
{
	struct dt_table gdt = live_table(v, DT_GDT);
	struct guest_access a = access(false, false);
	u64 d[2], addr = gdt.base + (sel & ~7), base;
	u32 code = sel & 0xfffc, limit;

	a.smap = false; /* implicit accesses: SMAP applies to user pages only */
	if (s == SEG_LDTR && !(sel & 0xfffc)) {
		vmcs_write16(GUEST_LDTR_SELECTOR, sel);
		vmcs_raw_write(GUEST_ES_AR_BYTES + 2 * SEG_LDTR, SEGMENT_AR_UNUSABLE);
		guest_skip_instruction();
		return;
	}
	if ((sel & 4) || !(sel & 0xfffc) || (u32)(sel & ~7) + 15 > gdt.limit) {
		inject_gp(code);
		return;
	}
	if (!copy(v->hv, &a, addr, d, 16))
		return;
	base = ((d[0] >> 16) & 0xffffff) | ((d[0] >> 56) << 24) | (d[1] << 32);
	if (((d[0] >> 40) & 0x1f) != type || ((d[1] >> 40) & 0x1f) || !canonical(base)) {
		inject_gp(code);
		return;
	}
	if (!(d[0] & DESC_PRESENT)) {
		guest_inject_exception(VECTOR_NP, true, code);
		return;
	}
	if (s == SEG_TR) {
		u8 busy = ((d[0] >> 40) & 0xff) | DESC_TSS_BUSY;

		a.write = true;
		if (!copy(v->hv, &a, addr + 5, &busy, 1))
			return;
		d[0] |= (u64)DESC_TSS_BUSY << 40;
	}
	limit = (d[0] & 0xffff) | ((d[0] >> 32) & 0xf0000);
	if (d[0] & BIT(55))
		limit = limit << 12 | 0xfff; /* G: 4 KiB granularity */
	vmcs_write_segment(s, sel, base, limit, (d[0] >> 40) & 0xf0ff);
	guest_skip_instruction();
}

/* Exit reason 47. STR and SLDT store 2 bytes to memory; to a register, the
 * selector zero-extended, or only the low 16 bits with a 16-bit operand
 * (SDM Vol. 2, SLDT, STR). */
enum exit_action handle_ldt_tr_access(struct vcpu *v, struct guest_regs *r)
{
	u32 info = vmcs_read32(VMX_INSTRUCTION_INFO);
	unsigned int id = INFO_IDENTITY(info);
	bool load = id & IDENTITY_LOAD, tr = id & IDENTITY_TR;
	struct guest_access a = access(guest_cpl() == 3, !load);
	u16 sel;
	u64 la = 0, reg;

	if (load ? guest_cpl() != 0 : umip_faults()) {
		inject_gp(0);
		return EXIT_RESUME;
	}
	if (!(info & INFO_REGISTER) && !operand_address(r, info, 2, &la))
		return EXIT_RESUME;
	if (!load) {
		sel = !tr		  ? vmcs_read16(GUEST_LDTR_SELECTOR)
		      : v->dt.tr_shadowed ? v->dt.tr_shadow
					  : vmcs_read16(GUEST_TR_SELECTOR);
		if (info & INFO_REGISTER) {
			reg = guest_read_gpr(r, INFO_REG1(info));
			guest_write_gpr(r, INFO_REG1(info),
					operand_16bit(v->hv) ? (reg & ~0xffffULL) | sel : sel);
		} else if (!copy(v->hv, &a, la, &sel, 2)) {
			return EXIT_RESUME;
		}
		guest_skip_instruction();
		return EXIT_RESUME;
	}
	if (info & INFO_REGISTER)
		sel = guest_read_gpr(r, INFO_REG1(info));
	else if (!copy(v->hv, &a, la, &sel, 2))
		return EXIT_RESUME;
	if (!tr) {
		/* The traced path does not use the LDT; Linux loads one for
		 * modify_ldt users at each switch to them. */
		load_system_segment(v, sel, SEG_LDTR, DESC_TYPE_LDT);
		return EXIT_RESUME;
	}
	if (sel != v->dt.tr) {
		v->dt.tr_shadow = sel;
		v->dt.tr_shadowed = true;
		refused(v, "LTR", sel);
		guest_skip_instruction();
		return EXIT_RESUME;
	}
	v->dt.tr_shadowed = false;
	load_system_segment(v, sel, SEG_TR, DESC_TYPE_TSS);
	return EXIT_RESUME;
}

void dt_sync_cpu(struct vcpu *v, bool on)
{
	u32 proc2 = vmcs_read32(SECONDARY_VM_EXEC_CONTROL) & ~SECONDARY_EXEC_DESC_TABLE_EXITING;
	u64 gpa;
	unsigned int t;

	if (on && !v->dt.exiting) {
		/* Loaded natively while nothing was protected: taken back,
		 * and shadowed as if refused now. */
		for (t = DT_GDT; t <= DT_IDT; t++) {
			if (load_allowed(v, t, live_table(v, t)))
				continue;
			shadow_table(v, t, live_table(v, t), t == DT_IDT ? "IDTR" : "GDTR");
			write_table(v, t, v->dt.table[t]);
		}
		if (vmcs_read16(GUEST_TR_SELECTOR) != v->dt.tr) {
			v->dt.tr_shadow = vmcs_read16(GUEST_TR_SELECTOR);
			v->dt.tr_shadowed = true;
			refused(v, "TR", v->dt.tr_shadow);
			vmcs_write_segment(SEG_TR, v->dt.tr, v->dt.tr_base, v->dt.tr_limit,
					   v->dt.tr_ar);
		}
		/* The direct-map alias of Linux's read-only GDT mapping. */
		v->dt.gdt_alias = 0;
		if (guest_virt_to_phys(v->hv, vmcs_readl(GUEST_CR3), v->dt.table[DT_GDT].base,
				       &gpa) &&
		    v->hv->page_offset + gpa != v->dt.table[DT_GDT].base)
			v->dt.gdt_alias = v->hv->page_offset + gpa;
	}
	v->dt.exiting = on;
	/* Unless this CPU cannot clear it (SDM A.3.3). */
	if (on || (v->hv->ctls.proc2 & SECONDARY_EXEC_DESC_TABLE_EXITING))
		proc2 |= SECONDARY_EXEC_DESC_TABLE_EXITING;
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, proc2);
}

void dt_set_window_idt(struct vcpu *v, u64 base)
{
	u64 live = vmcs_readl(GUEST_IDTR_BASE);
	bool linux_loaded =
		live == v->dt.table[DT_IDT].base || (v->dt.window_idt && live == v->dt.window_idt);

	v->dt.window_idt = base;
	if (linux_loaded)
		vmcs_writel(GUEST_IDTR_BASE, base ? base : v->dt.table[DT_IDT].base);
}
