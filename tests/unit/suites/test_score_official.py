"""`repro score` against the official google-research/xtreme evaluate.py, on held-out hand-made folders.

The cases (tests/golden/xtreme_cases.json: {case: {"predictions"|"labels": {"<task>/test-<lang>.<ext>": file
text}}}) were generated once, with a seed, by hand-written rules: every XTREME task and language; UD-POS sentences
where CCONJ and SCONJ meet (heavily so in `tagging_only`), an empty sentence (fr), files without a closing blank
line (udpos ja, panx en); PAN-X BIO tags with I- without B-, type changes and lost entities; BUCC pairs with a
duplicate and pairs outside the gold; Tatoeba indices; SQuAD/MLQA/TyDiQA answers with articles, ASCII and Unicode
punctuation, case, extra and missing words, unanswered questions, empty predictions and ids outside the gold, in
the MLQA answer languages' scripts; CRLF line ends (pawsx/xnli de); a task with predictions only (xnli in
`tagging_only`) and a folder outside XTREME's lists (xcopa).

The expected numbers (tests/golden/xtreme_official_seqeval-<version>.json) are the official script's output on
those folders, produced once (not by this test) from google-research/xtreme at 838c13b, copied to /tmp with the
third_party modules it imports (evaluate_squad.py, evaluate_mlqa.py, utils_mewslix.py), never into this repo:

    materialize(case, ROOT); cd /tmp/xt_eval && python evaluate.py --prediction_folder ROOT/predictions \\
        --label_folder ROOT/labels --output_file out.json

once with seqeval 1.2.2 (what XTREME's install_tools.sh `pip install seqeval` brings today, the version the
project pins) and once with seqeval 0.0.12 on PYTHONPATH (`pip install --no-deps --target DIR seqeval==0.0.12`,
the version nyu-mll/jiant pins in setup.py: the rule of its 2020 numbers). The overall scores are also written
out below, so a change of the golden files shows in the diff of this test.
"""

import json
from pathlib import Path

import pytest

from repro.suites import submission

GOLDEN = Path(__file__).resolve().parents[3] / "tests" / "golden"
CASES = json.loads((GOLDEN / "xtreme_cases.json").read_text(encoding="utf-8"))

# evaluate.py's overall_scores per case, under each seqeval (full output in the golden files)
OFFICIAL_OVERALL = {
    "1.2.2": {
        "all_tasks": {"all_task": 60.9246784359761, "classification": 82.50865800865799, "qa": 41.91451552562663,
                      "retrieval": 59.02059745809746, "tagging": 69.760024206697},
        "qa_retrieval": {"qa": 39.83946131763592, "retrieval": 60.459155042488376},
        "tagging_only": {"tagging": 67.0511001263668},
    },
    "0.0.12": {
        "all_tasks": {"all_task": 60.5318239301498, "classification": 82.50865800865799, "qa": 41.91451552562663,
                      "retrieval": 59.02059745809746, "tagging": 67.99217893047862},
        "qa_retrieval": {"qa": 39.83946131763592, "retrieval": 60.459155042488376},
        "tagging_only": {"tagging": 61.658865816122926},
    },
}
# UD-POS avg F1: where the two seqeval rules part (PAN-X, BIO tags, is the same under both)
OFFICIAL_UDPOS = {"1.2.2": {"all_tasks": 81.18389424108975, "tagging_only": 74.52245844797753},
                  "0.0.12": {"all_tasks": 77.64820368865298, "tagging_only": 63.737989827489784}}


def materialize(case: str, root: Path) -> tuple[Path, Path]:
    """Write one case's prediction and label folders under root, byte for byte as the official run read them."""
    for folder in ("predictions", "labels"):
        for relative, text in CASES[case][folder].items():
            path = root / folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
    return root / "predictions", root / "labels"


def official(rule: str) -> dict:
    return json.loads((GOLDEN / f"xtreme_official_seqeval-{rule}.json").read_text(encoding="utf-8"))


def _assert_same(ours, theirs, where: str) -> None:
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and set(ours) == set(theirs), where  # the golden files sort their keys
        for key in theirs:
            _assert_same(ours[key], theirs[key], f"{where}.{key}")
    else:
        assert ours == pytest.approx(theirs, abs=1e-6), where


@pytest.mark.parametrize("rule", ["1.2.2", "0.0.12"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_score_folders_equals_official_evaluate_py(tmp_path, case, rule):
    preds, labels = materialize(case, tmp_path)
    ours = submission.score_folders(preds, labels, seqeval=rule)
    expected = official(rule)[case]
    overall = {k: v for k, v in expected.items() if not isinstance(v, dict)}
    detailed = {k: v for k, v in expected.items() if isinstance(v, dict)}
    assert overall == pytest.approx(OFFICIAL_OVERALL[rule][case], abs=1e-9)  # the golden file is the one cited
    _assert_same(ours["overall"], overall, f"{case}.overall")
    _assert_same(ours["detailed"], detailed, f"{case}.detailed")  # every task, language and metric
    if case in OFFICIAL_UDPOS[rule]:
        assert ours["detailed"]["udpos"]["avg_f1"] == pytest.approx(OFFICIAL_UDPOS[rule][case], abs=1e-6)


def test_default_is_the_official_script_as_installed_today(tmp_path):
    preds, labels = materialize("tagging_only", tmp_path)
    default = submission.score_folders(preds, labels)
    assert default["overall"]["tagging"] == pytest.approx(OFFICIAL_OVERALL["1.2.2"]["tagging_only"]["tagging"],
                                                          abs=1e-6)
    # the rule the default used to be (seqeval 0.0.x) is 5.4 points lower here
    assert default["overall"]["tagging"] - OFFICIAL_OVERALL["0.0.12"]["tagging_only"]["tagging"] > 5


def test_cli_score_default_and_seqeval_rule_option(tmp_path):
    from typer.testing import CliRunner

    from repro.cli import app

    preds, labels = materialize("tagging_only", tmp_path)
    runner = CliRunner()
    for args, rule in (([], "1.2.2"), (["--seqeval-rule", "0.0.12"], "0.0.12")):
        result = runner.invoke(app, ["score", "--predictions", str(preds), "--labels", str(labels), *args])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["overall"]["tagging"] == pytest.approx(
            OFFICIAL_OVERALL[rule]["tagging_only"]["tagging"], abs=1e-6)
    bad = runner.invoke(app, ["score", "--predictions", str(preds), "--labels", str(labels), "--seqeval-rule", "0"])
    assert bad.exit_code == 2
    assert "seqeval rule '0': expected one of 1.2.2, 0.0.12" in bad.output
