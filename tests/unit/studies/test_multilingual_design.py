"""The multilingual study's design (issue 23): named language sets measured by typological distance, A2's disjoint
parallel shares at A1's budget (examples, rows, tokens), the setting / test-origin tags of every target, and an
answer that never averages translate-train or translated targets into the zero-shot native ones."""

from pathlib import Path

import pytest

from edited_params import edited, refused
from repro.errors import UserError
from repro.params import load
from repro.studies.multilingual import answer as multilingual, shares, tags, typology
from repro.studies.multilingual.arms import Arm

ROOT = Path(__file__).resolve().parents[3]


def refused_edit(tmp_path: Path, mutate) -> str:
    return refused(edited(tmp_path, mutate))


def test_set_arms_are_named_for_their_set_and_refused_without_one(tmp_path):
    arm = Arm.parse("mnli-A2[k4]")
    assert (arm.arm, arm.set, arm.label, arm.tasks) == ("A2", "k4", "A2[k4]", ("mnli",))
    with pytest.raises(UserError, match=r"only A2 takes a language set"):
        Arm.parse("mnli-A3[k4]")
    assert "no language set 'k9'" in refused_edit(tmp_path, lambda ml: ml["arms"].append("mnli-A2[k9]"))
    message = refused_edit(tmp_path, lambda ml: (ml["language_sets"].update(k1={"languages": ["sw"]}),
                                             ml["arms"].append("mnli-A2[k1]")))
    assert "language_sets.k1: no translation into sw" in message
    assert "set_contrasts" in refused_edit(tmp_path, lambda ml: ml["set_contrasts"].append(["k1", "k7"]))
    assert "each once" in refused_edit(tmp_path, lambda ml: ml["language_sets"].update(k1={"languages": ["en"]}))


def test_typological_distance_is_measured_from_the_shipped_uriel_table():
    assert typology.distance("hi", "ur") < 0.1 < typology.distance("hi", "sw")  # near-identical syntax, then not
    assert typology.distance("de", "ar") == typology.distance("ar", "de") > 0 == typology.distance("de", "de")
    paper = load(ROOT / "params.yaml", "paper").section("multilingual")
    family, diverse = (typology.diversity(["en", *paper.named_sets[s]]) for s in ("one_family", "k4"))
    assert family < 0.2 < 0.4 < diverse  # the sets differ in diversity at the same count, as measured
    assert typology.distance_to_seen("ar", ["en", "ar"]) == 0.0
    assert typology.distance_to_seen("ur", ["en", "hi"]) == typology.distance("ur", "hi")
    assert typology.distance_to_seen("de", []) is None  # A0 trains on no language


def test_a2_shares_are_disjoint_and_cover_every_english_example_once():
    order = list(range(100))[::-1]
    dropped = set(range(0, 100, 7))  # the `ar` translation lacks these (XTREME's SQuAD drops some)
    chosen = shares.examples_budget(order, {"ar": set(range(100)) - dropped, "zh": set(range(100))}, "test")
    assert [len(chosen[lang]) for lang in ("en", "ar", "zh")] == [34, 33, 33]
    seen = [key for keys in chosen.values() for key in keys]
    assert len(seen) == len(set(seen)) == 100  # no English example in two languages' shares; none left out
    assert not set(chosen["ar"]) & dropped
    with pytest.raises(UserError, match="ar has 2 aligned examples left, fewer than its share of 33"):
        shares.examples_budget(order, {"ar": {1, 2}, "zh": set(range(100))}, "test")


def test_token_matched_shares_hold_equal_tokens():
    order = list(range(200))
    english = {k: 10 + k % 5 for k in order}
    tokens = {"en": english, "ar": {k: 2 * v for k, v in english.items()}, "zh": {k: v + 3 for k, v in english.items()}}
    chosen = shares.tokens_budget(order, tokens, "test")
    target = sum(english.values()) / 3
    for lang, keys in chosen.items():
        assert abs(sum(tokens[lang][k] for k in keys) - target) <= max(tokens[lang].values())
    assert len(chosen["ar"]) < len(chosen["zh"]) < len(chosen["en"])  # longer translations: fewer examples
    assert len({k for keys in chosen.values() for k in keys}) == sum(map(len, chosen.values()))
    with pytest.raises(UserError, match="no shorter than English"):
        shares.tokens_budget(order, {"en": english, "ar": {k: 1 for k in order}}, "test")


class _Tokenizer:
    """Whitespace tokens of the pair (enough for classification's encode)."""

    def __call__(self, first, second, truncation, max_length):
        ids = [[1] * (len(a.split()) + len(b.split())) for a, b in zip(first, second)]
        return {"input_ids": ids, "attention_mask": ids}


