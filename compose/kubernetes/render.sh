#!/bin/sh
# make k8s-manifests: the plain manifests are the Helm chart's rendered
# defaults, one source of truth. Writes redis/redis.yaml (release "redis")
# and cluster/cluster.yaml (release "redis-cluster", cluster.enabled=true)
# into DIR (default: beside this script). HELM names the helm binary.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
helm=${HELM:-helm}
render() { # FILE RELEASE USAGE [helm args]
    f=$1 rel=$2 use=$3; shift 3
    mkdir -p "$(dirname "$out/$f")"
    { printf '%s\n' \
        "# Rendered from the Helm chart compose/kubernetes/chart by \`make k8s-manifests\`" \
        "# (helm template $rel compose/kubernetes/chart${*:+ $*}): edit the chart, not this." \
        "#   kubectl create secret generic redis-password --from-file=password" \
        "#   kubectl apply -f compose/kubernetes/$f   (or -k compose/kubernetes/${f%/*})" \
        "# $use"
      "$helm" template "$rel" "$here/chart" "$@"; } > "$out/$f.tmp" ||
        { rm -f "$out/$f.tmp"; exit 1; }
    mv "$out/$f.tmp" "$out/$f"
}
render redis/redis.yaml redis \
    "One node (a test cluster): kubectl apply -k compose/kubernetes/redis-single-node"
render cluster/cluster.yaml redis-cluster \
    "One node (a test cluster): kubectl apply -k compose/kubernetes/cluster-single-node" \
    --set cluster.enabled=true
