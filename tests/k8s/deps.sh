#!/bin/sh
# What the test cluster needs beyond `make deps`, from Debian (as root):
# containerd and runc (the CRI runtime), the CNI plugins (bridge, portmap,
# firewall, host-local), iptables and conntrack (kube-proxy), openssl (the
# certificates). Go (1.24 or later) must be on PATH to build Kubernetes.
set -eu
pkgs="containerd runc containernetworking-plugins iptables conntrack openssl
      ethtool iproute2 util-linux mount python3-redis"
missing=
for p in $pkgs; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