def _world(monkeypatch, misaligned: bool = False):
    from repro import data
    from repro.stages import common

    english = [{"text_a": "a " * (1 + i % 4), "text_b": "b", "label": i % 3} for i in range(60)]
    translated = {lang: [{**e, "text_a": e["text_a"] * factor} for e in english] for lang, factor in
                  (("ar", 2), ("zh", 1))}
    if misaligned:
        translated["ar"] = translated["ar"][1:] + translated["ar"][:1]
    monkeypatch.setattr(common, "train_sources", lambda task, split, layout: english)
    monkeypatch.setattr(data, "read", lambda layout, source, split, lang: translated[lang])


def _rows(arm_id: str, budget: str = "examples"):
    from repro.studies.multilingual.stages.intermediate import arm_rows
    from repro.tasks import INTERMEDIATE_TASKS

    arm, task = Arm.parse(arm_id), INTERMEDIATE_TASKS["mnli"]
    hp = type("Hp", (), {"max_length": 64})()
    languages = [] if arm.arm == "A1" else ["ar", "zh"]
    return arm_rows(arm, task, languages, budget, None, _Tokenizer(), hp, task.labels, seed=3)


def test_a2_trains_on_a1s_examples_each_once_in_one_language(monkeypatch):
    _world(monkeypatch)
    english_rows, english, _ = _rows("mnli-A1")
    rows, counts, chosen = _rows("mnli-A2[k2]")
    assert len(rows) == len(english_rows) == sum(c["examples"] for c in counts.values()) == 60
    assert sorted(k for keys in chosen.values() for k in keys) == list(range(60))
    assert counts["ar"]["tokens"] > counts["zh"]["tokens"]  # `ar` doubles the premise: more tokens, same count
    rows, counts, chosen = _rows("mnli-A2[k2_tokens]", "tokens")
    total = sum(c["tokens"] for c in counts.values())
    assert abs(total - english["en"]["tokens"]) <= 3 * 6  # within one example per share of A1's tokens
    assert sum(c["examples"] for c in counts.values()) < 60


def test_a_translation_out_of_step_with_english_is_refused(monkeypatch):
    _world(monkeypatch, misaligned=True)
    with pytest.raises(UserError, match="ar translation is not row-aligned"):
        _rows("mnli-A2[k2]")


@pytest.mark.parametrize("arm,target,setting", [
    ("mnli-A2", "xnli", "translate-train"), ("mnli-A2[k1]", "xnli", "translate-train"),
    ("mnli-A1", "xnli", "zero-shot"), ("mnli-A4", "xnli", "zero-shot"), ("mnli-A3", "xquad", "zero-shot"),
    ("squad_v1-A2", "xquad", "translate-train"), ("squad_v1-A2", "mlqa", "translate-train"),
    ("squad_v1-A3", "lareqa", "translate-train"), ("squad_v1-A2", "tatoeba", "translate-train"),
    ("squad_v1-A2", "tydiqa", "zero-shot"), ("multitask-A2", "xnli", "translate-train"),
    ("multitask-A2", "udpos", "zero-shot"), ("none-A0", "xnli", "zero-shot"), ("squad_v1-A2", "mewslix", "zero-shot"),
])
def test_each_target_is_tagged_translate_train_where_the_arm_translated_its_data(arm, target, setting):
    assert tags.setting(Arm.parse(arm), target) == setting


def test_test_origin_of_every_target():
    from repro.tasks import TARGET_TASKS

    assert set(tags.TEST_ORIGIN) == set(TARGET_TASKS)
    assert {t for t, origin in tags.TEST_ORIGIN.items() if origin == "native"} == {
        "udpos", "panx", "tydiqa", "mewslix", "bucc2018"}


def _tagged_rows() -> list[dict]:
    """XNLI (translated; translate-train for A2 arms) where A2 gains 10, UD-POS (native, zero-shot) where A2
    gains 2 plus 10 x the distance to the arm's languages; A2[k1] gains 1 on UD-POS."""
    langs = ["en", "ar", "zh", "de", "ru", "hi", "fr", "es"]
    gain = {"A1": (0.0, 0.0), "A2": (10.0, 2.0), "A2[k1]": (4.0, 1.0)}
    rows = []
    for arm, seen in (("A1", ["en"]), ("A2", ["en", "ar", "zh"]), ("A2[k1]", ["en", "ar"])):
        for seed in (1, 2, 3):
            for target, origin in (("xnli", "translated"), ("udpos", "native")):
                setting = "translate-train" if target == "xnli" and arm != "A1" else "zero-shot"
                for i, lang in enumerate(langs):
                    distance = typology.distance_to_seen(lang, seen)
                    shift = gain[arm][0] if target == "xnli" else gain[arm][1] + (10 * distance if arm == "A2" else 0)
                    rows.append({"suite": "xtreme", "arm": arm, "intermediate": "mnli", "seed": seed,
                                 "target": target, "language": lang, "value": 50.0 + i + seed + shift,
                                 "metric": "accuracy" if target == "xnli" else "f1", "setting": setting,
                                 "test_origin": origin, **({"distance_to_seen": distance} if lang != "en" else {})})
    return rows


