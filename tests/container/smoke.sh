#!/usr/bin/env bash
# Container smoke test: build the image with podman on a Debian 12 base made locally with debootstrap, then run
# `repro all --profile smoke` inside it with networking off and the results directory bind-mounted.
# Exit status 0 only if the run exited 0 and wrote results/smoke/metrics.json (valid JSON). At the end it prints the
# figures: total wall time, build time, image size, and the wall time of `repro all` inside the container.
#
#   sudo tests/container/smoke.sh
#
# Needs root (debootstrap, rootful podman). Installs podman, runc, debootstrap, uidmap, ... with apt-get if missing.
# By default everything (debootstrap rootfs, base tarball, podman store, image, containers, results) lives in one temp
# dir and is removed on exit: nothing is left behind but the apt packages.
# Environment knobs (all optional):
#   REPRO_SMOKE_CACHE=1     keep the debootstrap base tarball and a private podman store holding the build's layer
#                           cache in REPRO_CONTAINER_CACHE (default ~/.cache/repro-container), so that a re-run skips
#                           debootstrap and unchanged build steps (the image built by the run is still untagged on exit)
#   REPRO_SMOKE_REFRESH=1   with REPRO_SMOKE_CACHE=1: re-run debootstrap even if the base tarball is cached
#   REPRO_SMOKE_PROFILE     profile to run (default smoke)
#   REPRO_SMOKE_KEEP_RESULTS=DIR  copy the container's results/ (and the build and run logs) there before cleaning up
#   REPRO_SMOKE_STORAGE_DRIVER    overlay | vfs (default: overlay if it works here, else vfs)
#   REPRO_SMOKE_TORCH_INDEX_URL   where the CPU torch comes from when no local torch-*+cpu wheel is in pip's find-links
#                                 (default https://download.pytorch.org/whl/cpu)
#   DEBIAN_MIRROR           (default http://deb.debian.org/debian)
# What it does with this machine's particulars:
#   - podman runs with --runtime runc, and with --ulimit nofile/nproc set at or below the host's hard limits (podman's
#     defaults exceed them here and are refused);
#   - pip inside the build uses the host's pip configuration: index-url / extra-index-url / find-links / trusted-host are
#     passed as build args, local (file://) mirrors and wheel dirs are bind-mounted read-only at the same paths
#     (podman build -v), the host's CA bundle goes in as the build secret `ca`, and the build has host networking so
#     that PyPI is reachable; torch is the local CPU wheel (TORCH_SPEC=torch==X+cpu) so no CUDA wheels are fetched.
#   - podman runs with a private store (in the temp dir, or under the cache dir), so the user's own podman images and
#     containers are never touched; on exit the containers and the image built by this run are removed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${REPRO_CONTAINER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/repro-container}
USE_CACHE=${REPRO_SMOKE_CACHE:-0}
PROFILE=${REPRO_SMOKE_PROFILE:-smoke}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
BASE_PACKAGES=python3,python3-venv,ca-certificates
RUN_ID="repro-smoke-$$-$(date +%s)"
IMAGE="localhost/repro-smoke:$RUN_ID"

T0=$(date +%s)
PHASES=()
PHASE=""
PHASE_T=$T0
log() { echo "smoke.sh [$(( $(date +%s) - T0 ))s] $*" >&2; }
phase() {  # phase NAME: close the previous phase (recording its duration), open NAME
    local now; now=$(date +%s)
    if [[ -n "$PHASE" ]]; then PHASES+=("$(printf '%-12s %5ss' "$PHASE" "$(( now - PHASE_T ))")"); fi
    PHASE=$1; PHASE_T=$now
    if [[ -n "$PHASE" ]]; then log "== $PHASE"; fi
}

