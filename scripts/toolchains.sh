#!/usr/bin/env bash
# Install the toolchains `repro execute` runs generated code with (HumanEval-X / HumanEval-XL), then build their
# caches; idempotent (a second run installs nothing and returns in seconds). Debian 12 / Ubuntu 24.04, as root or
# with sudo. See docs/execution.md.
#
#   scripts/toolchains.sh            # everything
#   NODE_PREFIX=/opt/repro-node scripts/toolchains.sh   (where js-md5 and lodash go; repro reads REPRO_NODE_PATH)
#
# From Debian: bubblewrap + util-linux's setpriv (the sandbox), g++ with libboost-dev and libssl-dev (CPP/22,
# CPP/162), OpenJDK 17, golang-go with golang-github-stretchr-testify-dev (GOPATH mode, offline), rustc + cargo with
# librust-{rand,regex,md5}-dev (built offline into rlibs), nodejs (+ npm when it lacks one). From npm: js-md5 0.7.3
# (JS/162) and lodash 4.17.21 (HumanEval-XL's JavaScript tests) into $NODE_PREFIX.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_PREFIX=${NODE_PREFIX:-/opt/repro-node}
PACKAGES=(bubblewrap util-linux coreutils g++ libboost-dev libssl-dev openjdk-17-jdk-headless golang-go
          golang-github-stretchr-testify-dev rustc cargo python3-numpy)  # numpy: CodeGeeX's Python header
# With their recommends: the crates' default features (rand's std/std_rng, regex's perf/unicode) are separate
# librust-*+feature-dev packages that the -dev packages only recommend.
CRATES=(librust-rand-dev librust-regex-dev librust-md5-dev)
log() { echo "toolchains.sh: $*" >&2; }
SUDO=; [[ $(id -u) -eq 0 ]] || SUDO=sudo

command -v node >/dev/null || PACKAGES+=(nodejs)
command -v npm >/dev/null || PACKAGES+=(npm)
# Debian 13 moved setpriv out of util-linux into its own package.
if ! command -v setpriv >/dev/null && apt-cache show setpriv >/dev/null 2>&1; then PACKAGES+=(setpriv); fi
absent() {  # the packages among "$@" that are not installed
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
    done
}
mapfile -t missing < <(absent "${PACKAGES[@]}")
mapfile -t missing_crates < <(absent "${CRATES[@]}")
if (( ${#missing[@]} + ${#missing_crates[@]} )); then
    log "installing ${missing[*]} ${missing_crates[*]}"
    $SUDO apt-get update -q
    if (( ${#missing[@]} )); then
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
    if (( ${#missing_crates[@]} )); then
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing_crates[@]}"
    fi
else
    log "Debian packages present"
fi

# One npm call for all modules: a second `npm install --prefix` would prune the first one's package.
MODULES=(js-md5@0.7.3 lodash@4.17.21)
for module in "${MODULES[@]}"; do
    if [[ ! -f "$NODE_PREFIX/node_modules/${module%@*}/package.json" ]]; then
        log "npm: installing ${MODULES[*]} into $NODE_PREFIX"
        $SUDO mkdir -p "$NODE_PREFIX"
        $SUDO npm install --no-audit --no-fund --prefix "$NODE_PREFIX" "${MODULES[@]}" >&2
        break
    fi
done

# The Rust rlibs and the warm Go cache (in ~/.cache/repro/execution, or $REPRO_EXEC_CACHE); one line per language.
PY=python3; [[ -x .venv/bin/python ]] && PY=.venv/bin/python
REPRO_NODE_PATH="$NODE_PREFIX/node_modules" "$PY" -m repro.execution
