/* VMCS field encodings (SDM Appendix B) and width-typed accessors: reading
 * or writing a field through the wrong width does not compile (the field's
 * width is bits 14:13 of its encoding, SDM 24.11.2). */
#ifndef FVX_ARCH_VMCS_H
#define FVX_ARCH_VMCS_H

#include "../../types.h"
#include "fastvmix/exit_reasons.h"

enum vmcs_field {
	/* 16-bit */
	VIRTUAL_PROCESSOR_ID = 0x0000,
	EPTP_INDEX = 0x0004,
	GUEST_ES_SELECTOR = 0x0800,
	GUEST_CS_SELECTOR = 0x0802,
	GUEST_SS_SELECTOR = 0x0804,
	GUEST_DS_SELECTOR = 0x0806,
	GUEST_FS_SELECTOR = 0x0808,
	GUEST_GS_SELECTOR = 0x080a,
	GUEST_LDTR_SELECTOR = 0x080c,
	GUEST_TR_SELECTOR = 0x080e,
	HOST_ES_SELECTOR = 0x0c00,
	HOST_CS_SELECTOR = 0x0c02,
	HOST_SS_SELECTOR = 0x0c04,
	HOST_DS_SELECTOR = 0x0c06,
	HOST_FS_SELECTOR = 0x0c08,
	HOST_GS_SELECTOR = 0x0c0a,
	HOST_TR_SELECTOR = 0x0c0c,
	/* 64-bit */
	MSR_BITMAP = 0x2004,
	TSC_OFFSET = 0x2010,
	VM_FUNCTION_CONTROL = 0x2018,
	EPT_POINTER = 0x201a,
	EPTP_LIST_ADDRESS = 0x2024,
	XSS_EXIT_BITMAP = 0x202c,
	GUEST_PHYSICAL_ADDRESS = 0x2400,
	VMCS_LINK_POINTER = 0x2800,
	GUEST_IA32_DEBUGCTL = 0x2802,
	GUEST_IA32_PAT = 0x2804,
	GUEST_IA32_EFER = 0x2806,
	HOST_IA32_PAT = 0x2c00,
	HOST_IA32_EFER = 0x2c02,
	/* 32-bit */
	PIN_BASED_VM_EXEC_CONTROL = 0x4000,
	CPU_BASED_VM_EXEC_CONTROL = 0x4002,
	EXCEPTION_BITMAP = 0x4004,
	PAGE_FAULT_ERROR_CODE_MASK = 0x4006,
	PAGE_FAULT_ERROR_CODE_MATCH = 0x4008,
	CR3_TARGET_COUNT = 0x400a,
	VM_EXIT_CONTROLS = 0x400c,
	VM_EXIT_MSR_STORE_COUNT = 0x400e,
	VM_EXIT_MSR_LOAD_COUNT = 0x4010,
	VM_ENTRY_CONTROLS = 0x4012,
	VM_ENTRY_MSR_LOAD_COUNT = 0x4014,
	VM_ENTRY_INTR_INFO_FIELD = 0x4016,
	VM_ENTRY_EXCEPTION_ERROR_CODE = 0x4018,
	VM_ENTRY_INSTRUCTION_LEN = 0x401a,
	SECONDARY_VM_EXEC_CONTROL = 0x401e,
	VM_INSTRUCTION_ERROR = 0x4400,
	VM_EXIT_REASON = 0x4402,
	VM_EXIT_INTR_INFO = 0x4404,
	VM_EXIT_INTR_ERROR_CODE = 0x4406,
	IDT_VECTORING_INFO_FIELD = 0x4408,
	IDT_VECTORING_ERROR_CODE = 0x440a,
	VM_EXIT_INSTRUCTION_LEN = 0x440c,
	VMX_INSTRUCTION_INFO = 0x440e,
	GUEST_ES_LIMIT = 0x4800,
	GUEST_DS_LIMIT = 0x4806,
	GUEST_TR_LIMIT = 0x480e,
	GUEST_GDTR_LIMIT = 0x4810,
	GUEST_IDTR_LIMIT = 0x4812,
	GUEST_ES_AR_BYTES = 0x4814,
	GUEST_CS_AR_BYTES = 0x4816,
	GUEST_SS_AR_BYTES = 0x4818,
	GUEST_DS_AR_BYTES = 0x481a,
	GUEST_LDTR_AR_BYTES = 0x4820,
	GUEST_TR_AR_BYTES = 0x4822,
	GUEST_INTERRUPTIBILITY_INFO = 0x4824,
	GUEST_ACTIVITY_STATE = 0x4826,
	GUEST_SYSENTER_CS = 0x482a,
	VMX_PREEMPTION_TIMER_VALUE = 0x482e,
	HOST_IA32_SYSENTER_CS = 0x4c00,
	/* natural width */
	CR0_GUEST_HOST_MASK = 0x6000,
	CR4_GUEST_HOST_MASK = 0x6002,
	CR0_READ_SHADOW = 0x6004,
	CR4_READ_SHADOW = 0x6006,
	EXIT_QUALIFICATION = 0x6400,
	GUEST_LINEAR_ADDRESS = 0x640a,
	GUEST_CR0 = 0x6800,
	GUEST_CR3 = 0x6802,
	GUEST_CR4 = 0x6804,
	GUEST_ES_BASE = 0x6806,
	GUEST_SS_BASE = 0x680a,
	GUEST_DS_BASE = 0x680c,
	GUEST_FS_BASE = 0x680e,
	GUEST_GS_BASE = 0x6810,
	GUEST_LDTR_BASE = 0x6812,
	GUEST_TR_BASE = 0x6814,
	GUEST_GDTR_BASE = 0x6816,
	GUEST_IDTR_BASE = 0x6818,
	GUEST_DR7 = 0x681a,
	GUEST_RSP = 0x681c,
	GUEST_RIP = 0x681e,
	GUEST_RFLAGS = 0x6820,
	GUEST_PENDING_DBG_EXCEPTIONS = 0x6822,
	GUEST_SYSENTER_ESP = 0x6824,
	GUEST_SYSENTER_EIP = 0x6826,
	HOST_CR0 = 0x6c00,
	HOST_CR3 = 0x6c02,
	HOST_CR4 = 0x6c04,
	HOST_FS_BASE = 0x6c06,
	HOST_GS_BASE = 0x6c08,
	HOST_TR_BASE = 0x6c0a,
	HOST_GDTR_BASE = 0x6c0c,
	HOST_IDTR_BASE = 0x6c0e,
	HOST_IA32_SYSENTER_ESP = 0x6c10,
	HOST_IA32_SYSENTER_EIP = 0x6c12,
	HOST_RSP = 0x6c14,
	HOST_RIP = 0x6c16,
};

