/* memmove for the image's redis-server, linked before musl's: LLVM libc's,
 * built twice, and chosen once at start. __memmove_x86_64 is Debian's build
 * (libllvmlibc-19-dev: 16-byte SSE2 moves, for any x86-64);
 * __memmove_x86_64_avx2 is the same source (Debian's llvm-toolchain-19)
 * built with -mavx2 by images/build-redis.sh (32-byte moves). LPUSH inserts
 * at the head of a listpack and moves the whole node, up to 8 KB, a request:
 * moving 4,000 bytes took the SSE2 build 72-82 ns, the AVX2 build 45-53,
 * glibc's 34-44 (README, The image). musl has no
 * IFUNC: a pointer, set before main, does the same; until then it points
 * to the SSE2 build, which runs on any x86-64. */
#include <stddef.h>

void *__memmove_x86_64(void *dst, const void *src, size_t n);
void *__memmove_x86_64_avx2(void *dst, const void *src, size_t n);

static void *(*memmove_impl)(void *, const void *, size_t) = __memmove_x86_64;

void *memmove(void *dst, const void *src, size_t n)
{
    return memmove_impl(dst, src, n);
}

/* libgcc's CPU model: AVX2 only when the kernel saves the YMM registers
 * too (XGETBV), as glibc's IFUNC resolvers check. */
__attribute__((constructor)) static void memmove_pick(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        memmove_impl = __memmove_x86_64_avx2;
}
