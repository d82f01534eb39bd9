/* PVH boot shim for the emulated test machine. Bochs spends most of a boot
 * decompressing the XZ kernel; this shim instead boots the uncompressed
 * vmlinux through its PVH entry point. isolinux's mboot.c32 loads the shim
 * (multiboot) with vmlinux and the initramfs as modules; the shim copies the
 * kernel's segments to their physical addresses, builds the hvm_start_info
 * the PVH ABI defines (xen/include/public/arch-x86/hvm/start_info.h) and
 * jumps to the XEN_ELFNOTE_PHYS32_ENTRY address. Output: port 0xe9. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

struct mb_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	u32 syms[4], mmap_length, mmap_addr;
};
struct mb_module {
	u32 start, end, string, reserved;
};
struct mb_mmap {
	u32 size;
	u64 addr, len;
	u32 type;
} __attribute__((packed));

struct hvm_start_info {
	u32 magic, version, flags, nr_modules;
	u64 modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	u32 memmap_entries, reserved;
};
struct hvm_modlist_entry {
	u64 paddr, size, cmdline_paddr, reserved;
};
struct hvm_memmap_entry {
	u64 addr, size;
	u32 type, reserved;
};
_Static_assert(sizeof(struct hvm_start_info) == 56, "PVH start info v1");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "PVH module entry");
_Static_assert(sizeof(struct hvm_memmap_entry) == 24, "PVH memory map entry");

struct elf64_hdr {
	u8 ident[16];
	u16 type, machine;
	u32 version;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD 1
#define PT_NOTE 4
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define MAX_MEMMAP 64

void jump_to_kernel(u32 entry, u32 start_info) __attribute__((noreturn));

static struct hvm_start_info start_info;
static struct hvm_modlist_entry modlist;
static struct hvm_memmap_entry memmap[MAX_MEMMAP];
static char cmdline[1024];

static void out(const char *s)
{
	for (; *s; s++)
		__asm__ volatile("outb %0, $0xe9" : : "a"(*s));
}

static void *copy(void *dst, const void *src, u32 n)
{
	u8 *d = dst;
	const u8 *s = src;

	/* Overlap-safe: copy backwards when moving up. */
	if (d > s && s + n > d) {
		d += n - 1;
		s += n - 1;
		__asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	} else {
		__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	}
	return dst;
}

static void zero(void *dst, u32 n)
{
	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(0) : "memory");
}

static u32 align_up(u32 v, u32 a)
{
	return (v + a - 1) & ~(a - 1);
}

/* The PVH entry address from vmlinux's Xen notes, 0 if absent. */
static u32 pvh_entry(const u8 *elf, const struct elf64_phdr *ph)
{
	u32 off = 0;

	while (off + 12 <= ph->filesz) {
		const u32 *n = (const u32 *)(elf + ph->offset + off);
		u32 namesz = n[0], descsz = n[1], type = n[2];
		const char *name = (const char *)(n + 3);
		const u8 *desc = (const u8 *)(n + 3) + align_up(namesz, 4);

		if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 && name[0] == 'X' &&
		    name[1] == 'e' && name[2] == 'n')
			return *(const u32 *)desc;
		off += 12 + align_up(namesz, 4) + align_up(descsz, 4);
	}
	return 0;
}

void shim_main(u32 magic, const struct mb_info *mbi)
{
	const struct mb_module *mods = (const struct mb_module *)mbi->mods_addr;
	u32 kernel_lo = ~0u, kernel_hi = 0, base, elf_size, initrd_size, entry = 0, i, n = 0;
	const char *arg;
	const struct elf64_hdr *eh;
	const struct elf64_phdr *ph;
	u8 *elf, *initrd;

	out("pvh-shim: ");
	if (magic != 0x2badb002 || mbi->mods_count < 2 || !(mbi->flags & (1u << 6))) {
		out("need multiboot with a memory map and two modules (vmlinux, initrd)\n");
		return;
	}
	/* Save what we need from the multiboot data before memory moves. */
	arg = (const char *)mbi->cmdline;
	while (*arg && *arg != ' ')
		arg++; /* the first word is the shim's own file name */
	while (*arg == ' ')
		arg++;
	for (i = 0; arg[i] && i < sizeof(cmdline) - 1; i++)
		cmdline[i] = arg[i];
	for (i = 0; i < mbi->mmap_length && n < MAX_MEMMAP;) {
		const struct mb_mmap *m = (const struct mb_mmap *)(mbi->mmap_addr + i);

		memmap[n].addr = m->addr;
		memmap[n].size = m->len;
		memmap[n].type = m->type;
		n++;
		i += m->size + 4;
	}
	elf = (u8 *)mods[0].start;
	elf_size = mods[0].end - mods[0].start;
	initrd = (u8 *)mods[1].start;
	initrd_size = mods[1].end - mods[1].start;

	eh = (const struct elf64_hdr *)elf;
	if (eh->ident[0] != 0x7f || eh->ident[1] != 'E' || eh->ident[4] != 2) {
		out("first module is not a 64-bit ELF vmlinux\n");
		return;
	}
	ph = (const struct elf64_phdr *)(elf + eh->phoff);
	for (i = 0; i < eh->phnum; i++) {
		if (ph[i].type == PT_LOAD) {
			if (ph[i].paddr < kernel_lo)
				kernel_lo = ph[i].paddr;
			if (ph[i].paddr + ph[i].memsz > kernel_hi)
				kernel_hi = ph[i].paddr + ph[i].memsz;
		} else if (ph[i].type == PT_NOTE && !entry) {
			entry = pvh_entry(elf, &ph[i]);
		}
	}
	if (!entry) {
		out("vmlinux has no PVH entry note (CONFIG_PVH)\n");
		return;
	}
	/* Move both modules above everything, then lay the kernel out. */
	base = kernel_hi;
	if (mods[0].end > base)
		base = mods[0].end;
	if (mods[1].end > base)
		base = mods[1].end;
	base = align_up(base, 1u << 20);
	if (initrd > elf) {
		initrd = copy((u8 *)align_up(base + elf_size, 4096), initrd, initrd_size);
		elf = copy((u8 *)base, elf, elf_size);
	} else {
		elf = copy((u8 *)base, elf, elf_size);
		initrd = copy((u8 *)align_up(base + elf_size, 4096), initrd, initrd_size);
	}
	eh = (const struct elf64_hdr *)elf;
	ph = (const struct elf64_phdr *)(elf + eh->phoff);
	for (i = 0; i < eh->phnum; i++) {
		if (ph[i].type != PT_LOAD)
			continue;
		copy((u8 *)(u32)ph[i].paddr, elf + ph[i].offset, ph[i].filesz);
		zero((u8 *)(u32)(ph[i].paddr + ph[i].filesz), ph[i].memsz - ph[i].filesz);
	}
	modlist.paddr = (u32)initrd;
	modlist.size = initrd_size;
	start_info.magic = 0x336ec578; /* XEN_HVM_START_MAGIC_VALUE */
	start_info.version = 1;
	start_info.nr_modules = 1;
	start_info.modlist_paddr = (u32)&modlist;
	start_info.cmdline_paddr = (u32)cmdline;
	start_info.memmap_paddr = (u32)memmap;
	start_info.memmap_entries = n;
	out("booting vmlinux\n");
	jump_to_kernel(entry, (u32)&start_info);
}