/* Segment access rights (SDM 24.4.1, Table 24-2): CS.L, 64-bit code. */
#define SEGMENT_AR_L BIT(13)
#define SEGMENT_AR_DB BIT(14) /* D/B: 32-bit code, a 32-bit stack */
#define SEGMENT_AR_UNUSABLE BIT(16)

/* SS's access rights as the hypervisor loads them: an unusable (null) SS
 * keeps B set, so that a SYSRET to compatibility mode on a CPU or emulator
 * that keeps SS's attributes gives a 32-bit stack (exit.c). VM entry does
 * not check B on an unusable SS; 64-bit mode ignores it. */
static inline u32 segment_ar_ss(u32 ar)
{
	return ar & SEGMENT_AR_UNUSABLE ? ar | SEGMENT_AR_DB : ar;
}

/* Segment registers in VMCS order: field = GUEST_ES_xxx + 2 * seg. */
enum vmcs_segment { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

#define VMCS_WIDTH(f) (((f) >> 13) & 3)
#define VMCS_WIDTH_16 0
#define VMCS_WIDTH_64 1
#define VMCS_WIDTH_32 2
#define VMCS_WIDTH_NATURAL 3

/* The raw accessors: VMREAD/VMWRITE on hardware, an array in unit tests. */
#if defined(FVX_FAKE_VMCS) || defined(FVX_FAKE_ARCH)
u64 vmcs_raw_read(u32 field);
void vmcs_raw_write(u32 field, u64 value);
#else
static inline u64 vmcs_raw_read(u32 field)
{
	u64 value;

	asm volatile("vmread %1, %0" : "=rm"(value) : "r"((u64)field) : "cc");
	return value;
}

/* Returns false on VMfail (SDM 30.2); the caller reads VM_INSTRUCTION_ERROR. */
static inline bool vmcs_raw_write_checked(u32 field, u64 value)
{
	bool fail;

	asm volatile("vmwrite %2, %1"
		     : "=@cc"
		       "be"(fail)
		     : "r"((u64)field), "rm"(value)
		     : "cc");
	return !fail;
}

static inline void vmcs_raw_write(u32 field, u64 value)
{
	(void)vmcs_raw_write_checked(field, value);
}
#endif

#define VMCS_CHECK(f, w) _Static_assert(VMCS_WIDTH(f) == (w), #f " is not " #w)
#define vmcs_read16(f)                                                                             \
	({                                                                                         \
		VMCS_CHECK(f, VMCS_WIDTH_16);                                                      \
		(u16) vmcs_raw_read(f);                                                            \
	})
#define vmcs_read32(f)                                                                             \
	({                                                                                         \
		VMCS_CHECK(f, VMCS_WIDTH_32);                                                      \
		(u32) vmcs_raw_read(f);                                                            \
	})
#define vmcs_read64(f)                                                                             \
	({                                                                                         \
		VMCS_CHECK(f, VMCS_WIDTH_64);                                                      \
		vmcs_raw_read(f);                                                                  \
	})
#define vmcs_readl(f)                                                                              \
	({                                                                                         \
		VMCS_CHECK(f, VMCS_WIDTH_NATURAL);                                                 \
		vmcs_raw_read(f);                                                                  \
	})
#define vmcs_write16(f, v)                                                                         \
	({                                                                                         \
		VMCS_CHECK(f, VMCS_WIDTH_16);                                                      \
		vmcs_raw_write(f, (u16)(v));                                                       \
	})
#define vmcs_write32(f, v)                                                                         \
	({                                                                                         \
		VMCS_CHECK(f, VMCS_WIDTH_32);                                                      \
		vmcs_raw_write(f, (u32)(v));                                                       \
	})
#define vmcs_write64(f, v)                                                                         \
	({                                                                                         \
		VMCS_CHECK(f, VMCS_WIDTH_64);                                                      \
		vmcs_raw_write(f, (u64)(v));                                                       \
	})
#define vmcs_writel(f, v)                                                                          \
	({                                                                                         \
		VMCS_CHECK(f, VMCS_WIDTH_NATURAL);                                                 \
		vmcs_raw_write(f, (u64)(v));                                                       \
	})

/* A guest segment's fields (computed, so not width-checked at compile time). */
static inline u64 vmcs_segment_base(enum vmcs_segment s)
{
	return vmcs_raw_read(GUEST_ES_BASE + 2 * s);
}

static inline u32 vmcs_segment_limit(enum vmcs_segment s)
{
	return (u32)vmcs_raw_read(GUEST_ES_LIMIT + 2 * s);
}

static inline u32 vmcs_segment_ar(enum vmcs_segment s)
{
	return (u32)vmcs_raw_read(GUEST_ES_AR_BYTES + 2 * s);
}

/* Segment fields are computed, so they are checked at run time by width. */
static inline void vmcs_write_segment(enum vmcs_segment s, u16 sel, u64 base, u32 limit, u32 ar)
{
	vmcs_raw_write(GUEST_ES_SELECTOR + 2 * s, sel);
	vmcs_raw_write(GUEST_ES_BASE + 2 * s, base);
	vmcs_raw_write(GUEST_ES_LIMIT + 2 * s, limit);
	vmcs_raw_write(GUEST_ES_AR_BYTES + 2 * s, ar);
}

/* Exit reasons (SDM Appendix C), from the list shared with the frontend. */
#define FVX_EXIT_REASON_ENUM(n, id, text) EXIT_REASON_##id = n,
enum exit_reason { FVX_EXIT_REASONS(FVX_EXIT_REASON_ENUM) };
#undef FVX_EXIT_REASON_ENUM
#define EXIT_REASON_FAILED_VMENTRY BIT(31)

/* VM-entry interruption information (SDM 24.8.3). */
#define INTR_INFO_VALID BIT(31)
#define INTR_INFO_DELIVER_CODE BIT(11)
#define INTR_TYPE_MASK (7u << 8)
#define INTR_TYPE_NMI (2u << 8)
#define INTR_TYPE_HARD_EXCEPTION (3u << 8)

/* Guest interruptibility state (SDM 24.4.2, Table 24-3). */
#define GUEST_INTR_STATE_STI BIT(0)
#define GUEST_INTR_STATE_MOV_SS BIT(1)
#define GUEST_INTR_STATE_NMI BIT(3)

#endif
