#!/usr/bin/env bash
# The page `dvc plots show` fills: builds .dvc/plots-page.html with scripts/plots_page.py (vega, vega-lite and
# vega-embed inlined from npm by pinned version and sha512) and names it in .dvc/config.local (plots.html_template),
# so that dvc_plots/index.html renders offline. Idempotent (a second run fetches nothing). Debian 12 / Ubuntu 24.04,
# as root or with sudo; after scripts/setup.sh (it runs .venv's dvc).
#
#   scripts/plots.sh              # npm from Debian when missing, then the page
#   scripts/plots.sh --browser    # also Debian's chromium and fonts-liberation, which tests/e2e/test_plots_page.py
#                                 # opens the page with (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "plots.sh: $*" >&2; }
SUDO=; [[ $(id -u) -eq 0 ]] || SUDO=sudo

PACKAGES=()
command -v npm >/dev/null || PACKAGES+=(npm)
case "${1:-}" in
    --browser)  # with a font for the charts' text (chromium only recommends one)
        command -v chromium >/dev/null || PACKAGES+=(chromium)
        dpkg-query -W -f='${Status}' fonts-liberation 2>/dev/null | grep -q "install ok installed" \
            || PACKAGES+=(fonts-liberation) ;;
    "") ;;
    *) echo "plots.sh: unknown argument '$1' (only --browser)" >&2; exit 2 ;;
esac
if (( ${#PACKAGES[@]} )); then
    log "installing ${PACKAGES[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
fi
python3 scripts/plots_page.py
# This checkout's default (.dvc/config.local, untracked): set only where the page exists, so that a clone without
# it keeps DVC's own page (which loads its scripts from a CDN) instead of failing on a missing template.
DVC=.venv/bin/dvc
[[ -x $DVC ]] || DVC=$(command -v dvc) || { log "dvc not found: run scripts/setup.sh first"; exit 1; }
"$DVC" config --local plots.html_template plots-page.html
log "dvc plots show fills .dvc/plots-page.html (dvc config --local plots.html_template)"
