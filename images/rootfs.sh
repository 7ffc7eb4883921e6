#!/bin/sh
# Stage the image's root file system in $1 from the static builds:
#   rootfs.sh DIR REDIS_INIT REDIS_BIN_DIR TEMPLATES_DIR
set -eu
root=$1/rootfs
rm -rf "$root"
mkdir -p "$root/usr/local/bin" "$root/etc/redis-init/templates" "$root/data"
cp "$2" "$root/usr/local/bin/redis-init"
cp "$3/redis-server" "$3/redis-cli" "$root/usr/local/bin/"
# redis-server runs as Sentinel when started under this name.
ln -s redis-server "$root/usr/local/bin/redis-sentinel"
cp "$4"/*.conf "$root/etc/redis-init/templates/"
printf 'root:x:0:0:root:/:/nonexistent\nredis:x:999:999:redis:/data:/nonexistent\n' \
    > "$root/etc/passwd"
printf 'root:x:0:\nredis:x:999:\n' > "$root/etc/group"
chmod 755 "$root/data"
