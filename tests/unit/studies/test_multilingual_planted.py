"""The multilingual study's planted effects (claims_planted.yaml, study multilingual; issue 20 item 4): the null arm
(`labels: permuted`) trains on A2's sentences with each translated share's labels shuffled; the claims are judged
on the study's answer.json rows (not `missing`), pass where the planted effect and the null hold and fail where
they do not; answer.md opens with the primary contrasts, then the planted checks, then the exploratory table."""

import json
from collections import Counter
from pathlib import Path

import pytest

from edited_params import edited, refused
from repro.paths import Layout
from repro.report import planted
from repro.report.expression_functions import Missing, f_contrast
from repro.report.contrast_rows import ContrastRows
from repro.studies.multilingual import answer as multilingual, render
from repro.studies.multilingual.arms import Arm
from repro.studies.multilingual.layout import study_layout

SEEN, UNSEEN = ["ar", "zh"], ["de", "ru", "hi"]


def test_a_permuted_set_is_refused_for_a_task_without_class_labels(tmp_path):
    message = refused(edited(tmp_path, lambda ml: ml["arms"].append("squad_v1-A2[permuted]")))
    assert "squad_v1-A2[permuted]: labels: permuted needs class labels; squad_v1 has none" in message


def test_the_null_arm_keeps_a2s_sentences_and_label_counts_and_shuffles_only_the_translations(monkeypatch):
    from repro.stages import common
    from repro import data
    from repro.studies.multilingual.stages.intermediate import arm_rows
    from repro.tasks import INTERMEDIATE_TASKS

    english = [{"text_a": f"premise {i}", "text_b": "b", "label": ("entailment", "neutral", "contradiction")[i % 3]}
               for i in range(60)]
    translated = {lang: [{**e, "text_a": f"{lang} {e['text_a']}"} for e in english] for lang in SEEN}
    monkeypatch.setattr(common, "train_sources", lambda task, split, layout: english)
    monkeypatch.setattr(data, "read", lambda layout, source, split, lang: translated[lang])
    task, captured = INTERMEDIATE_TASKS["mnli"], []

    class Kind:  # what the rows are made of: the examples each language's share hands to the encoder
        @staticmethod
        def encode(tokenizer, examples, hp, labels):
            captured.append(examples)
            return [{"input_ids": [0] * 3} for _ in examples]

    monkeypatch.setattr("repro.kinds.of", lambda task: Kind)
    kept = arm_rows(Arm.parse("mnli-A2"), task, SEEN, "examples", None, None, None, task.labels, seed=3)
    kept_examples, captured[:] = list(captured), []
    arm_rows(Arm.parse("mnli-A2[permuted]"), task, SEEN, "examples", None, None, None, task.labels, seed=3,
             shuffled=True)
    assert kept[1] and [len(x) for x in captured] == [len(x) for x in kept_examples] == [20, 20, 20]
    assert captured[0] == kept_examples[0]  # English: the same examples, the same labels
    for before, after in zip(kept_examples[1:], captured[1:]):
        assert [e["text_a"] for e in after] == [e["text_a"] for e in before]  # the same sentences, in order
        assert Counter(e["label"] for e in after) == Counter(e["label"] for e in before)
        changed = sum(a["label"] != b["label"] for a, b in zip(after, before))
        assert changed >= len(after) // 3  # the rule is gone: most labels no longer the sentence's own


def _rows(planted_gain: float, null_shift: float) -> list[dict]:
    """metrics.json rows of XNLI (suite xtreme) for A0, A1, A2 and the null arm over two seeds: A2 beats A1 by
    `planted_gain` on the seen languages, the null arm differs from A1 by `null_shift` there."""
    base = {"en": 80.0, "ar": 40.0, "zh": 42.0, "de": 45.0, "ru": 44.0, "hi": 41.0}
    noise = {(1, "ar"): 1.5, (2, "ar"): -1.0, (1, "zh"): -0.5, (2, "zh"): 2.0}
    gain = {"A0": 0.0, "A1": 5.0, "A2": 5.0 + planted_gain, "A2[permuted]": 5.0 + null_shift}
    rows = []
    for arm, shift in gain.items():
        intermediate = "none" if arm == "A0" else "mnli"
        setting = "translate-train" if arm.startswith("A2") else "zero-shot"
        for seed in (1, 2):
            for lang, value in base.items():
                moved = value + (shift if lang in SEEN else gain["A1"] if arm != "A0" else 0.0)
                rows.append({"suite": "xtreme", "arm": arm, "intermediate": intermediate, "seed": seed,
                             "target": "xnli", "language": lang, "metric": "accuracy",
                             "value": moved + noise.get((seed, lang), 0.0), "setting": setting,
                             "test_origin": "translated"})
    return rows


