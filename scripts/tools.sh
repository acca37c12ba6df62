#!/usr/bin/env bash
# Builds the third-party tools the output renderers are checked against (pykro render --helm/--kustomize/--compose),
# from their Go modules through the module proxy, into a version-keyed cache outside the repository:
#
#   scripts/tools.sh build    build whatever is missing (helm, kustomize, compose-check, gotemplate-check); idempotent
#   scripts/tools.sh bindir   print the directory holding the binaries
#
# Environment: PYKRO_TOOLS_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/pykro-tools), GO (default: go on PATH, else
# /usr/local/go/bin/go). The tests find the binaries through `bindir` (tests/render/tools.py).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HELM_VERSION=v4.3.2
KUSTOMIZE_VERSION=v5.8.1
COMPOSE_GO_VERSION=$(awk '$2 == "github.com/compose-spec/compose-go/v2" {print $3}' "$HERE/composecheck/go.mod")

CACHE=${PYKRO_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pykro-tools}
BIN="$CACHE/helm-$HELM_VERSION-kustomize-$KUSTOMIZE_VERSION-compose-go-$COMPOSE_GO_VERSION/bin"

if [[ -z ${GO:-} ]]; then
    GO=$(command -v go || echo /usr/local/go/bin/go)
fi

log() { printf '[tools] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

build() { # build <name> <dir> <go args...>: one niced `go` step leaving $BIN/<name>
    local name=$1 dir=$2 start=$SECONDS gobin
    shift 2
    log "building $name (nice -n 19, GOFLAGS=-p=2) ..."
    gobin=$(mktemp -d "$CACHE/gobin.XXXXXX")
    if ! (cd "$dir" && nice -n 19 env GOFLAGS="-p=2 -buildvcs=false" GOBIN="$gobin" "$GO" "$@") \
        >"$CACHE/build-$name.log" 2>&1; then
        cat "$CACHE/build-$name.log" >&2
        rm -rf "$gobin"
        die "building $name failed (log: $CACHE/build-$name.log)"
    fi
    mv "$gobin"/* "$BIN/$name"
    rm -rf "$gobin"
    log "built $name in $((SECONDS - start))s"
}

cmd_build() {
    [[ -x $GO ]] || command -v "$GO" >/dev/null || die "no Go toolchain (set GO=/path/to/go)"
    mkdir -p "$BIN"
    # `go install pkg@version` ignores any go.mod: run it from the cache directory.
    [[ -x $BIN/helm ]] || build helm "$CACHE" install -ldflags "-s -w" "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
    [[ -x $BIN/kustomize ]] ||
        build kustomize "$CACHE" install -ldflags "-s -w" "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
    [[ -x $BIN/compose-check ]] || build compose-check "$HERE/composecheck" install -mod=readonly -ldflags "-s -w" .
    # Go text/template + Sprig v3 (helm's version) + Lynq's functions, for tests/gotemplate's differential test.
    [[ -x $BIN/gotemplate-check ]] ||
        build gotemplate-check "$HERE/../tools/gotemplate-check" install -mod=readonly -ldflags "-s -w" .
    return 0
}

case ${1:-} in
    build) cmd_build ;;
    bindir) echo "$BIN" ;;
    *) die "usage: $0 build|bindir" ;;
esac
