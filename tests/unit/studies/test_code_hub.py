"""The code study's pinned release files (repro/studies/code/hub.py): the real HumanEval-X and HumanEval-XL bytes of
../shared/real-data laid out at their pinned commits pass the manifest's checksums (Rust included) and land in the
layout the execution side reads; a changed byte, and an unpinned input, are refused in one line."""

import gzip
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import datasets
import pytest
import yaml

from repro.data import manifest
from repro.studies.code.hub import download
from repro.errors import UserError

REAL = Path(__file__).resolve().parents[3].parent / "shared" / "real-data"
STAND_IN = "0123456789abcdef0123456789abcdef01234567"  # a commit for repositories the manifest has none for (test only)
CODE = SimpleNamespace(benchmarks=SimpleNamespace(humaneval_x=["python", "rust"],
                                                  humaneval_xl={"python": ["English", "German"]}),
                       sources=SimpleNamespace(train_rows=2))


def _releases(tmp_path: Path, monkeypatch) -> Path:
    if not REAL.is_dir():
        pytest.skip(f"real-data samples {REAL} not present")
    pins = manifest.load_manifest()
    x = tmp_path / "data" / "releases" / "THUDM/CodeGeeX" / pins["humaneval_x"].repo.sha
    for language in CODE.benchmarks.humaneval_x:
        (relative,) = pins["humaneval_x"].paths("test", language=language)
        (x / relative).parent.mkdir(parents=True)
        shutil.copyfile(REAL / "humaneval-x" / f"humaneval_{language}.jsonl.gz", x / relative)
    xl = tmp_path / "data" / "releases" / "FloatAI/humaneval-xl" / pins["humaneval_xl"].repo.sha
    shutil.copytree(REAL / "humaneval-xl" / "python", xl / "data" / "python")
    monkeypatch.chdir(tmp_path)  # the project: its data/ holds what `repro fetch` brought
    return x


def _articles(tmp_path: Path, monkeypatch) -> None:
    """CNN/DailyMail's parquet shards at a stand-in commit under data/hub/, offline."""
    from huggingface_hub import constants

    raw = yaml.safe_load(manifest.MANIFEST.read_text())
    raw["repos"]["abisee/cnn_dailymail"]["sha"] = STAND_IN
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump(raw))
    monkeypatch.setattr(manifest, "MANIFEST", tmp_path / "manifest.yaml")
    snapshot = tmp_path / "data" / "hub" / "abisee" / "cnn_dailymail" / STAND_IN / "3.0.0"
    snapshot.mkdir(parents=True)
    for split in ("train", "validation", "test"):
        rows = {"article": [f"{split} article {i}" for i in range(3)], "highlights": ["h"] * 3,
                "id": [f"{split}{i}" for i in range(3)]}
        datasets.Dataset.from_dict(rows).to_parquet(str(snapshot / f"{split}-00000-of-00001.parquet"))
    mbpp = tmp_path / "data" / "hub" / "google-research-datasets" / "mbpp" / raw["repos"][
        "google-research-datasets/mbpp"]["sha"] / "full"
    mbpp.mkdir(parents=True)
    for split in ("train", "validation", "test", "prompt"):
        rows = {"task_id": [601, 602], "text": ["Write a function to add one."] * 2,
                "code": ["def add_one(x):\r\n  return x + 1"] * 2, "test_list": [["assert add_one(1) == 2"]] * 2,
                "test_setup_code": [""] * 2, "challenge_test_list": [[]] * 2, "source_file": ["x.py"] * 2}
        datasets.Dataset.from_dict(rows).to_parquet(str(mbpp / f"{split}-00000-of-00001.parquet"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)


def test_release_files_at_their_commits_land_in_the_execution_layout(tmp_path, monkeypatch):
    _releases(tmp_path, monkeypatch)
    _articles(tmp_path, monkeypatch)
    download(CODE, tmp_path / "out")
    rust = [json.loads(line) for line in (tmp_path / "out/humaneval-x/humaneval_rust.jsonl").open()]
    assert len(rust) == 164 and rust[0]["task_id"].startswith("Rust/")
    german = (tmp_path / "out/humaneval-xl/python/German.jsonl").read_bytes()
    assert german == (REAL / "humaneval-xl/python/German.jsonl").read_bytes()
    articles = [json.loads(line) for line in (tmp_path / "out/cnn_dailymail/train.jsonl").open()]
    assert [a["id"] for a in articles] == ["train0", "train1"]  # the first train_rows
    mbpp = [json.loads(line) for line in (tmp_path / "out/mbpp/train.jsonl").open()]
    assert len(mbpp) == 2 and set(mbpp[0]) == {"task_id", "text", "code", "test_list", "test_setup_code",
                                               "challenge_test_list"}  # MBPP's fields, no more


def test_a_changed_release_file_and_an_unpinned_input_are_refused(tmp_path, monkeypatch):
    x = _releases(tmp_path, monkeypatch)
    raw = yaml.safe_load(manifest.MANIFEST.read_text())
    raw["repos"]["abisee/cnn_dailymail"]["sha"] = None  # a commit that could not be looked up
    (tmp_path / "unpinned.yaml").write_text(yaml.safe_dump(raw))
    monkeypatch.setattr(manifest, "MANIFEST", tmp_path / "unpinned.yaml")
    with pytest.raises(UserError, match=r"^pin cnn_dailymail: abisee/cnn_dailymail has no verified commit"):
        download(CODE, tmp_path / "out")  # refused before any file is read
    _articles(tmp_path, monkeypatch)
    packed = next(x.rglob("humaneval_rust.jsonl.gz")).relative_to(tmp_path)
    packed.write_bytes(gzip.compress(gzip.decompress(packed.read_bytes()).replace(b"fn ", b"fn  ", 1)))
    with pytest.raises(UserError, match=rf"^{packed}: \d+ bytes, the manifest says 46660; delete it and run"):
        download(CODE, tmp_path / "out")
