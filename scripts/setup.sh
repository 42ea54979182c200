#!/usr/bin/env bash
# Create/refresh the local environment from the hash-locked requirements.lock (the same lock the image uses).
#
#   scripts/setup.sh                 # .venv in the repository root
#   VENV=/path/to/venv PYTHON=python3.11 scripts/setup.sh
#   SETUP_FORCE=1 scripts/setup.sh   # reinstall even when the stamp says the venv is current
#
# Steps (idempotent; a second run with an unchanged lock/pyproject returns in about a second):
#   1. python3 -m venv .venv           (installs Debian's python3-venv via apt-get first if venv/ensurepip is missing)
#   2. pip install --require-hashes --no-deps -r requirements.lock   (every dependency except torch, hash-checked;
#      DS_BUILD_OPS=0 so deepspeed's sdist builds a pure-Python wheel without compiling CUDA/C++ ops)
#   3. pip install torch==<pyproject pin>   (the CPU build: pip's find-links / --index-url decides which build;
#      on a machine without a local CPU wheel set TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu)
#   4. pip install --no-deps -e .      (the project itself, editable)
#   5. pip check                       (the lock plus torch form a consistent set)
# pip's own configuration (pip.conf, PIP_* variables: mirrors, find-links, CA certificates) is honoured throughout.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}
LOCK=$ROOT/requirements.lock
TORCH_SPEC=${TORCH_SPEC:-$(grep -oE '"torch==[^"]+"' pyproject.toml | tr -d '"')}
STAMP=$VENV/.repro-setup.sha256

t0=$(date +%s)
log() { echo "setup.sh [$(( $(date +%s) - t0 ))s]: $*" >&2; }

want=$(cat "$LOCK" pyproject.toml "$0" | sha256sum | cut -d' ' -f1)
want="$want ${TORCH_SPEC} ${TORCH_INDEX_URL:-}"
if [[ -z "${SETUP_FORCE:-}" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" && -x "$VENV/bin/repro" ]] \
        && "$VENV/bin/python" -c 'import repro' 2>/dev/null; then
    log "$VENV is up to date with requirements.lock (delete $STAMP or set SETUP_FORCE=1 to reinstall)"
    exit 0
fi

# 1. the venv
if [[ ! -x "$VENV/bin/python" ]]; then
    if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
        log "python venv/ensurepip missing: installing Debian's python3-venv"
        SUDO=; [[ $(id -u) -eq 0 ]] || SUDO=sudo
        $SUDO apt-get update -q
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends python3-venv
    fi
    log "creating $VENV with $("$PYTHON" --version 2>&1)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)

# 2. everything but torch, hash-checked (--no-deps: the lock is complete; step 5 verifies it)
log "installing requirements.lock (--require-hashes)"
DS_BUILD_OPS=0 "${PIP[@]}" install -q --require-hashes --no-deps --use-pep517 -r "$LOCK"

# 3. torch: pinned by version; the build (CPU here) comes from pip's configuration or TORCH_INDEX_URL
log "installing $TORCH_SPEC"
if [[ -n "${TORCH_INDEX_URL:-}" ]]; then
    "${PIP[@]}" install -q "$TORCH_SPEC" --index-url "$TORCH_INDEX_URL"
else
    "${PIP[@]}" install -q "$TORCH_SPEC"
fi

# 4. the project
log "installing the project (editable, --no-deps)"
"${PIP[@]}" install -q --no-deps -e "$ROOT"

# 5. consistency
"${PIP[@]}" check >&2

# 6. on a machine without a GPU: DeepSpeed's CPU ops (Adam, shared-memory collectives) compiled now, once, into
#    torch's extension cache, rather than by the first ZeRO run (~90 s of a test or a user's first run)
if ! command -v nvidia-smi > /dev/null; then
    log "building DeepSpeed's CPU ops"
    DS_ACCELERATOR=cpu "$VENV/bin/python" -c 'from deepspeed.ops.op_builder.cpu import CPUAdamBuilder, ShareMemCommBuilder
for builder in (CPUAdamBuilder, ShareMemCommBuilder): builder().load(verbose=False)'
fi
echo "$want" > "$STAMP"
log "done: $("$VENV/bin/python" -c 'import torch; print("torch", torch.__version__)')"