HAD_VARLIB=0; [[ -e /var/lib/containers ]] && HAD_VARLIB=1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/repro-smoke.XXXXXX")
P=()            # the podman command line with the private store
STORE=""
RUNDIR=""
BUILT=0
BUILD_S=""; RUN_S=""; IMAGE_BYTES=""; IMAGE_HUMAN=""
LOGS=""          # where logs are kept after exit (cache mode or REPRO_SMOKE_KEEP_RESULTS); else printed on failure
cleanup() {
    local rc=$?
    set +e
    phase cleanup
    if (( ${#P[@]} )); then
        "${P[@]}" rm -f "$RUN_ID" "$RUN_ID-help" "$RUN_ID-check" >/dev/null 2>&1
        if [[ "$USE_CACHE" == 1 ]]; then
            # untag, not rmi: rmi would also delete the image's untagged parents, i.e. the runtime stage's cached layers
            if (( BUILT )); then "${P[@]}" untag "$IMAGE" >/dev/null 2>&1; fi
            # keep the layer cache bounded: drop dangling layers not used for a week
            "${P[@]}" image prune -f --filter until=168h >/dev/null 2>&1
        else
            if (( BUILT )); then "${P[@]}" rmi -f "$IMAGE" >/dev/null 2>&1; fi
            wipe_store
        fi
        rm -rf "$RUNDIR"
    fi
    rm -rf "$TMP"
    # podman's global blob-info cache, when this run is what created it (the private store lives elsewhere)
    if (( ! HAD_VARLIB )); then rm -rf /var/lib/containers; fi
    phase ""
    echo "---- smoke.sh timings (rc=$rc) ----" >&2
    printf '  %s\n' "${PHASES[@]}" >&2
    printf '  %-12s %5ss\n' total "$(( $(date +%s) - T0 ))" >&2
    echo "---- smoke.sh figures ----" >&2
    printf '  %-28s %s\n' "exit status" "$rc" \
        "total wall time" "$(( $(date +%s) - T0 ))s" \
        "image build (podman build)" "${BUILD_S:-n/a}${BUILD_S:+s}" \
        "image size" "${IMAGE_HUMAN:-n/a}${IMAGE_BYTES:+ ($IMAGE_BYTES bytes)}" \
        "repro all --profile $PROFILE" "${RUN_S:-n/a}${RUN_S:+s} (in the container, --network none)" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------------------------------
phase preflight
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=sudo; else
        log "needs root (debootstrap and rootful podman): run it with sudo"; exit 2; fi
fi
need=()
command -v podman >/dev/null || need+=(podman)
command -v runc >/dev/null || need+=(runc)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v newuidmap >/dev/null || need+=(uidmap)
command -v fuse-overlayfs >/dev/null || need+=(fuse-overlayfs)
command -v slirp4netns >/dev/null || need+=(slirp4netns)
[[ -x /usr/lib/podman/netavark || -x /usr/libexec/podman/netavark ]] || need+=(netavark aardvark-dns)
command -v iptables >/dev/null || need+=(iptables)
if (( ${#need[@]} )); then
    log "installing with apt-get: ${need[*]}"
    $SUDO apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
log "$(podman --version), $(runc --version | head -1)"

# ulimits: podman's defaults (nofile 1048576) exceed this host's hard limits and runc refuses them
hard_n=$(ulimit -Hn); hard_u=$(ulimit -Hu)
[[ "$hard_n" =~ ^[0-9]+$ ]] || hard_n=65536
[[ "$hard_u" =~ ^[0-9]+$ ]] || hard_u=32768
nofile=$(( hard_n < 65536 ? hard_n : 65536 )); nproc=$(( hard_u < 32768 ? hard_u : 32768 ))
ULIMITS=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")

# the host's pip configuration ($PIP_* variables win over pip.conf, as in pip itself)
# (any pip on the host reads the same config files; the project's .venv is only a fall-back. No pip: PyPI defaults.)
PIPCFG=""
for py in python3 "$ROOT/.venv/bin/python"; do
    if PIPCFG=$("$py" -m pip config list 2>/dev/null); then break; fi
done
pipcfg() {  # pipcfg KEY: the effective value of a pip option
    local v
    v=$(sed -n "s/^:env:\.$1='\(.*\)'\$/\1/p" <<<"$PIPCFG" | tail -1)
    [[ -n "$v" ]] || v=$(sed -n "s/^[a-z]*\.$1='\(.*\)'\$/\1/p" <<<"$PIPCFG" | tail -1)
    echo "$v"
}
PIP_INDEX=$(pipcfg index-url); PIP_EXTRA=$(pipcfg extra-index-url)
PIP_LINKS=$(pipcfg find-links); PIP_TRUSTED=$(pipcfg trusted-host)
CA=$(pipcfg cert)
for c in "$CA" "${PIP_CERT:-}" "${SSL_CERT_FILE:-}" "${REQUESTS_CA_BUNDLE:-}" /etc/ssl/certs/ca-certificates.crt; do
    if [[ -n "$c" && -s "$c" ]]; then CA=$c; break; fi
done
MOUNTS=()
mounted=" "
for loc in $PIP_INDEX $PIP_EXTRA $PIP_LINKS; do
    path=""
    case "$loc" in file://*) path=${loc#file://} ;; /*) path=$loc ;; esac
    [[ -n "$path" ]] || continue
    path=${path%/}
    [[ "$(basename "$path")" == simple ]] && path=$(dirname "$path")  # an index's files sit next to simple/
    if [[ -d "$path" && "$mounted" != *" $path "* ]]; then MOUNTS+=(-v "$path:$path:ro"); mounted+="$path "; fi
done
TORCH_PIN=$(grep -oE '"torch==[^"]+"' "$ROOT/pyproject.toml" | tr -d '"')
TORCH_VER=${TORCH_PIN#torch==}
TORCH_SPEC=$TORCH_PIN
TORCH_INDEX_URL=""
cpu_wheel=""
for loc in $PIP_LINKS; do
    d=${loc#file://}
    w=$(ls "$d"/torch-"$TORCH_VER"+cpu-*.whl 2>/dev/null | head -1 || true)
    if [[ -n "$w" ]]; then cpu_wheel=$w; break; fi
done
if [[ -n "$cpu_wheel" ]]; then
    TORCH_SPEC="torch==$TORCH_VER+cpu"
    log "torch: local CPU wheel $cpu_wheel"
else
    TORCH_SPEC="torch==$TORCH_VER+cpu"
    TORCH_INDEX_URL=${REPRO_SMOKE_TORCH_INDEX_URL:-https://download.pytorch.org/whl/cpu}
    log "torch: no local CPU wheel in find-links; using $TORCH_INDEX_URL"
fi
log "pip: index-url='${PIP_INDEX}' extra-index-url='${PIP_EXTRA}' find-links='${PIP_LINKS}' ca='${CA}' mounts='${mounted}'"

# the private podman store (cached, or throw-away)
if [[ "$USE_CACHE" == 1 ]]; then
    mkdir -p "$CACHE/logs"; LOGS="$CACHE/logs"
    exec 9>"$CACHE/lock"
    flock 9   # one smoke run at a time per cache
    DRIVER=${REPRO_SMOKE_STORAGE_DRIVER:-$(cat "$CACHE/storage-driver" 2>/dev/null || echo overlay)}
else
    DRIVER=${REPRO_SMOKE_STORAGE_DRIVER:-overlay}
fi
if [[ -n "${REPRO_SMOKE_KEEP_RESULTS:-}" ]]; then
    mkdir -p "$REPRO_SMOKE_KEEP_RESULTS"; LOGS=$(cd "$REPRO_SMOKE_KEEP_RESULTS" && pwd)
fi
keep_log() {  # keep_log FILE NAME: keep a log after exit where there is a place for it
    if [[ -n "$LOGS" ]]; then cp "$1" "$LOGS/$2"; fi
}
where_log() { if [[ -n "$LOGS" ]]; then echo "full log: $LOGS/$1"; else echo "REPRO_SMOKE_KEEP_RESULTS=DIR keeps the full log"; fi; }
set_store() {
    if [[ "$USE_CACHE" == 1 ]]; then STORE="$CACHE/storage-$DRIVER"; else STORE="$TMP/storage"; fi
    RUNDIR="/run/repro-container/$(echo "$STORE" | sha256sum | cut -c1-12)"   # tmpfs: podman's per-boot state
    P=(podman --root "$STORE" --runroot "$RUNDIR/storage" --tmpdir "$RUNDIR/libpod" --storage-driver "$DRIVER")
}
wipe_store() {  # empty and delete the private store (not `podman system reset`: that also touches global config)
    "${P[@]}" rm -af >/dev/null 2>&1
    "${P[@]}" rmi -af >/dev/null 2>&1
    rm -rf "$STORE" "$RUNDIR"
}
set_store

# ---------------------------------------------------------------------------------------------------------------------
phase base
KEY=$(echo "$SUITE minbase $BASE_PACKAGES $MIRROR" | sha256sum | cut -c1-12)
if [[ "$USE_CACHE" == 1 ]]; then BASE_TAR="$CACHE/debian-$SUITE-$KEY.tar"; else BASE_TAR="$TMP/debian-$SUITE-$KEY.tar"; fi
BASE_IMAGE="localhost/repro-smoke-base:$SUITE-$KEY"
if [[ ! -s "$BASE_TAR" || -n "${REPRO_SMOKE_REFRESH:-}" ]]; then
    log "debootstrap $SUITE (+$BASE_PACKAGES) from $MIRROR"
    $SUDO debootstrap --variant=minbase --include="$BASE_PACKAGES" "$SUITE" "$TMP/rootfs" "$MIRROR" \
        > "$TMP/debootstrap.log" 2>&1 || { tail -30 "$TMP/debootstrap.log" >&2; exit 1; }
    $SUDO rm -rf "$TMP"/rootfs/var/cache/apt/archives/*.deb "$TMP"/rootfs/var/lib/apt/lists/*
    $SUDO tar -C "$TMP/rootfs" --numeric-owner -cf "$BASE_TAR.tmp" .
    mv "$BASE_TAR.tmp" "$BASE_TAR"
    $SUDO rm -rf "$TMP/rootfs"
    "${P[@]}" rmi -f "$BASE_IMAGE" >/dev/null 2>&1 || true
else
    log "cached base $BASE_TAR"
fi
import_base() {
    if ! "${P[@]}" image exists "$BASE_IMAGE"; then
        "${P[@]}" import --quiet --change 'CMD ["/bin/bash"]' "$BASE_TAR" "$BASE_IMAGE" >/dev/null
    fi
    "${P[@]}" run --rm --runtime runc --network none "${ULIMITS[@]}" "$BASE_IMAGE" \
        python3 -c 'import venv, ensurepip, ssl' >/dev/null
}
if ! import_base 2>"$TMP/import.err"; then
    if [[ -z "${REPRO_SMOKE_STORAGE_DRIVER:-}" && "$DRIVER" == overlay ]]; then
        log "overlay storage does not work here ($(tail -1 "$TMP/import.err")); falling back to vfs"
        wipe_store || true
        DRIVER=vfs; set_store
        import_base
    else
        cat "$TMP/import.err" >&2; exit 1
    fi
fi
if [[ "$USE_CACHE" == 1 ]]; then echo "$DRIVER" > "$CACHE/storage-driver"; fi
log "storage driver: $DRIVER, store: $STORE"

# ---------------------------------------------------------------------------------------------------------------------
phase build
BUILD_ARGS=(--build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "TORCH_SPEC=$TORCH_SPEC"
            --build-arg "REVISION=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
            --build-arg "VERSION=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$ROOT/pyproject.toml" | head -1)"
            --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)")
[[ -n "$TORCH_INDEX_URL" ]] && BUILD_ARGS+=(--build-arg "TORCH_INDEX_URL=$TORCH_INDEX_URL")
[[ -n "$PIP_INDEX" ]] && BUILD_ARGS+=(--build-arg "PIP_INDEX_URL=$PIP_INDEX")
[[ -n "$PIP_EXTRA" ]] && BUILD_ARGS+=(--build-arg "PIP_EXTRA_INDEX_URL=$PIP_EXTRA")
[[ -n "$PIP_LINKS" ]] && BUILD_ARGS+=(--build-arg "PIP_FIND_LINKS=$PIP_LINKS")
[[ -n "$PIP_TRUSTED" ]] && BUILD_ARGS+=(--build-arg "PIP_TRUSTED_HOST=$PIP_TRUSTED")
SECRETS=()
[[ -n "$CA" ]] && SECRETS=(--secret "id=ca,src=$CA")
# The build context: the checkout's files (tracked + untracked, not git-ignored; .dockerignore then filters) copied
# with a fixed mtime, because buildah's layer cache keys COPY on mtimes too: a fresh checkout of the same commit then
# still hits the cached venv layer.
CTX=$ROOT
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    CTX="$TMP/context"; mkdir -p "$CTX"
    (cd "$ROOT" && git ls-files -z -co --exclude-standard \
        | tar --null -T - --ignore-failed-read --mtime=@0 -cf - 2>/dev/null) | tar -C "$CTX" -xf -
    find "$CTX" -type d -exec touch -d @0 {} +
fi
BUILT=1
t=$(date +%s)
if ! "${P[@]}" build --runtime runc "${ULIMITS[@]}" --network host --layers="$USE_CACHE" \
        "${MOUNTS[@]}" "${SECRETS[@]}" "${BUILD_ARGS[@]}" -t "$IMAGE" -f "$CTX/Dockerfile" "$CTX" \
        > "$TMP/build.log" 2>&1; then
    keep_log "$TMP/build.log" last-build.log
    grep -v '^WARNING: Location' "$TMP/build.log" | tail -60 >&2
    log "build FAILED ($(where_log last-build.log))"; exit 1
fi
BUILD_S=$(( $(date +%s) - t ))
keep_log "$TMP/build.log" last-build.log
log "cached build steps: $(grep -c '^--> Using cache' "$TMP/build.log" || true) of $(grep -c '^\[[0-9]*/[0-9]*\] STEP' "$TMP/build.log" || true)"
IMAGE_BYTES=$("${P[@]}" image inspect --format '{{.Size}}' "$IMAGE")
IMAGE_HUMAN=$("${P[@]}" image ls --format '{{.Size}}' "$IMAGE" | head -1)
log "image $IMAGE: $IMAGE_HUMAN ($IMAGE_BYTES bytes)"

# ---------------------------------------------------------------------------------------------------------------------
phase help
# the entrypoint works offline, as the non-root user
"${P[@]}" run --name "$RUN_ID-help" --rm --runtime runc --network none "${ULIMITS[@]}" "$IMAGE" --help > "$TMP/help.txt"
grep -q "Usage" "$TMP/help.txt" || { cat "$TMP/help.txt" >&2; log "repro --help failed"; exit 1; }

# ---------------------------------------------------------------------------------------------------------------------
phase run
mkdir -p "$TMP/results" "$TMP/hf"
chmod 0777 "$TMP/results" "$TMP/hf"   # the container runs as uid 1000
set +e
t=$(date +%s)
"${P[@]}" run --name "$RUN_ID" --rm --runtime runc --network none "${ULIMITS[@]}" \
    -v "$TMP/results:/app/results" -v "$TMP/hf:/cache/huggingface" \
    "$IMAGE" all --profile "$PROFILE" > "$TMP/run.log" 2>&1
run_rc=$?
RUN_S=$(( $(date +%s) - t ))
set -e
tail -15 "$TMP/run.log" >&2
keep_log "$TMP/run.log" last-run.log
if [[ -n "${REPRO_SMOKE_KEEP_RESULTS:-}" ]]; then cp -a "$TMP/results/." "$REPRO_SMOKE_KEEP_RESULTS/"; fi
METRICS="$TMP/results/$PROFILE/metrics.json"
if [[ $run_rc -ne 0 ]]; then
    grep -v '^ *done \|^\[[0-9:]*\] done \|^{' "$TMP/run.log" | tail -40 >&2
    log "repro all --profile $PROFILE exited $run_rc after ${RUN_S}s ($(where_log last-run.log))"; exit 1; fi
# valid JSON with results, checked with the image's own Python (the host may have none)
if ! [[ -s "$METRICS" ]] || ! "${P[@]}" run --name "$RUN_ID-check" --rm --runtime runc --network none "${ULIMITS[@]}" \
        -v "$TMP/results:/results:ro" --entrypoint python3 "$IMAGE" -c \
        'import json, sys; m = json.load(open(sys.argv[1])); assert m["results"], "no results"; print(len(m["results"]))' \
        "/results/$PROFILE/metrics.json" > "$TMP/check.txt"; then
    log "FAILED: results/$PROFILE/metrics.json missing, not JSON or without results"; ls -R "$TMP/results" >&2 || true
    exit 1
fi
log "OK: results/$PROFILE/metrics.json written ($(wc -c < "$METRICS") bytes, $(cat "$TMP/check.txt") results) in ${RUN_S}s"
