#!/bin/sh
# Build Redis 7.0 fully static with musl from Debian's source package (7.0 is
# BSD-licensed) into $1/bin (redis-server, redis-cli: stripped, for the
# image). The build tree, $1/src/redis-src, keeps everything else Redis'
# own test suites need (tests/redis/run.sh). Called by `make image`; a second
# call does nothing unless this script or a patch changed.
#
# How, and why (README, "The image"):
# - Debian's security fixes all stay; two of Debian's patches are reverted:
#   0003 (get_current_dir_name) makes a static musl redis-server segfault
#   when a save to disk fails; 0004 (USE_SYSTEM_JEMALLOC) links Debian's
#   shared libjemalloc, and its `#if USE_SYSTEM_JEMALLOC == yes` is true when
#   the flag is unset (0 == 0), which breaks the bundled jemalloc build.
# - MALLOC=jemalloc: Redis' bundled jemalloc 5.2.1, as upstream builds it.
#   musl's allocator is slow and fragments more.
# - memcpy, memmove, memcmp, bcmp, strcasecmp and strchr from LLVM's libc
#   (Debian's libllvmlibc-19-dev; memmove from its source, below), linked
#   before musl's: musl's are simple loops (memmove backwards is
#   `std; rep movsb`, memcmp a byte loop), and Redis spends its time in
#   them (listpack inserts move the whole node).
#   Counted with callgrind (tests/bench/redis-instr.sh), musl's strcasecmp
#   calls tolower() for every byte (Redis compares each command's name to
#   the command table's, 3 to 6 times a request: 84 instructions a call;
#   LLVM's 43, glibc's AVX2 one 60) and its strchr (4 to 6 a request: the
#   protocol's `\r`, a few bytes on) sets up a word-at-a-time scan (42
#   instructions a call; LLVM's byte loop 30, glibc's AVX2 one 20).
#   LLVM's strcasecmp orders bytes above 0x7f as signed chars where musl's
#   orders them unsigned: Redis only tests it for equality but for
#   Sentinel's tie-break on run ids, which are hex.
# - memmove three times from LLVM libc's source (Debian's
#   llvm-toolchain-19, its libc/ only) with its own compiler (clang-19),
#   patched (images/patches/llvm-libc-memmove.patch: 4 vectors a turn, the
#   stores aligned, as glibc's): for any x86-64 (16-byte SSE2 moves), for
#   AVX2 and for AVX-512, chosen at start as glibc chooses its own
#   (images/redis-memmove.c) and checked here against moves made by hand
#   (images/redis-memmove-check.c) before the link. LPUSH moves the whole
#   listpack node a request: with Debian's SSE2 build it was 14% of LPUSH's
#   time.
# - sections flags and --gc-sections keep the binaries small; redis-cli
#   keeps musl's malloc; -fno-asynchronous-unwind-tables drops .eh_frame
#   (220 KB of redis-server): nothing unwinds C code here (Redis' crash
#   backtrace needs glibc's backtrace(); jemalloc's profiling is off).
# - images/patches/redis-*.patch: our own, each explained in its header.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
# The build is redone when this script or a patch changed.
stamp=$(cat "$0" "$here"/patches/redis-*.patch "$here"/patches/llvm-*.patch "$here"/redis-memmove*.c | cksum)
[ -x "$out/bin/redis-server" ] && [ -x "$out/bin/redis-cli" ] &&
    [ "$(cat "$out/bin/.stamp" 2>/dev/null)" = "$stamp" ] && exit 0
rm -rf "$out/bin"
llvmlibc=${LLVMLIBC:-/usr/lib/llvm-19/lib/libllvmlibc.a}
[ -f "$llvmlibc" ] || { echo "build-redis.sh: $llvmlibc missing (apt-get install libllvmlibc-19-dev)" >&2; exit 1; }
mkdir -p "$out/src" "$out/bin"
cd "$out/src"
ls redis_7.0.*.dsc >/dev/null 2>&1 || apt-get source --download-only -qq redis
rm -rf redis-src
dpkg-source -x redis_7.0.*.dsc redis-src >/dev/null
cd redis-src
patch -s -R -p1 < debian/patches/0004-Add-support-for-USE_SYSTEM_JEMALLOC-flag.patch
patch -s -R -p1 < debian/patches/0003-Use-get_current_dir_name-over-PATHMAX.patch
for p in "$here"/patches/redis-*.patch; do
    [ -e "$p" ] || continue
    patch -s -p1 < "$p"
