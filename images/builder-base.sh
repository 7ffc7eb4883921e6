#!/bin/sh
# Make a Debian bookworm base image with debootstrap + docker import, for
# testing images/Dockerfile.build where no image can be pulled. Tag: $1.
# Does nothing when the image exists.
set -eu
tag=$1
docker image inspect "$tag" >/dev/null 2>&1 && exit 0
dir=$(mktemp -d /tmp/redis-init-bootstrap.XXXXXX)
trap 'rm -rf "$dir"' EXIT
debootstrap --variant=minbase bookworm "$dir" http://deb.debian.org/debian >/dev/null
tar -C "$dir" -c . | docker import - "$tag" >/dev/null