def _layout(tmp_path: Path, planted_gain: float = 30.0, null_shift: float = -2.0) -> Layout:
    layout = Layout("smoke", root=tmp_path)
    records = multilingual.contrasts(_rows(planted_gain, null_shift), {"mnli": SEEN},
                                     named={"permuted": SEEN}, set_pairs=[("A2", "permuted")])
    out = study_layout(layout).results
    out.mkdir(parents=True)
    (out / "answer.json").write_text(json.dumps({"contrasts": records}))
    return layout


def _verdicts(layout: Layout) -> dict[str, str]:
    return {r.id: r.status for r in planted.verify(layout, study="multilingual")}


def test_the_multilingual_claims_are_judged_on_the_answer_and_pass_where_the_effects_are(tmp_path):
    verdicts = _verdicts(_layout(tmp_path / "good"))
    assert len(verdicts) == 3 and set(verdicts.values()) == {"pass"}
    no_gain = _verdicts(_layout(tmp_path / "nogain", planted_gain=3.0))
    assert no_gain == {"P-ml-1": "fail", "P-ml-2": "pass", "P-ml-3": "fail"}
    leaky = _verdicts(_layout(tmp_path / "leaky", null_shift=25.0))
    assert leaky == {"P-ml-1": "pass", "P-ml-2": "fail", "P-ml-3": "fail"}
    hurting = _verdicts(_layout(tmp_path / "hurting", null_shift=-25.0))
    assert hurting["P-ml-2"] == "fail"  # a null arm that costs the seen languages is no null either
    missing = _verdicts(Layout("smoke", root=tmp_path / "none"))
    assert set(missing.values()) == {"missing"}


def test_contrast_reads_one_answer_row_and_is_missing_without_one(tmp_path):
    rows = ContrastRows.load(study_layout(_layout(tmp_path)).results / "answer.json")
    where = {"contrast": "A2-A1", "suite": "xtreme", "intermediate": "mnli", "task": "xnli", "languages": "seen"}
    assert f_contrast(rows, "mean", **where) == pytest.approx(30.0)
    with pytest.raises(Missing, match="too few clusters"):  # two seen languages: the estimate only
        f_contrast(rows, "ci_low", **where)
    with pytest.raises(Missing, match="no row"):
        f_contrast(rows, "mean", **{**where, "task": "pawsx"})
    with pytest.raises(ValueError, match="rows of .* match"):
        f_contrast(rows, "mean", contrast="A2-A1")  # every task, group and split: name more fields


def test_answer_md_opens_with_primary_then_planted_checks_then_exploratory(tmp_path):
    layout = _layout(tmp_path)
    records = json.loads((study_layout(layout).results / "answer.json").read_text())["contrasts"]
    records = multilingual.mark_primary(records, [{"contrast": "A2-A1", "level": "overall"}])
    verdicts = planted.to_json(planted.verify(layout, study="multilingual"))
    text = render.markdown({"profile": "smoke", "seeds": [1, 2], "language_sets": {"mnli": SEEN}, "method": "m",
                            "contrasts": records, "mean_sd": []}, verdicts)
    heads = [text.index(h) for h in ("## Primary contrasts", "## Planted effects", "## Exploratory contrasts")]
    assert heads == sorted(heads)
    assert "| P-ml-1 | pass |" in text and "| P-ml-2 | pass |" in text
    assert "## Planted effects" not in render.markdown({"profile": "paper", "seeds": [1], "language_sets": {},
                                                        "method": "m", "contrasts": records, "mean_sd": []})