done
# LLVM libc's string functions, as plain objects (self-contained: no
# undefined symbols), so the linker never pulls musl's.
mkdir -p "$out/src/llvmlibc"
(cd "$out/src/llvmlibc" &&
    ar x "$llvmlibc" memcpy.cpp.o memcmp.cpp.o bcmp.cpp.o strcasecmp.cpp.o strchr.cpp.o)
# memmove from LLVM libc's source (Debian's llvm-toolchain-19, as
# libllvmlibc-19-dev), patched, built three times and renamed for
# images/redis-memmove.c.
if [ ! -f "$out/src/llvm/libc/src/string/memmove.cpp" ]; then
    rm -rf "$out/src/llvm" && mkdir -p "$out/src/llvm"
    (cd "$out/src/llvm" && apt-get source --download-only -qq llvm-toolchain-19 &&
        tar -xJf llvm-toolchain-19_*.orig.tar.xz --strip-components=1 --wildcards \
            '*/libc/src/string/*' '*/libc/src/__support/*' '*/libc/hdr/*' '*/libc/include/*' &&
        rm -f llvm-toolchain-19_*)
fi
llvm=$out/src/llvm-patched/libc
rm -rf "$out/src/llvm-patched" && mkdir -p "$llvm"
cp -a "$out/src/llvm/libc/." "$llvm"
(cd "$out/src/llvm-patched" && patch -s -p1 < "$here/patches/llvm-libc-memmove.patch")
m=$out/src/llvmlibc
mem=
for v in sse2: avx2:-mavx2 avx512:-mavx512f; do
    o=$m/memmove-${v%%:*}.o
    clang++-19 -std=c++17 -O2 ${v#*:} -fno-exceptions -fno-rtti -ffreestanding -fno-builtin \
        -DLIBC_NAMESPACE=__llvm_libc_${v%%:*} -DLIBC_COPT_PUBLIC_PACKAGING -I"$llvm" \
        -c "$llvm/src/string/memmove.cpp" -o "$o"
    objcopy --redefine-sym memmove=__memmove_x86_64_${v%%:*} "$o"
    mem="$mem $o"
done
musl-gcc -O2 -Wall -static "$here/redis-memmove-check.c" $mem -o "$m/redis-memmove-check"
"$m/redis-memmove-check"
musl-gcc -O2 -Wall -c "$here/redis-memmove.c" -o "$m/redis-memmove.o"
for o in redis-memmove memcpy.cpp memcmp.cpp bcmp.cpp strcasecmp.cpp strchr.cpp; do
    mem="$mem $m/$o.o"
done
# redis-cli needs no fast allocator: built apart with musl's (450 KB less).
rm -rf ../redis-cli-src
cp -a . ../redis-cli-src
unset LIBRARY_PATH
# jemalloc's own flags say -O3 -funroll-loops; the -O2 in CFLAGS comes after
# them: Debian's libjemalloc is built so too, and it is 150 KB smaller.
build() { # DIR MALLOC TARGET
    ${NICE:-nice -n 10} make -s -j"${JOBS:-2}" -C "$1/src" CC=musl-gcc MALLOC="$2" \
        BUILD_TLS=no USE_SYSTEMD=no \
        CFLAGS="-O2 -fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections" \
        LDFLAGS="-static -Wl,--gc-sections" REDIS_LDFLAGS="$mem" \
        "$3" >/dev/null
}
build . jemalloc all
build ../redis-cli-src libc redis-cli
strip -s -R .comment -o "$out/bin/redis-server" src/redis-server
strip -s -R .comment -o "$out/bin/redis-cli" ../redis-cli-src/src/redis-cli
echo "$stamp" > "$out/bin/.stamp"
