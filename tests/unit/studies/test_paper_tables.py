"""repro.studies.paper.tables and repro.report.plots on a hand-built metrics.json: every table in md / csv / tex with
the right rows, columns and values; absent intermediates and alternatives render as missing; plots are valid PNGs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from repro.errors import UserError
from repro.paths import Layout
from repro.report import published
from repro.report.render import tex_escape
from repro.report.study import INTERMEDIATE_ORDER, QA, TARGET_ORDER, Study, needed_metrics
from repro.studies.paper import tables
from repro.studies.paper.tables.table3 import table3
from repro.suites import xtreme

PNG = b"\x89PNG\r\n\x1a\n"

# (intermediate, target) -> {lang: {metric: value}}; squad_v2 has no udpos row, ccg and the rest are absent
VALUES = {
    ("none", "xnli"): {"en": {"accuracy": 80}, "de": {"accuracy": 70}},  # 75
    ("mnli", "xnli"): {"en": {"accuracy": 82}, "de": {"accuracy": 74}},  # 78
    ("squad_v2", "xnli"): {"en": {"accuracy": 79}, "de": {"accuracy": 71}},  # 75
    ("multitask", "xnli"): {"en": {"accuracy": 81}, "de": {"accuracy": 73}},  # 77
    ("none", "xquad"): {"en": {"exact_match": 50, "f1": 60}, "de": {"exact_match": 40, "f1": 50}},  # 50
    ("mnli", "xquad"): {"en": {"exact_match": 52, "f1": 62}, "de": {"exact_match": 42, "f1": 52}},  # 52
    ("squad_v2", "xquad"): {"en": {"exact_match": 60, "f1": 70}, "de": {"exact_match": 50, "f1": 60}},  # 60
    ("multitask", "xquad"): {"en": {"exact_match": 58, "f1": 68}, "de": {"exact_match": 48, "f1": 58}},  # 58
    ("none", "tatoeba"): {"de": {"accuracy": 20}, "fr": {"accuracy": 30}},  # 25
    ("mnli", "tatoeba"): {"de": {"accuracy": 40}, "fr": {"accuracy": 50}},  # 45
    ("squad_v2", "tatoeba"): {"de": {"accuracy": 50}, "fr": {"accuracy": 60}},  # 55
    ("multitask", "tatoeba"): {"de": {"accuracy": 45}, "fr": {"accuracy": 55}},  # 50
    # kk has no dev split (stage file: "test"): shown per language, left out of the dev score
    ("none", "udpos"): {"en": {"f1": 90}, "kk": {"f1": 60}},  # 90 (75 with kk)
    ("mnli", "udpos"): {"en": {"f1": 91}, "kk": {"f1": 61}},  # 91
    ("multitask", "udpos"): {"en": {"f1": 92}, "kk": {"f1": 62}},  # 92
}
MANIFEST = {
    "mnli": {"train": {"rows": 10, "origin": "t"}, "validation": {"rows": 2, "origin": "t"}},
    "snli": {"train": {"rows": 5, "origin": "t"}, "validation": {"rows": 1, "origin": "t"}},
    **{f"anli_r{r}": {"train": {"rows": r, "origin": "t"}} for r in (1, 2, 3)},
    "xnli.en": {"validation": {"rows": 3, "origin": "t"}, "test": {"rows": 4, "origin": "t"}},
    "xnli.de": {"validation": {"rows": 3, "origin": "t"}, "test": {"rows": 4, "origin": "t"}},
    "tatoeba.de": {"validation": {"rows": 9, "origin": "t"}},
}


def rows_of(values: dict, **extra) -> list[dict]:
    return [{**extra, "intermediate": inter, "target": target, "language": lang, "metric": metric, "value": v}
            for (inter, target), per_lang in values.items() for lang, scores in per_lang.items()
            for metric, v in scores.items()]


@pytest.fixture
def layout(tmp_path) -> Layout:
    layout = Layout("t", root=tmp_path)
    layout.results.mkdir(parents=True)
    layout.metrics.write_text(json.dumps({"profile": "t", "results": rows_of(VALUES), "provenance": {
        "model": {"pretrained_here": {"layers": 2, "hidden_size": 64}}}}))
    stage = layout.stage_metrics("none", "udpos")
    stage.parent.mkdir(parents=True)
    stage.write_text(json.dumps({"splits": {"en": "validation", "kk": "test"}, "results": []}))
    layout.data.mkdir(parents=True)
    layout.manifest.write_text(json.dumps(MANIFEST))
    return layout


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def num(text: str) -> float | None:
    return None if text == "" else float(text)


def assert_three_formats(paths: list[Path], stem: str) -> None:
    names = {p.name for p in paths}
    assert {f"{stem}.md", f"{stem}.csv", f"{stem}.tex"} <= names
    for path in paths:
        assert path.is_file() and path.stat().st_size > 0
    tex = next(p for p in paths if p.name == f"{stem}.tex").read_text()
    assert "\\begin{tabular}" in tex and "\\end{table}" in tex
    md = next(p for p in paths if p.name == f"{stem}.md").read_text()
    assert md.startswith("## ") and "|---" in md


def assert_png(path: Path) -> None:
    import matplotlib.image

    assert path.read_bytes()[:8] == PNG
    image = matplotlib.image.imread(path)
    assert image.shape[0] > 50 and image.shape[1] > 50


# ---------------------------------------------------------------------------------------------------------


def test_orders_match_the_registry():
    from repro.tasks import INTERMEDIATE_IDS, TARGET_TASKS

    assert INTERMEDIATE_ORDER == INTERMEDIATE_IDS
    assert set(TARGET_ORDER) == {t for t, task in TARGET_TASKS.items() if task.suite == "xtreme"}  # the paper's


def test_table2_scores_deltas_and_missing_rows(layout):
    paths = tables.write_table(2, layout)
    assert_three_formats(paths, "table2")
    rows = {r["intermediate"]: r for r in read_csv(layout.results / "tables" / "table2.csv")}
    assert list(rows) == list(INTERMEDIATE_ORDER)  # every row of the paper, absent ones empty
    none, mnli, squad = rows["none"], rows["mnli"], rows["squad_v2"]
    # udpos: en only; kk was evaluated on test (it has no dev split) and is left out (it was 75 with kk before)
    assert (num(none["xnli"]), num(none["xquad"]), num(none["tatoeba"]), num(none["udpos"])) == (75, 50, 25, 90)
    assert none["xnli_delta"] == "" and none["split"] == "dev" and none["source"].startswith("ours")
    assert (num(mnli["xnli"]), num(mnli["xnli_delta"])) == (78, 3)
    assert num(mnli["xquad"]) == 52 and num(mnli["xquad_delta"]) == 2  # (EM + F1) / 2
    assert num(mnli["avg"]) == pytest.approx((78 + 52 + 45 + 91) / 4)
    assert num(mnli["avg_delta"]) == pytest.approx((3 + 2 + 20 + 1) / 4)
    assert squad["udpos"] == "" and num(squad["n_targets"]) == 3
    assert num(squad["avg_delta"]) == pytest.approx((0 + 10 + 30) / 3)
    assert all(rows["ccg"][t] == "" for t in TARGET_ORDER) and num(rows["ccg"]["n_targets"]) == 0
    md = (layout.results / "tables" / "table2.md").read_text()
    assert "| MNLI | – | 45.0 (+20.0) | 78.0 (+3.0) |" in md
    assert "| CCG | – |" in md and "dev sets" in md and "ours" in md
    assert "* mean over fewer than 9 targets" in md
    tex = (layout.results / "tables" / "table2.tex").read_text()
    assert "SQuAD v2.0 & -- & 55.0 (+30.0) & 75.0 (+0.0)" in tex
    png = layout.results / "tables" / "table2_deltas.png"
    assert png in paths
    assert_png(png)


def test_table3_best_per_target_vs_published(layout):
    paths = tables.write_table(3, layout)
    assert_three_formats(paths, "table3")
    rows = {r["row"]: r for r in read_csv(layout.results / "tables" / "table3.csv")}
    assert rows["xnli"]["ours_best_intermediate"] == "mnli" and num(rows["xnli"]["ours_best_dev"]) == 78
    assert num(rows["xnli"]["ours_baseline_dev"]) == 75 and num(rows["xnli"]["ours_gain_dev"]) == 3
    assert num(rows["xnli"]["xlmr_test_hu2020"]) == 79.2
    assert num(rows["xnli"]["xstilts_test_rembert"]) == 80.0 and num(rows["xnli"]["xstilts_test_mt5"]) == 80.4
    xquad = rows["xquad"]
    assert xquad["ours_best_intermediate"] == "squad_v2"
    assert (num(xquad["ours_best_dev"]), num(xquad["ours_best_dev_exact_match"]), num(xquad["ours_best_dev_f1"])) \
        == (60, 55, 65)
    assert num(xquad["xstilts_test_rembert"]) == pytest.approx((63.3 + 78.7) / 2)
    assert num(xquad["xlmr_test_hu2020"]) == pytest.approx((60.8 + 76.6) / 2)
    assert rows["udpos"]["ours_best_intermediate"] == "multitask"  # squad_v2 has no udpos row
    assert rows["panx"]["ours_best_intermediate"] == "" and rows["panx"]["ours_best_dev"] == ""
    assert num(rows["panx"]["xstilts_test_rembert"]) == 64.0
    xtreme = rows["xtreme"]
    assert xtreme["ours_best_dev"] == ""  # only 4 of 9 targets: no XTREME score
    assert num(xtreme["xlmr_test_hu2020"]) == 68.2 and num(xtreme["xstilts_test_rembert"]) == 73.5
    assert num(xtreme["published_gain_test"]) == 5.4
    md = (layout.results / "tables" / "table3.md").read_text()
    assert "DEV" in md and "TEST" in md and "(dev)" in md and "(test" in md
    assert "68.2 [R]" in md and "73.5 [R]" in md and "– (4/9 tasks)" in md
    assert "60.0 (55.0/65.0)" in md


def test_table3_xtreme_score_when_all_targets_exist(layout):
    values = {}
    for i, target in enumerate(TARGET_ORDER):
        qa = target in QA
        for inter, score in (("none", 50.0 + i), ("mnli", 55.0 + i), ("qqp", 53.0 + 2 * i)):
            scores = {"exact_match": score - 5, "f1": score + 5} if qa else {needed_metrics(target)[0]: score}
            values[(inter, target)] = {"en": scores}
    study = Study({"profile": "t", "results": rows_of(values)})
    table = table3(study)
    best = {t: max(55.0 + i, 53.0 + 2 * i) for i, t in enumerate(TARGET_ORDER)}
    overall = next(r for r in table.csv_rows if r[0] == "xtreme")
    assert overall[2] == pytest.approx(sum(best.values()) / 9)
    assert overall[5] == pytest.approx(sum(50.0 + i for i in range(9)) / 9)
    groups = {r[0]: r for r in table.csv_rows if r[0].startswith("group:")}
    assert groups["group:qa"][2] == pytest.approx(sum(best[t] for t in xtreme.GROUPS["qa"]) / 3)


def test_table4_without_alternatives_says_so(layout):
    paths = tables.write_table(4, layout)
    assert_three_formats(paths, "table4")
    md = (layout.results / "tables" / "table4.md").read_text()
    assert "No alternative runs exist" in md
    assert read_csv(layout.results / "tables" / "table4.csv") == []


def test_table4_alternatives_vs_english(layout):
    alternatives = []
    for variant, score in (("english", 78.0), ("mlm", 77.0), ("translated", 79.0)):
        alternatives += rows_of({("mnli", "xnli"): {"en": {"accuracy": score}, "de": {"accuracy": score}}},
                                variant=variant)
    (layout.results / "alternatives.json").write_text(json.dumps({"results": alternatives}))
    tables.write_table(4, layout)
    rows = read_csv(layout.results / "tables" / "table4.csv")
    by = {(r["intermediate"], r["variant"]): r for r in rows}
    assert num(by[("mnli", "english")]["xnli"]) == 78 and by[("mnli", "english")]["xnli_delta_vs_english"] == ""
    assert num(by[("mnli", "mlm")]["xnli_delta_vs_english"]) == -1
    assert num(by[("mnli", "translated")]["xnli_delta_vs_english"]) == 1
    assert num(by[("mean", "mlm")]["avg_delta_vs_english"]) == -1
    md = (layout.results / "tables" / "table4.md").read_text()
    assert "| MNLI | + multilingual MLM | 77.0 (-1.0) | 77.0 (-1.0) |" in md
    assert "No alternative runs exist" not in md


def test_appendix_per_language_with_splits(layout):
    paths = tables.write_table("appendix", layout)
    for target in ("xnli", "xquad", "tatoeba", "udpos", "panx"):
        assert_three_formats(paths, f"table_appendix_{target}")
    udpos = {r["language"]: r for r in read_csv(layout.results / "tables" / "table_appendix_udpos.csv")}
    assert list(udpos) == ["en", "kk", "avg"]
    assert udpos["kk"]["split"] == "test" and udpos["en"]["split"] == "dev"
    assert (num(udpos["kk"]["none"]), num(udpos["kk"]["multitask"]), udpos["kk"]["squad_v2"]) == (60, 62, "")
    # the average is over the dev-split languages only (it was 76 with kk's test number), and says so
    assert num(udpos["avg"]["mnli"]) == 91 and udpos["avg"]["split"] == "dev"
    md = (layout.results / "tables" / "table_appendix_udpos.md").read_text()
    assert "| Avg (dev languages) |" in md and "the test rows kk are not averaged" in md
    assert "| kk | test |" in md
    xquad = {r["language"]: r for r in read_csv(layout.results / "tables" / "table_appendix_xquad.csv")}
    assert (num(xquad["de"]["squad_v2"]), num(xquad["de"]["squad_v2_exact_match"]), num(xquad["de"]["squad_v2_f1"])) \
        == (55, 50, 60)
    md = (layout.results / "tables" / "table_appendix_xquad.md").read_text()
    assert "Not produced (no column)" in md and "CCG" in md
    pngs = [p for p in paths if p.suffix == ".png"]
    assert {p.name for p in pngs} == {f"appendix_{t}.png" for t in ("xnli", "xquad", "tatoeba", "udpos")}
    for png in pngs:
        assert_png(png)


def test_dev_scores_leave_out_test_split_languages_and_tables_say_so(layout):
    study = Study.from_layout(layout)
    assert study.test_split_languages("udpos") == ["kk"] and study.test_split_languages("xnli") == []
    # every encoder's dev score drops kk (its split is a property of the data, recorded by one stage file)
    assert study.score("udpos", "mnli") == 91 and study.score("udpos", "multitask", metric="f1") == 92
    assert study.lang_score("udpos", "mnli", "kk") == 61  # still there per language, when named
    assert study.score("udpos", "mnli", langs=["en", "kk"]) == 76
    assert study.best("udpos") == ("multitask", 92)
    tables.write_table(2, layout)
    md = (layout.results / "tables" / "table2.md").read_text()
    assert "averaged over the languages evaluated on a dev split" in md
    assert "Dev averages leave out the languages that have no dev split" in md and ": POS kk." in md


def test_tables_name_the_seqeval_rule_of_the_tagging_scores(layout):
    payload = json.loads(layout.metrics.read_text())
    payload["provenance"]["scoring"] = {"seqeval": "0.0.12"}
    layout.metrics.write_text(json.dumps(payload))
    assert Study.from_layout(layout).seqeval_rule() == "0.0.12"
    tables.write_table(2, layout)
    tables.write_table("appendix", layout)
    for stem in ("table2", "table_appendix_udpos"):
        assert "Tagging F1: seqeval 0.0.12 chunk types." in (layout.results / "tables" / f"{stem}.md").read_text()


def test_table1_sizes_from_the_manifest(layout):
    paths = tables.write_table(1, layout)
    assert_three_formats(paths, "table1")
    rows = {r["task"]: r for r in read_csv(layout.results / "tables" / "table1.csv")}
    assert num(rows["anli_plus"]["train_rows"]) == 5 + 10 + 1 + 2 + 3  # SNLI + MNLI + ANLI R1-R3
    assert num(rows["anli_plus"]["train_published"]) == published.TRAIN_SIZES["anli_plus"][0]
    assert rows["anli_plus"]["train_published_certainty"] == "DERIVED"
    assert num(rows["mnli"]["train_rows"]) == 10 and num(rows["mnli"]["dev_rows"]) == 2
    xnli = rows["xnli"]
    assert (num(xnli["train_rows"]), num(xnli["dev_rows"]), num(xnli["test_rows"])) == (10, 6, 8)
    assert xnli["languages"] == "en de" and num(xnli["n_languages"]) == 2 and num(xnli["n_languages_xtreme"]) == 15
    assert rows["tatoeba"]["train_rows"] == "" and num(rows["tatoeba"]["dev_rows"]) == 9
    assert rows["ccg"]["train_rows"] == "" and rows["ccg"]["role"] == "intermediate"
    assert rows["xquad"]["metric"] == "squad" and rows["bucc2018"]["format"] == "retrieval"
    md = (layout.results / "tables" / "table1.md").read_text()
    assert "none (no training)" in md and "Not prepared" in md and "1,104,934 [D]" in md


def test_write_all_tables_and_no_leftovers(layout):
    paths = tables.write_all_tables(layout)
    out = layout.results / "tables"
    for stem in ("table1", "table2", "table3", "table4", "table_appendix_xnli"):
        for ext in ("md", "csv", "tex"):
            assert out / f"{stem}.{ext}" in paths
    assert out / "table2_deltas.png" in paths
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # atomic writes leave no temp files
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)


def test_no_metrics_yet(tmp_path):
    layout = Layout("t", root=tmp_path)
    layout.data.mkdir(parents=True)
    layout.manifest.write_text(json.dumps(MANIFEST))
    with pytest.raises(UserError, match="repro collect"):
        tables.write_table(2, layout)
    paths = tables.write_all_tables(layout, plots=False)
    assert {p.name for p in paths} == {"table1.md", "table1.csv", "table1.tex"}


def test_unknown_table(layout):
    with pytest.raises(ValueError, match="unknown table"):
        tables.write_table(7, layout)


def test_tex_escaping():
    assert tex_escape("a_b & 50% #1 {x}") == "a\\_b \\& 50\\% \\#1 \\{x\\}"


def test_table4_falls_back_to_the_main_english_run(layout):
    alternatives = rows_of({("mnli", "xnli"): {"en": {"accuracy": 80.0}, "de": {"accuracy": 72.0}}}, variant="mlm")
    (layout.results / "alternatives.json").write_text(json.dumps({"results": alternatives}))
    tables.write_table(4, layout)
    by = {(r["intermediate"], r["variant"]): r for r in read_csv(layout.results / "tables" / "table4.csv")}
    assert num(by[("mnli", "english (main run)")]["xnli"]) == 78  # Table 2's MNLI row
    assert num(by[("mnli", "mlm")]["xnli_delta_vs_english"]) == -2
    study = Study.from_layout(layout)
    assert study.alt_delta("mlm") == (-2.0, 1)
