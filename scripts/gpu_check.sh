#!/usr/bin/env bash
# GPU acceptance check (issue 19 item 10): offline, one GPU, under 8 minutes. Writes one JSON that
# `repro plan --profile paper --throughput FILE` reads; paste its figures into docs/performance.md with the card.
#   scripts/gpu_check.sh [--out results/gpu_check.json]      # the paper's shapes on the visible GPU
#   scripts/gpu_check.sh --tiny --out /tmp/check.json        # tiny shapes, any device (its test, on a CPU)
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
PYTHON=${PYTHON:-.venv/bin/python}
out=results/gpu_check.json
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --tiny) args+=(--tiny); shift ;;
    *) echo "gpu_check.sh: unknown option $1 (--tiny, --out FILE)" >&2; exit 2 ;;
  esac
done
mkdir -p "$(dirname "$out")"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"  # this checkout's repro
timeout 480 "$PYTHON" scripts/gpu_check.py "${args[@]}" --out "$out"
profile=paper
case " ${args[*]:-} " in *" --tiny "*) profile=smoke ;; esac
"$PYTHON" -m repro.cli plan --profile "$profile" --throughput "$out" | tail -n 3
