/* Basic VM-exit reasons (SDM Appendix C, Table C-1), written once: the
 * hypervisor's enum exit_reason and the frontend's names both come from
 * this list. X(number, SDM-style identifier, text for people). */
#ifndef FASTVMIX_EXIT_REASONS_H
#define FASTVMIX_EXIT_REASONS_H

#define FVX_EXIT_REASONS(X)                                                                        \
	X(0, EXCEPTION_NMI, "exception or NMI")                                                    \
	X(1, EXTERNAL_INTERRUPT, "external interrupt")                                             \
	X(2, TRIPLE_FAULT, "triple fault")                                                         \
	X(3, INIT_SIGNAL, "INIT")                                                                  \
	X(4, SIPI_SIGNAL, "SIPI")                                                                  \
	X(7, INTERRUPT_WINDOW, "interrupt window")                                                 \
	X(8, NMI_WINDOW, "NMI window")                                                             \
	X(9, TASK_SWITCH, "task switch")                                                           \
	X(10, CPUID, "CPUID")                                                                      \
	X(11, GETSEC, "GETSEC")                                                                    \
	X(12, HLT, "HLT")                                                                          \
	X(13, INVD, "INVD")                                                                        \
	X(14, INVLPG, "INVLPG")                                                                    \
	X(15, RDPMC, "RDPMC")                                                                      \
	X(16, RDTSC, "RDTSC")                                                                      \
	X(18, VMCALL, "VMCALL")                                                                    \
	X(19, VMCLEAR, "VMCLEAR")                                                                  \
	X(20, VMLAUNCH, "VMLAUNCH")                                                                \
	X(21, VMPTRLD, "VMPTRLD")                                                                  \
	X(22, VMPTRST, "VMPTRST")                                                                  \
	X(23, VMREAD, "VMREAD")                                                                    \
	X(24, VMRESUME, "VMRESUME")                                                                \
	X(25, VMWRITE, "VMWRITE")                                                                  \
	X(26, VMXOFF, "VMXOFF")                                                                    \
	X(27, VMXON, "VMXON")                                                                      \
	X(28, CR_ACCESS, "CR access")                                                              \
	X(29, DR_ACCESS, "MOV DR")                                                                 \
	X(30, IO_INSTRUCTION, "I/O")                                                               \
	X(31, MSR_READ, "RDMSR")                                                                   \
	X(32, MSR_WRITE, "WRMSR")                                                                  \
	X(33, INVALID_STATE, "entry: invalid guest state")                                         \
	X(34, MSR_LOAD_FAIL, "entry: MSR loading")                                                 \
	X(36, MWAIT, "MWAIT")                                                                      \
	X(37, MONITOR_TRAP_FLAG, "monitor trap flag")                                              \
	X(39, MONITOR, "MONITOR")                                                                  \
	X(40, PAUSE, "PAUSE")                                                                      \
	X(41, MCE_DURING_VMENTRY, "entry: machine check")                                          \
	X(44, APIC_ACCESS, "APIC access")                                                          \
	X(46, GDTR_IDTR_ACCESS, "GDTR/IDTR access")                                                \
	X(47, LDTR_TR_ACCESS, "LDTR/TR access")                                                    \
	X(48, EPT_VIOLATION, "EPT violation")                                                      \
	X(49, EPT_MISCONFIG, "EPT misconfiguration")                                               \
	X(50, INVEPT, "INVEPT")                                                                    \
	X(51, RDTSCP, "RDTSCP")                                                                    \
	X(52, PREEMPTION_TIMER, "preemption timer")                                                \
	X(53, INVVPID, "INVVPID")                                                                  \
	X(54, WBINVD, "WBINVD")                                                                    \
	X(55, XSETBV, "XSETBV")                                                                    \
	X(57, RDRAND, "RDRAND")                                                                    \
	X(58, INVPCID, "INVPCID")                                                                  \
	X(59, VMFUNC, "VMFUNC")                                                                    \
	X(61, RDSEED, "RDSEED")                                                                    \
	X(63, XSAVES, "XSAVES")                                                                    \
	X(64, XRSTORS, "XRSTORS")

#endif