def test_zero_shot_native_contrasts_never_average_in_translate_train_targets():
    primary = [{"contrast": "A2-A1", "level": "overall", "languages": "all", "setting": "zero-shot",
                "test_origin": "native"}]
    records = multilingual.contrasts(_tagged_rows(), {"mnli": ["ar", "zh"]}, primary, {"k1": ["ar"]},
                                     [("A2", "k1")])
    overall = {(r["contrast"], r["setting"], r["test_origin"]): r for r in records
               if r["level"] == "overall" and r["languages"] == "seen"}
    assert overall[("A2-A1", "translate-train", "translated")]["mean"] == pytest.approx(10.0)
    assert overall[("A2-A1", "zero-shot", "native")]["mean"] == pytest.approx(2.0)  # seen: distance 0
    assert overall[("A2[k1]-A1", "zero-shot", "native")]["mean"] == pytest.approx(1.0)
    assert ("A2-A2[k1]", "zero-shot", "native") in overall
    assert not any(r.get("task") == "xnli" and r["setting"] == "zero-shot" for r in records if r["contrast"] == "A2-A1")
    chosen = [r for r in records if r["primary"]]
    assert len(chosen) == 1 and chosen[0]["setting"] == "zero-shot" and chosen[0]["group"] == "overall"


def test_the_distance_covariate_recovers_a_known_slope():
    lines = {(r["contrast"], r["setting"]): r for r in multilingual.covariates(_tagged_rows(), [("A2", "k1")])}
    line = lines[("A2-A1", "zero-shot")]
    assert line["slope"] == pytest.approx(10.0) and line["intercept"] == pytest.approx(2.0)
    assert line["n"] == 3 * 7 and line["distance_min"] == 0.0
    assert lines[("A2-A1", "translate-train")]["slope"] == pytest.approx(0.0, abs=1e-9)


def test_the_answer_shows_the_arms_diversity_and_the_covariate():
    from repro.studies.multilingual import render

    rows = _tagged_rows()
    answer = {"profile": "smoke", "seeds": [1, 2, 3], "language_sets": {"mnli": ["ar", "zh"]}, "method": "m",
              "named_sets": {"k1": {"languages": ["ar"], "budget": "examples"}},
              "arms": {"mnli-A2[k1]": {"languages": ["en", "ar"], "k": 1, "diversity": 0.349}},
              "contrasts": multilingual.contrasts(rows, {"mnli": ["ar", "zh"]}, [], {"k1": ["ar"]}, [("A2", "k1")]),
              "covariates": multilingual.covariates(rows, [("A2", "k1")]),
              "mean_sd": multilingual.mean_sd(rows, {"mnli": ["ar", "zh"]}, {"k1": ["ar"]})}
    text = render.markdown(answer)
    assert "| mnli-A2[k1] | examples | 1 | 0.349 | en, ar |" in text
    assert "| A2-A2[k1] | mnli | zero-shot, native | overall |" in text
    assert "Typological distance as a covariate" in text and "| A2-A1 | xtreme | mnli | zero-shot, native | +2.00 |" \
        in text
    assert "## Mean ± sd over seeds, xtreme, translate-train, translated, seen languages" in text


def test_plan_prices_the_set_arms_at_a1s_size_and_a4_within_a1s_steps():
    from repro.measure.plan import plan
    from repro.paths import Layout

    profile = load(ROOT / "params.yaml", "paper")
    stages = {s["stage"]: s for s in plan(profile, Layout("paper", ROOT), study="multilingual")["stages"]}
    a1 = stages["ml-intermediate-paper@mnli-A1-1"]
    for arm in ("A2[k1]", "A2[k4]", "A2[one_family]", "A2[k4_tokens]", "A4"):
        priced = stages[f"ml-intermediate-paper@mnli-{arm}-1"]
        assert priced["optimizer_steps"] == a1["optimizer_steps"] and priced["gpu_hours"] == a1["gpu_hours"] > 0
    assert stages["ml-target-paper@mnli-A2[k4]-2-udpos"]["gpu_hours"] > 0
