"""scripts/gpu_check.sh end to end on this CPU (--tiny): one JSON that `repro plan --throughput` reads."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_gpu_check_tiny_writes_what_the_plan_reads(tmp_path):
    out = tmp_path / "check.json"
    env = {**os.environ, "PYTHON": sys.executable, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([str(ROOT / "scripts/gpu_check.sh"), "--tiny", "--out", str(out)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "total" in done.stdout  # the plan's table, priced from the file
    result = json.loads(out.read_text())
    assert result["tokens_per_second"] > 0 and result["step_seconds"] > 0 and result["config"]["profile"] == "smoke"
    checks = result["checks"]
    assert checks["tiny"] and checks["faithful"]["config"]["faithful"] and checks["zero3_offload"] is None  # no GPU
    code = checks["code_intermediate_step"]
    assert code["checkpointing"] and code["label_positions"] and code["micro_batch"] * code["grad_accum"] == 32
    assert code["measured_gib"] > 0 and code["plan_peak_gib"] > 0
    assert checks["generate"]["tokens_per_second"] > 0
