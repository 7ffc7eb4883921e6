/* Linked into the static binary only. The linker's -z relro lays out the
 * data that only the relocations write (the GOT, .data.rel.ro: every
 * table of pointers, such as the settings table) on pages of their own,
 * and a loader is to make them read-only once it has relocated them.
 * musl's static PIE start (rcrt1.c) relocates and calls main, but never
 * does that: the pages stay writable (glibc's static PIE does protect
 * them). This constructor runs after the relocations and before main,
 * and does what the loader would. It cannot fail short of the kernel
 * refusing a process its own mapping; then nothing is started (exit 71,
 * like any system failure). */
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

extern const ElfW(Ehdr) __ehdr_start;   /* defined by the linker */

__attribute__((constructor)) static void relro_protect(void)
{
    const char *ehdr = (const char *)&__ehdr_start;
    const ElfW(Phdr) *ph = (const void *)(ehdr + __ehdr_start.e_phoff);
    uintptr_t base = 0, page = getauxval(AT_PAGESZ);

    for (int i = 0; i < __ehdr_start.e_phnum; i++)
        if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
            base = (uintptr_t)ehdr - ph[i].p_vaddr;
    for (int i = 0; i < __ehdr_start.e_phnum; i++) {
        if (ph[i].p_type != PT_GNU_RELRO)
            continue;
        uintptr_t start = (base + ph[i].p_vaddr) & -page;
        uintptr_t end = (base + ph[i].p_vaddr + ph[i].p_memsz) & -page;
        if (end > start && mprotect((void *)start, end - start, PROT_READ) < 0) {
            dprintf(2, "redis-init: cannot make the relocated data "
                    "read-only (RELRO): %s\n", strerror(errno));
            _exit(71);
        }
    }
}
