"""Phase 1's tokenizer: the same corpus gives the same tokenizer in any process (everything downstream rests on it)."""

import json
import random
import subprocess
import sys
from pathlib import Path

TRAIN = """
import hashlib, json, sys
from repro.models.tiny import train_tokenizer
tok = train_tokenizer(json.loads(open(sys.argv[1]).read()), 300, 64)
print(hashlib.sha256(tok.backend_tokenizer.to_str().encode()).hexdigest(), len(tok))
"""


def test_tokenizer_training_is_deterministic_across_processes(tmp_path: Path):
    rng = random.Random(0)
    words = ["anna", "plays", "the", "guitar", "in", "paris", "Берлин", "играет", "北京", "音乐", "2019", "$40"]
    corpus = [" ".join(rng.choice(words) for _ in range(rng.randint(3, 12))) for _ in range(500)]
    (tmp_path / "corpus.json").write_text(json.dumps(corpus))
    runs = {subprocess.run([sys.executable, "-c", TRAIN, str(tmp_path / "corpus.json")], capture_output=True,
                           text=True, check=True).stdout.strip() for _ in range(3)}
    assert len(runs) == 1, runs
    digest, size = runs.pop().split()
    assert int(size) > 20  # special tokens plus learned pieces
