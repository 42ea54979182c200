"""BUCC 2018 as the paper scored it: every sentence of both sides (distractors too) from the release files, mined
by margin, the mined id pairs scored against the gold ids; the Hub's gold-only copy refused; embeddings on the
model's device."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import yaml

from repro import metrics
from repro.data import materialize
from repro.kinds import retrieval
from repro.params import SourceSpec, load
from repro.paths import Layout
from repro.tasks import TARGET_TASKS

ROOT = Path(__file__).resolve().parents[3]
BUCC = TARGET_TASKS["bucc2018"]
TATOEBA = TARGET_TASKS["tatoeba"]
SETTINGS = SimpleNamespace(bucc_margin_k=4, bucc_threshold="tuned", bucc_fixed_threshold=0.0)
WORDS = ("anna", "berlin", "kalo", "mira", "tesk", "vogel", "zuri", "lumen", "pova", "drek", "sola", "quin")


def _sentence(rng: np.random.Generator) -> str:
    return " ".join(rng.choice(WORDS, size=int(rng.integers(3, 7)))) + f" {int(rng.integers(10, 9999))}"


def write_release(folder: Path, lang: str, part: str, n_gold: int, n_distractors: int, seed: int) -> list[str]:
    """A BUCC release split: `n_gold` pairs (the two sides' sentences identical, so any encoder pairs them) among
    `n_distractors` more sentences per side; ids in the release's style, not aligned by position. Returns the gold
    lines."""
    rng = np.random.default_rng(seed)
    texts: list[str] = []
    while len(texts) < n_gold + 2 * n_distractors:
        text = _sentence(rng)
        if text not in texts:
            texts.append(text)
    gold, source, english = texts[:n_gold], texts[n_gold:n_gold + n_distractors], texts[n_gold + n_distractors:]
    sides = {lang: [(i, t) for i, t in enumerate(gold)] + [(None, t) for t in source],
             "en": [(i, t) for i, t in enumerate(gold)] + [(None, t) for t in english]}
    ids: dict[str, dict[int, str]] = {}
    folder.mkdir(parents=True, exist_ok=True)
    for side, rows in sides.items():
        order = rng.permutation(len(rows))
        start = 400_000 if side == lang else 90_000
        lines, ids[side] = [], {}
        for n, row in enumerate(order):
            pair, text = rows[row]
            sentence_id = f"{side}-{start + 7 * n:09d}"
            if pair is not None:
                ids[side][pair] = sentence_id
            lines.append(f"{sentence_id}\t{text}\n")
        (folder / f"{lang}-en.{part}.{side}").write_text("".join(lines), encoding="utf-8")
    gold_lines = [f"{ids[lang][i]}\t{ids['en'][i]}" for i in range(n_gold)]
    (folder / f"{lang}-en.{part}.gold").write_text("".join(f"{line}\n" for line in gold_lines), encoding="utf-8")
    return gold_lines


# ---------------------------------------------------------------------------------------------------------
# the paper profile refuses google/xtreme's gold-only copy


@pytest.mark.parametrize("spec", [SourceSpec(), SourceSpec(hub="google/xtreme", revision="main")])
def test_paper_profile_refuses_the_gold_only_hub_copy_before_any_download(tmp_path, monkeypatch, spec):
    paper = load(ROOT / "params.yaml", "paper")
    assert "bucc2018" in paper.study.retrieval_targets and not paper.data.sources["bucc2018"].path
    paper.data.sources["bucc2018"] = spec
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError) as err:
        materialize.materialize(paper, Layout("paper"))
    message = str(err.value)
    assert message.startswith("data.sources.bucc2018.path: unset; google/xtreme's bucc18 configs hold only the gold "
                              "pairs") and "\n" not in message
    assert "<lang>-en.{sample,training}.{<lang>,en,gold}" in message
    assert not (tmp_path / "prepared").exists()  # refused before anything was read or written


# ---------------------------------------------------------------------------------------------------------
# the kind: mining over all sentences, real ids, the threshold from dev


def _bitext(source: list[str], target: list[str], gold: list[tuple[int, int]]) -> retrieval.Bitext:
    source_ids, target_ids = [f"de-{i:09d}" for i in range(len(source))], [f"en-{i:09d}" for i in range(len(target))]
    return retrieval.Bitext(source_ids, source, target_ids, target,
                            [(source_ids[s], target_ids[t]) for s, t in gold])


def test_distractors_change_the_score_against_the_gold_only_copy():
    """The same 30 noisy translation pairs, alone (google/xtreme's bucc18: one row per gold pair) and among 90
    sentences per side that have no translation (the release): mining has to refuse the distractors, and F1 falls
    from near its ceiling."""
    rng = np.random.default_rng(0)
    n_gold, n_distractors, dims = 30, 90, 16
    english = rng.normal(size=(n_gold + n_distractors, dims))
    source = np.concatenate([english[:n_gold] + rng.normal(scale=0.7, size=(n_gold, dims)),
                             rng.normal(size=(n_distractors, dims))])
    texts = [f"s{i}" for i in range(n_gold + n_distractors)], [f"t{i}" for i in range(n_gold + n_distractors)]
    pairs = [(i, i) for i in range(n_gold)]
    release = _bitext(*texts, pairs)
    gold_only = _bitext(texts[0][:n_gold], texts[1][:n_gold], pairs)
    _, full = retrieval.evaluate(BUCC, "validation", release, source, english, SETTINGS, dev=None)
    _, hub = retrieval.evaluate(BUCC, "validation", gold_only, source[:n_gold], english[:n_gold], SETTINGS, dev=None)
    assert hub["f1"] > 90.0
    assert full["f1"] < hub["f1"] - 15.0


def test_bucc_predicts_release_ids_with_the_threshold_tuned_on_dev():
    rng = np.random.default_rng(1)
    target = rng.normal(size=(12, 8))
    source = np.concatenate([target[:6] + rng.normal(scale=0.1, size=(6, 8)), rng.normal(size=(4, 8))])
    sides = retrieval.Bitext([f"fr-{7 * i:09d}" for i in range(10)], [f"s{i}" for i in range(10)],
                             [f"en-{3 * i + 1:09d}" for i in range(12)], [f"t{i}" for i in range(12)],
                             [(f"fr-{7 * i:09d}", f"en-{3 * i + 1:09d}") for i in range(6)])
    predicted, scores = retrieval.evaluate(BUCC, "validation", sides, source, target, SETTINGS, dev=None)
    assert set(predicted) == set(sides.gold) and scores == {"f1": 100.0}
    calls = []

    def dev():
        calls.append("dev")
        return sides, source, target

    _, on_test = retrieval.evaluate(BUCC, "test", sides, source, target, SETTINGS, dev=dev)
    assert calls == ["dev"] and on_test == {"f1": 100.0}
    everything = SimpleNamespace(**{**vars(SETTINGS), "bucc_threshold": "fixed", "bucc_fixed_threshold": 0.0})
    predicted, fixed = retrieval.evaluate(BUCC, "test", sides, source, target, everything, dev=None)
    assert 6 < len(predicted) <= 10  # a cut at 0 keeps mined distractors (the pre-filter drops margins <= 0)
    assert fixed["f1"] == pytest.approx(metrics.bucc_f1(predicted, sides.gold)["f1"]) and fixed["f1"] < 100.0


def test_submission_gold_is_the_gold_id_pairs():
    examples = [{"id": "de-000000009", "sentence": "a", "language": "de", "gold": ["en-000000002"]},
                {"id": "de-000000010", "sentence": "b", "language": "de", "gold": []},
                {"id": "en-000000002", "sentence": "a", "language": "en", "gold": []}]
    assert retrieval.submission_gold(BUCC, examples, "de") == [("de-000000009", "en-000000002")]
    pairs = [{"source_sentence": "x", "target_sentence": "y"}] * 3
    assert retrieval.submission_gold(TATOEBA, pairs, "de") == [0, 1, 2]


# ---------------------------------------------------------------------------------------------------------
# `repro data` from a local release path, then the retrieval stage


def _tiny_encoder(tiny_pretrained, out: Path, corpus: list[str]) -> None:
    """A tiny untrained encoder with a tokenizer of `corpus`; two layers: the retrieval settings read layer 2."""
    tiny_pretrained(out, corpus, vocab_size=80, max_length=32, head="XLMRobertaModel", hidden_size=32,
                    num_hidden_layers=2, intermediate_size=64)


def _bucc_only_params(tmp_path: Path, release: Path) -> Path:
    """A hub-origin profile (the paper's, its study cut to BUCC de) whose BUCC comes from `release`."""
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    body = raw["profiles"]["paper"]
    body["study"] = {"intermediate_tasks": [], "intermediate": ["none"], "alternatives": [], "trained_targets": [],
                     "shared_targets": [], "retrieval_targets": ["bucc2018"]}
    body["languages"]["bucc2018"] = ["de"]
    body["data"]["sources"] = {"bucc2018": {"path": str(release)}}
    for study in ("multilingual", "code"):  # the other studies, whose sources this profile does not have
        body.pop(study, None)
    body["retrieval"].update(layer=2, max_length=32, batch_size=8)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump({"profiles": {"bucconly": body}}))
    return path


def _stage(module: str, params: Path, cwd: Path, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-m", f"repro.stages.{module}", "--params", str(params), "--profile",
                             "bucconly", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]


def test_release_bucc_goes_through_repro_data_and_the_retrieval_stage(tmp_path, tiny_pretrained):
    release = tmp_path / "bucc2018"
    gold = {split: write_release(release / "de-en", "de", part, 12, 36, seed)
            for split, part, seed in (("validation", "sample", 0), ("test", "training", 1))}
    params = _bucc_only_params(tmp_path, release)
    _stage("data", params, tmp_path)
    layout = Layout("bucconly", tmp_path)
    manifest = json.loads(layout.manifest.read_text())
    assert manifest["bucc2018.de"]["validation"] == {"rows": 96, "origin": "local", "path": str(release)}
    labels = (layout.labels / "bucc2018" / "test-de.tsv").read_text().splitlines()
    assert sorted(labels) == sorted(gold["validation"])  # the release's gold ids, dev evaluated

    corpus = [line.split("\t")[1] for part in ("sample", "training") for side in ("de", "en")
              for line in (release / "de-en" / f"de-en.{part}.{side}").read_text().splitlines()]
    _tiny_encoder(tiny_pretrained, layout.encoder("none"), corpus)
    _stage("retrieval", params, tmp_path, "-i", "none", "-t", "bucc2018")
    stage = json.loads(layout.stage_metrics("none", "bucc2018").read_text())
    assert stage["splits"] == {"de": "validation"}
    predicted = (layout.predictions("none") / "bucc2018" / "test-de.tsv").read_text().splitlines()
    source_ids = {line.split("\t")[0] for line in (release / "de-en" / "de-en.sample.de").read_text().splitlines()}
    english_ids = {line.split("\t")[0] for line in (release / "de-en" / "de-en.sample.en").read_text().splitlines()}
    assert predicted and all(s in source_ids and t in english_ids for s, t in (p.split("\t") for p in predicted))
    (f1,) = [row["value"] for row in stage["results"] if row["metric"] == "f1"]
    assert f1 == pytest.approx(metrics.bucc_f1(predicted, labels)["f1"])  # F1 over the mined id pairs
    assert f1 > 80.0  # identical sentences pair up among the distractors


# ---------------------------------------------------------------------------------------------------------
# embeddings on the model's device


def test_load_encoder_moves_the_model_to_the_gpu_when_there_is_one(monkeypatch):
    import torch
    import transformers

    from repro.models import encoder

    class Model:
        moved_to = None

        def eval(self):
            return self

        def to(self, device):
            self.moved_to = device
            return self

    monkeypatch.setattr(transformers.AutoModel, "from_pretrained", lambda path: Model())
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert encoder.load_encoder(Path("m")).moved_to == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert encoder.load_encoder(Path("m")).moved_to is None  # the CPU path is untouched


def test_embed_sends_batches_to_the_model_device_and_returns_cpu_float32(tmp_path, tiny_pretrained):
    import torch
    from transformers import AutoModel, AutoTokenizer

    from repro.models import encoder

    sentences = [f"anna berlin {i} kalo" * (1 + i % 3) for i in range(10)]
    _tiny_encoder(tiny_pretrained, tmp_path, sentences)
    model, tokenizer = AutoModel.from_pretrained(str(tmp_path)).eval(), AutoTokenizer.from_pretrained(str(tmp_path))
    got = encoder.embed(model, tokenizer, sentences, 2, "mean", 32, 4)
    expected = []
    with torch.no_grad():  # the same computation by hand, batch by batch on the CPU
        for at in range(0, len(sentences), 4):
            enc = tokenizer(sentences[at:at + 4], truncation=True, max_length=32, padding=True, return_tensors="pt")
            hidden = model(**enc, output_hidden_states=True).hidden_states[2]
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            expected.append(((hidden * mask).sum(1) / mask.sum(1)).numpy())
    assert got.dtype == np.float32 and np.array_equal(got, np.concatenate(expected))  # bit-identical on the CPU
    if torch.cuda.is_available():
        on_gpu = encoder.embed(model.to("cuda"), tokenizer, sentences, 2, "mean", 32, 4)
        np.testing.assert_allclose(on_gpu, got, atol=1e-4)
