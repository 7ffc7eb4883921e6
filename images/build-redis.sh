#!/bin/sh
# Build redis-server and redis-cli 7.0 fully static with musl from Debian's
# source package (7.0 is BSD-licensed) into $1/bin. Called by `make image`;
# a second call with the binaries present does nothing.
set -eu
out=$(mkdir -p "$1" && cd "$1" && pwd)
[ -x "$out/bin/redis-server" ] && [ -x "$out/bin/redis-cli" ] && exit 0
mkdir -p "$out/src" "$out/bin"
cd "$out/src"
ls redis_7.0.*.dsc >/dev/null 2>&1 || apt-get source --download-only -qq redis
rm -rf redis-src
dpkg-source -x redis_7.0.*.dsc redis-src >/dev/null
cd redis-src
# Debian's 0003 (get_current_dir_name) makes a musl static redis-server
# segfault when saving to disk fails: revert it.
patch -s -R -p1 < debian/patches/0003-Use-get_current_dir_name-over-PATHMAX.patch
unset LIBRARY_PATH
make -s -j"$(nproc)" -C src CC=musl-gcc MALLOC=libc LDFLAGS=-static \
    BUILD_TLS=no USE_SYSTEMD=no redis-server redis-cli >/dev/null
for b in redis-server redis-cli; do
    strip -s -o "$out/bin/$b" "src/$b"
done
