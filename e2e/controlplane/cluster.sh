#!/usr/bin/env bash
# A real Kubernetes control plane on loopback for pykro's end-to-end tests:
# etcd, kube-apiserver and kube-controller-manager (built from ./go.mod), kwok and the KRO controller.
# There is no kubelet or scheduler: kube-controller-manager runs only the controllers that need none
# (horizontal pod autoscaling, garbage collection, namespaces) and kwok reports Deployments available
# (kwok-stages.yaml).
#
#   cluster.sh build        build missing binaries into the version-keyed cache (Go module proxy only)
#   cluster.sh up           build, then start everything (fresh etcd), install kro's CRDs, wait for health; when
#                           etcd and kube-apiserver already answer, restart only the components that do not
#   cluster.sh down         stop every process `up` started (by pid file); idempotent
#   cluster.sh status       print what answers (liveness endpoints), what runs without answering, what is stopped
#   cluster.sh kubeconfig   print the kubeconfig path `up` writes
#
# Environment: PYKRO_E2E_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/pykro-e2e), PYKRO_E2E_PORT_BASE (default 26400),
# GO (default: go on PATH, else /usr/local/go/bin/go). See docs/e2e.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
KRO_CRDS="$REPO/../shared/fixtures/kro/helm/crds"

# Versions: kube-apiserver and etcd come from go.mod (one place); kro and kwok are installed at these tags.
K8S_VERSION=$(awk '$1 == "k8s.io/kubernetes" {print $2}' "$HERE/go.mod")
ETCD_VERSION=$(awk '$1 == "go.etcd.io/etcd/server/v3" {print $2}' "$HERE/go.mod")
KRO_VERSION=v0.9.3
KWOK_VERSION=v0.7.0

CACHE=${PYKRO_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pykro-e2e}
BIN="$CACHE/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kro-$KRO_VERSION-kwok-$KWOK_VERSION/bin"
STATE="$CACHE/run"
PIDS="$STATE/pids"
LOGS="$STATE/logs"
PKI="$STATE/pki"
KUBECONFIG_FILE="$STATE/kubeconfig"

PORT_BASE=${PYKRO_E2E_PORT_BASE:-26400}
ETCD_PORT=$((PORT_BASE + 1))
ETCD_PEER_PORT=$((PORT_BASE + 2))
API_PORT=$((PORT_BASE + 3))
KRO_METRICS_PORT=$((PORT_BASE + 4))
KRO_PROBE_PORT=$((PORT_BASE + 5))
KWOK_PORT=$((PORT_BASE + 6))
KCM_PORT=$((PORT_BASE + 7))
SERVER="https://127.0.0.1:$API_PORT"

# Start order; `down` stops in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kwok kro)

if [[ -z ${GO:-} ]]; then
    GO=$(command -v go || echo /usr/local/go/bin/go)
fi

