/* memmove for the image's redis-server, linked before musl's: LLVM libc's,
 * patched (images/patches/llvm-libc-memmove.patch), built three times by
 * images/build-redis.sh and chosen once at start: __memmove_x86_64_sse2
 * (16-byte moves, any x86-64), _avx2 (32-byte) and _avx512 (64-byte).
 * LPUSH inserts at the head of a listpack and moves the whole node, up to
 * 8 KB, a request (README, "Where the time goes"). musl has no IFUNC: a
 * pointer, set before main, does the same; until then it points to the
 * SSE2 build, which runs on any x86-64. memcpy is not chosen so: most of
 * Redis' copies are a few bytes (an LRANGE of 300 replies with 900 of
 * them), where the builds take the same time and a call through a pointer
 * costs more than it saves (README, "Where the time goes"). */
#include <stddef.h>

typedef void *move_fn(void *dst, const void *src, size_t n);
move_fn __memmove_x86_64_sse2, __memmove_x86_64_avx2, __memmove_x86_64_avx512;

static move_fn *memmove_impl = __memmove_x86_64_sse2;

void *memmove(void *dst, const void *src, size_t n)
{
    return memmove_impl(dst, src, n);
}

/* The choice glibc makes for its own: AVX-512 where the CPU has it, but on
 * Intel only with AVX-VNNI too (older Intel CPUs slow their clock for
 * 64-byte vectors), else AVX2 where the CPU has it. libgcc's CPU model
 * counts AVX2 and AVX-512 only where the kernel saves their registers
 * (XGETBV), as glibc's checks do. */
__attribute__((constructor)) static void memmove_pick(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") &&
        (!__builtin_cpu_is("intel") || __builtin_cpu_supports("avxvnni")))
        memmove_impl = __memmove_x86_64_avx512;
    else if (__builtin_cpu_supports("avx2"))
        memmove_impl = __memmove_x86_64_avx2;
}
