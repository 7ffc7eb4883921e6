/* Run by images/build-redis.sh before redis-server is linked: each build of
 * memmove (images/redis-memmove.c) against the same move made by hand
 * (musl's memcpy through a spare buffer), for every length up to 1,100
 * (past the 4-vector loop's start, 384 bytes for AVX-512, by more than a
 * turn) and some to 20,000, every alignment of the source in a 64-byte line
 * (every fifth past 256 bytes), and every distance between source and
 * destination up to 80 either way (overlapping both ways, as LPUSH's move
 * is) and some far apart. The AVX2 and AVX-512 builds are checked only where
 * the CPU has them; it says so. Exit 1 on the first wrong byte, naming the
 * build, length, alignment and distance. */
#include <stdio.h>
#include <string.h>

void *__memmove_x86_64_sse2(void *dst, const void *src, size_t n);
void *__memmove_x86_64_avx2(void *dst, const void *src, size_t n);
void *__memmove_x86_64_avx512(void *dst, const void *src, size_t n);

#define BASE 20100
#define ROOM (BASE + 64 + 20001 + 20000 + 64)
static unsigned char buf[ROOM], want[ROOM], tmp[20000];

/* One move of n bytes from BASE+a to BASE+a+d, checked byte by byte against
 * a copy moved by hand: the bytes moved, and the 64 around them kept. */
static int check(void *(*move)(void *, const void *, size_t), size_t n, size_t a, long d)
{
    size_t src = BASE + a, dst = src + (size_t)d;
    size_t lo = (d < 0 ? dst : src) - 64, hi = (d < 0 ? src : dst) + n + 64, i;
    for (i = lo; i < hi; i++)
        buf[i] = want[i] = (unsigned char)(i * 131 + n + (size_t)d);
    memcpy(tmp, want + src, n);
    memcpy(want + dst, tmp, n);
    void *r = move(buf + dst, buf + src, n);
    return r == buf + dst && memcmp(buf + lo, want + lo, hi - lo) == 0;
}

static int run(const char *name, void *(*move)(void *, const void *, size_t))
{
    static const size_t big[] = { 4000, 4096, 4099, 8191, 8192, 8197, 20000 };
    static const long far[] = { -20001, -8192, -4096, 4096, 8192, 20001 };
    unsigned long moves = 0;
    for (size_t n = 0; n <= 1100 + sizeof big / sizeof *big; n++) {
        size_t len = n <= 1100 ? n : big[n - 1101];
        for (size_t a = 0; a < 64; a += (len > 256 ? 5 : 1)) {
            for (long d = -80; d <= 80 + (long)(sizeof far / sizeof *far); d++) {
                long dist = d <= 80 ? d : far[d - 81];
                if (!check(move, len, a, dist)) {
                    fprintf(stderr, "redis-memmove-check: %s: wrong after moving %zu bytes "
                            "(source at 64n+%zu, destination %+ld)\n", name, len, a, dist);
                    return 1;
                }
                moves++;
            }
        }
    }
    printf("redis-memmove-check: %s: %lu moves right\n", name, moves);
    return 0;
}

int main(void)
{
    int bad = run("x86_64 (SSE2)", __memmove_x86_64_sse2);
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        bad |= run("x86_64 AVX2", __memmove_x86_64_avx2);
    else
        printf("redis-memmove-check: this CPU has no AVX2: that build not checked\n");
    if (__builtin_cpu_supports("avx512f"))
        bad |= run("x86_64 AVX-512", __memmove_x86_64_avx512);
    else
        printf("redis-memmove-check: this CPU has no AVX-512: that build not checked\n");
    return bad;
}
