#!/bin/sh
# Build static musl copies of hiredis and libconfuse from Debian's source
# packages into $1 (lib/ and include/). Called by `make static`.
set -eu
out=$(mkdir -p "$1" && cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
src=$out/src
mkdir -p "$src" "$out/lib" "$out/include/hiredis"
cd "$src"
# hiredis' Makefile uses LIBRARY_PATH for its own install subdirectory.
unset LIBRARY_PATH

fetch() {   # package: download the source package once
    ls "$1"_*.dsc >/dev/null 2>&1 || apt-get source --download-only -qq "$1"
}

# hiredis 0.14.1 with Debian's patches (its CVE fix changes createArray's
# size argument to size_t in the function but not in read.h's pointer type).
# NDEBUG: no assert() of hiredis' own invariants, which would abort PID 1
# (and their texts cost 400 bytes). Both libraries are built for link-time
# optimisation (-flto; fat objects, so a link without it still works): the
# static link then inlines and drops across them as across redis-init's own
# files (1.7 KB less). Rebuilt when these flags change.
fetch hiredis
hflags="-Oz -DNDEBUG -fPIE -fstack-protector-strong -fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections -flto -ffat-lto-objects"
if [ "$(cat "$out/lib/hiredis.flags" 2>/dev/null)" != "$hflags" ]; then
    rm -rf hiredis-src
    dpkg-source -x hiredis_*.dsc hiredis-src >/dev/null
    sed -i 's/void \*(\*createArray)(const redisReadTask\*, int);/void *(*createArray)(const redisReadTask*, size_t);/' \
        hiredis-src/read.h
    make -s -C hiredis-src CC=musl-gcc libhiredis.a \
        OPTIMIZATION="$hflags"
    cp hiredis-src/libhiredis.a "$out/lib/"
    echo "$hflags" > "$out/lib/hiredis.flags"
    cp hiredis-src/*.h "$out/include/hiredis/"
fi

# libconfuse 3.3 from the orig tarball (Debian's .debian.tar.xz is gone from
# the archive), with the upstream fix for CVE-2022-40320. Its lexer reads
# the \ooo and \xhh escapes of a quoted value with sscanf, which pulls
# musl's whole scanf into the binary (4 KB): strtoul reads them the same
# (the lexer's patterns let only octal or hex digits through; flex makes
# lexer.c from lexer.l).
fetch libconfuse || true
cstamp="CVE-2022-40320 escapes-strtoul lto"
if [ "$(cat "$out/lib/libconfuse.stamp" 2>/dev/null)" != "$cstamp" ]; then
    rm -rf libconfuse-3.3
    tar xf libconfuse_3.3.orig.tar.xz
    (cd libconfuse-3.3 &&
     patch -s -p1 < "$here/patches/libconfuse-CVE-2022-40320.patch" &&
     sed -i -e 's/sscanf(yytext + 1, "%o", &result);/result = strtoul(yytext + 1, NULL, 8);/' \
            -e 's/sscanf(yytext + 2, "%x", &result);/result = strtoul(yytext + 2, NULL, 16);/' \
            src/lexer.l &&
     ! grep -q sscanf src/lexer.l &&
     ./autogen.sh >/dev/null 2>&1 &&
     ./configure -q CC=musl-gcc CFLAGS="-Oz -fPIE -fstack-protector-strong -fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections -flto -ffat-lto-objects" --disable-shared --enable-static \
         --disable-nls --disable-examples --prefix="$out" &&
     make -s -C src && make -s -C src install) >/dev/null
    echo "$cstamp" > "$out/lib/libconfuse.stamp"
fi
# make rebuilds the libraries when this script changes: mark them current
# even when the stamps above found nothing to redo.
touch "$out/lib/libhiredis.a" "$out/lib/libconfuse.a"
