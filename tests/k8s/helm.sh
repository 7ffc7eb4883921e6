#!/bin/bash
# Builds helm, once, from the Go module proxy (helm.sh/helm/v4) into
# $K8S_CACHE/helm-v$HELMVER; prints its path. Needs Go.
set -euo pipefail
D=$(cd "$(dirname "$0")" && pwd); . "$D/env.sh"
if [ ! -x "$HELM" ]; then
    command -v go >/dev/null || { echo "helm: go is needed to build it" >&2; exit 1; }
    t=$(now); mkdir -p "${HELM%/*}"
    (cd / && CGO_ENABLED=0 GOFLAGS= GOBIN=${HELM%/*} go install -ldflags "-s -w" "helm.sh/helm/v4/cmd/helm@v$HELMVER") >&2
    echo "helm: built $HELMVER in $(( $(now) - t )) s" >&2
fi
echo "$HELM"
