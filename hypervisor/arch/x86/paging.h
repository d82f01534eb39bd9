/* x86-64 paging-structure entries (SDM Vol. 3A 4.5, Tables 4-14 to 4-20),
 * for the host's own tables and for walking the guest's. */
#ifndef FVX_ARCH_PAGING_H
#define FVX_ARCH_PAGING_H

#include "../../types.h"

#define PTE_PRESENT BIT(0)
#define PTE_WRITE BIT(1)
#define PTE_USER BIT(2)
#define PTE_ACCESSED BIT(5)
#define PTE_DIRTY BIT(6)
#define PTE_LARGE BIT(7) /* PS: a 2 MiB or 1 GiB page */
#define PTE_GLOBAL BIT(8)
#define PTE_NX BIT(63)
#define PTE_ADDR 0x000ffffffffff000ULL /* the next table or a 4 KiB page */
#define PDPTE_1G_ADDR 0x000fffffc0000000ULL /* a 1 GiB page */
#define PDPTE_1G_RESERVED 0x3fffe000ULL /* bits 29:13 of a 1 GiB PDPTE */

#endif