log() { printf '[e2e] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------------------- build

go_build() { # go_build <name> <go args...>: one niced build step producing $BIN/<name>; logs its time and size
    local name=$1 start=$SECONDS gobin
    shift
    log "building $name (nice -n 19, GOFLAGS=-p=2) ..."
    gobin=$(mktemp -d "$CACHE/gobin.XXXXXX")
    if ! nice -n 19 env GOFLAGS="-p=2 -buildvcs=false" GOBIN="$gobin" "$GO" "$@" >"$CACHE/build-$name.log" 2>&1; then
        cat "$CACHE/build-$name.log" >&2
        die "building $name failed (log: $CACHE/build-$name.log)"
    fi
    if [[ ! -e $BIN/$name ]]; then # `go install` wrote into the scratch GOBIN under the package's own name
        mv "$gobin"/* "$BIN/$name"
    fi
    rm -rf "$gobin"
    local took=$((SECONDS - start))
    log "built $name in ${took}s"
    printf '%s %s %ss %s\n' "$(date -u +%FT%TZ)" "$name" "$took" "$(du -h "$BIN/$name" | cut -f1)" >>"$BIN/../build-times.txt"
}

cmd_build() {
    [[ -x $GO ]] || command -v "$GO" >/dev/null || die "no Go toolchain (set GO=/path/to/go)"
    mkdir -p "$BIN"
    local ver="-X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitTreeState=clean"
    ver+=" -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION -X k8s.io/client-go/pkg/version.gitTreeState=clean"
    local major=${K8S_VERSION#v} && major=${major%%.*}
    local minor=${K8S_VERSION#v*.} && minor=${minor%%.*}
    ver+=" -X k8s.io/component-base/version.gitMajor=$major -X k8s.io/component-base/version.gitMinor=$minor"
    ver+=" -X k8s.io/client-go/pkg/version.gitMajor=$major -X k8s.io/client-go/pkg/version.gitMinor=$minor"
    if [[ ! -x $BIN/kube-apiserver ]]; then
        (cd "$HERE" && go_build kube-apiserver build -mod=readonly -ldflags "-s -w $ver" -o "$BIN/kube-apiserver" \
            k8s.io/kubernetes/cmd/kube-apiserver)
    fi
    if [[ ! -x $BIN/kube-controller-manager ]]; then
        (cd "$HERE" && go_build kube-controller-manager build -mod=readonly -ldflags "-s -w $ver" \
            -o "$BIN/kube-controller-manager" k8s.io/kubernetes/cmd/kube-controller-manager)
    fi
    if [[ ! -x $BIN/etcd ]]; then
        (cd "$HERE" && go_build etcd build -mod=readonly -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3)
    fi
    # `go install pkg@version` ignores ./go.mod: run it from outside the repository all the same.
    if [[ ! -x $BIN/kro ]]; then
        (cd "$CACHE" && go_build kro install -ldflags "-s -w" "github.com/kubernetes-sigs/kro/cmd/controller@$KRO_VERSION")
    fi
    if [[ ! -x $BIN/kwok ]]; then
        (cd "$CACHE" && go_build kwok install -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION")
    fi
    log "binaries in $BIN"
}

# -------------------------------------------------------------------------------------------------------- process

pid_of() { # pid_of <component>: the recorded pid if that process is still the one we started
    local file="$PIDS/$1.pid" pid
    [[ -f $file ]] || return 1
    pid=$(<"$file")
    [[ -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$BIN/$1 " || return 1
    echo "$pid"
}

start() { # start <component> <args...>
    local name=$1; shift
    log "starting $name"
    setsid "$BIN/$name" "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
    echo $! >"$PIDS/$name.pid"
}

stop() { # stop <component>: SIGTERM, then SIGKILL after 20 s
    local name=$1 pid i
    if pid=$(pid_of "$name"); then
        log "stopping $name (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 200; i++)); do
            [[ -d /proc/$pid ]] || break
            sleep 0.1
        done
        [[ -d /proc/$pid ]] && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PIDS/$name.pid"
}

wait_for() { # wait_for <what> <seconds> <command...>: poll until the command succeeds
    local what=$1 limit=$2 i; shift 2
    for ((i = 0; i < limit * 4; i++)); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.25
    done
    die "$what did not become healthy within ${limit}s (logs: $LOGS)"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

api() { # api <curl args...>: an authenticated request to the apiserver
    curl -sf --cacert "$PKI/ca.crt" -H "Authorization: Bearer $(<"$PKI/token")" "$@"
}

# ------------------------------------------------------------------------------------------------------------ pki

make_pki() {
    rm -rf "$PKI" && mkdir -p "$PKI"
    (
        cd "$PKI"
        openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 -subj "/CN=pykro-e2e-ca" 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
        printf 'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc\n' >san.ext
        openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 30 \
            -extfile san.ext 2>/dev/null
        openssl genrsa -out sa.key 2048 2>/dev/null
        openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
        openssl rand -hex 32 >token
        printf '%s,pykro-e2e-admin,pykro-e2e-admin,"system:masters"\n' "$(<token)" >tokens.csv
        chmod 600 ./*.key token tokens.csv
    )
}

write_kubeconfig() {
    cat >"$KUBECONFIG_FILE" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: pykro-e2e
  cluster:
    server: $SERVER
    certificate-authority: $PKI/ca.crt
users:
- name: pykro-e2e-admin
  user:
    token: $(<"$PKI/token")
contexts:
- name: pykro-e2e
  context:
    cluster: pykro-e2e
    user: pykro-e2e-admin
current-context: pykro-e2e
EOF
    chmod 600 "$KUBECONFIG_FILE"
}

# ------------------------------------------------------------------------------------------------------------- up

install_crds() { # server-side apply kro's CRDs, then wait until each is Established
    local file name
    for file in "$KRO_CRDS"/*.yaml; do
        name=$(awk '/^metadata:/ {m = 1; next} m && /^  name:/ {print $2; exit}' "$file")
        api -X PATCH -H "Content-Type: application/apply-patch+yaml" --data-binary "@$file" \
            "$SERVER/apis/apiextensions.k8s.io/v1/customresourcedefinitions/$name?fieldManager=pykro-e2e&force=true" \
            >/dev/null || die "applying CRD $file failed"
        wait_for "CRD $name" 60 crd_established "$name"
    done
}

crd_established() {
    api "$SERVER/apis/apiextensions.k8s.io/v1/customresourcedefinitions/$1" | tr -d ' \n' |
        grep -q '"type":"Established","status":"True"'
}

# One launcher and one liveness probe per component (COMPONENTS order). Liveness is what the component answers,
# never a pid file: an interrupted run leaves pid files of processes that are gone.
launch_etcd() {
    start etcd --name=pykro-e2e --data-dir="$STATE/etcd" --unsafe-no-fsync \
        --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
        --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
        --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
        --initial-cluster="pykro-e2e=http://127.0.0.1:$ETCD_PEER_PORT" --listen-metrics-urls=
    wait_for etcd 60 alive_etcd
}

launch_kube-apiserver() {
    start kube-apiserver --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
        --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
        --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" --client-ca-file="$PKI/ca.crt" \
        --token-auth-file="$PKI/tokens.csv" --authorization-mode=RBAC \
        --service-account-issuer=https://kubernetes.default.svc.cluster.local \
        --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
        --service-cluster-ip-range=10.0.0.0/24 --disable-admission-plugins=ServiceAccount \
        --profiling=false --v=1
    wait_for kube-apiserver 180 alive_kube-apiserver
    install_crds
}

launch_kube-controller-manager() {
    start kube-controller-manager --kubeconfig="$KUBECONFIG_FILE" --leader-elect=false \
        --controllers=horizontalpodautoscaling,garbagecollector,namespace --horizontal-pod-autoscaler-sync-period=2s \
        --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --cert-dir="$STATE/kcm-certs" --v=1
    wait_for kube-controller-manager 60 alive_kube-controller-manager
}

launch_kwok() {
    start kwok --kubeconfig="$KUBECONFIG_FILE" --config="$HERE/kwok-stages.yaml" \
        --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
        --server-address="127.0.0.1:$KWOK_PORT"
    wait_for kwok 60 alive_kwok
}

launch_kro() {
    start kro --kubeconfig="$KUBECONFIG_FILE" --metrics-bind-address="127.0.0.1:$KRO_METRICS_PORT" \
        --health-probe-bind-address="127.0.0.1:$KRO_PROBE_PORT"
    wait_for kro 120 alive_kro
}

alive_etcd() { curl -sf --max-time 5 "http://127.0.0.1:$ETCD_PORT/health" >/dev/null 2>&1; }
alive_kube-apiserver() { [[ -f $PKI/token ]] && api --max-time 5 "$SERVER/readyz" >/dev/null 2>&1; }
alive_kube-controller-manager() { curl -sfk --max-time 5 "https://127.0.0.1:$KCM_PORT/healthz" >/dev/null 2>&1; }
alive_kwok() { curl -sf --max-time 5 "http://127.0.0.1:$KWOK_PORT/healthz" >/dev/null 2>&1; }
alive_kro() { curl -sf --max-time 5 "http://127.0.0.1:$KRO_PROBE_PORT/readyz" >/dev/null 2>&1; }

cmd_up() {
    [[ -d $KRO_CRDS ]] || die "kro's CRDs are missing: expected $KRO_CRDS (the shared/ directory beside the repo)"
    command -v openssl >/dev/null || die "openssl is required (apt-get install openssl)"
    command -v curl >/dev/null || die "curl is required (apt-get install curl)"
    cmd_build
    local name started=$SECONDS restarted=0
    if alive_etcd && alive_kube-apiserver; then # the store and the API answer: restart only what does not
        for name in "${COMPONENTS[@]:2}"; do
            if ! "alive_$name"; then
                log "$name does not answer: restarting it"
                stop "$name"
                "launch_$name"
                restarted=1
            fi
        done
        ((restarted)) || log "already running; kubeconfig: $KUBECONFIG_FILE"
        return 0
    fi
    log "etcd or kube-apiserver does not answer: starting the whole control plane afresh"
    cmd_down
    local port
    for port in "$ETCD_PORT" "$ETCD_PEER_PORT" "$API_PORT" "$KRO_METRICS_PORT" "$KRO_PROBE_PORT" "$KWOK_PORT" "$KCM_PORT"; do
        port_free "$port" || die "port $port on 127.0.0.1 is in use (set PYKRO_E2E_PORT_BASE to move all ports)"
    done
    rm -rf "$STATE/etcd" "$LOGS" && mkdir -p "$PIDS" "$LOGS"
    make_pki
    write_kubeconfig

    for name in "${COMPONENTS[@]}"; do
        "launch_$name"
    done

    log "control plane up in $((SECONDS - started))s; kubeconfig: $KUBECONFIG_FILE"
}

cmd_down() {
    local i
    for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
        stop "${COMPONENTS[i]}"
    done
}

cmd_status() {
    local name pid
    for name in "${COMPONENTS[@]}"; do
        if "alive_$name"; then
            printf '%-24s answering (pid %s)\n' "$name" "$(pid_of "$name" || echo unknown)"
        elif pid=$(pid_of "$name"); then
            printf '%-24s not answering (pid %s)\n' "$name" "$pid"
        else
            printf '%-24s stopped\n' "$name"
        fi
    done
    printf '%-24s %s\n%-24s %s\n' kubeconfig "$KUBECONFIG_FILE" binaries "$BIN"
}

case ${1:-} in
build) cmd_build ;;
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
kubeconfig) echo "$KUBECONFIG_FILE" ;;
*) die "usage: $0 build|up|down|status|kubeconfig" ;;
esac
