"""`repro score --suite xtreme-r` against the official google-research/xtreme evaluate.py --xtreme_version xtreme-r.

The cases (tests/golden/xtreme_r_cases.json, written by tests/golden/make_xtreme_r_cases.py: what they hold is
listed there) are held-out folders in the XTREME-R submission layout. tests/golden/xtreme_r_official.json is the
official script's output on them (google-research/xtreme at 838c13b, seqeval 1.2.2), so the comparison runs
without the script too. Where a mirror of that repository is here (XTREME_MIRROR, a bare git dir; default
/work/.mirror/google-research+xtreme/repo), the tests also run the script itself: evaluate.py and the
third_party modules it imports are copied out of the mirror into a temp dir at test time (never into this repo),
run on the materialised cases, and their output must equal the golden file and ours (to 1e-6). They skip cleanly
when the mirror is absent.

What the official script does with LAReQA (no language list): its entry is {} (with_lareqa; the script writes its
output file, then stops with a KeyError printing the table), and with every task folder there it stops with a
KeyError at "all_task" before writing anything. Ours then gives every official key it would have computed
(groups, no "all_task") and our own numbers under "ours".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from repro.suites import submission, xtreme_r

GOLDEN = Path(__file__).resolve().parents[3] / "tests" / "golden"
CASES = json.loads((GOLDEN / "xtreme_r_cases.json").read_text(encoding="utf-8"))
OFFICIAL = json.loads((GOLDEN / "xtreme_r_official.json").read_text(encoding="utf-8"))
MIRROR = Path(os.environ.get("XTREME_MIRROR", "/work/.mirror/google-research+xtreme/repo"))
COMMIT = "838c13b"
OFFICIAL_FILES = ("evaluate.py", "third_party/__init__.py", "third_party/evaluate_squad.py",
                  "third_party/evaluate_mlqa.py", "third_party/utils_mewslix.py", "third_party/utils_lareqa.py")

# the official overall scores of each case (full output in the golden file), so a change shows in this diff
OFFICIAL_OVERALL = {
    "official": {"classification": 66.53042328042326, "tagging": 69.89507975845692, "qa": 46.04986037624926,
                 "retrieval": 41.690504274567004, "multi_choice": 53.57142857142856},
    "with_lareqa": {"multi_choice": 54.09090909090909},
}


def case_files(case: str) -> dict[str, dict[str, str]]:
    if case == "everything":  # all ten tasks: `official` plus the LAReQA folder of `with_lareqa`
        return {folder: {**CASES["official"][folder],
                         **{k: v for k, v in CASES["with_lareqa"][folder].items() if k.startswith("lareqa/")}}
                for folder in ("predictions", "labels")}
    return CASES[case]


def materialize(case: str, root: Path) -> tuple[Path, Path]:
    for folder, files in case_files(case).items():
        for relative, text in files.items():
            path = root / folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
    return root / "predictions", root / "labels"


def split(flat: dict) -> tuple[dict, dict]:
    """evaluate.py's output file ({group: score, task: detail}) as (overall, detailed)."""
    return ({k: v for k, v in flat.items() if not isinstance(v, dict)},
            {k: v for k, v in flat.items() if isinstance(v, dict)})


def assert_same(ours, theirs, where: str) -> None:
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and set(ours) == set(theirs), f"{where}: {set(ours) ^ set(theirs)}"
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}.{key}")
    else:
        assert ours == pytest.approx(theirs, abs=1e-6), where


@pytest.mark.parametrize("case", sorted(OFFICIAL))
def test_score_folders_equals_official_output(tmp_path, case):
    preds, labels = materialize(case, tmp_path)
    ours = submission.score_folders(preds, labels, suite=xtreme_r)
    overall, detailed = split(OFFICIAL[case])
    assert overall == pytest.approx(OFFICIAL_OVERALL[case], abs=1e-9)
    assert "all_task" not in overall
    assert_same(ours["overall"], overall, f"{case}.overall")
    assert_same(ours["detailed"], detailed, f"{case}.detailed")  # every task, language and metric
    assert set(ours) == {"overall", "detailed", "ours"}


def test_with_lareqa_official_entry_is_empty_and_ours_scores_it(tmp_path):
    ours = submission.score_folders(*materialize("with_lareqa", tmp_path), suite=xtreme_r)
    assert ours["detailed"]["lareqa"] == {} == OFFICIAL["with_lareqa"]["lareqa"]
    lareqa = ours["ours"]["detailed"]["lareqa"]
    assert list(lareqa["map@20"]) == list(xtreme_r.OURS_TASK2LANGS["lareqa"])
    assert lareqa["avg_metric"] == lareqa["avg_map@20"] == pytest.approx(
        sum(lareqa["map@20"].values()) / len(xtreme_r.OURS_TASK2LANGS["lareqa"]))
    assert ours["ours"]["overall"] == {}  # Tatoeba is not in this case: no retrieval group, no all_task
    assert "official evaluate.py" in ours["ours"]["note"]


def test_everything_ours_overall_and_no_official_all_task(tmp_path):
    ours = submission.score_folders(*materialize("everything", tmp_path), suite=xtreme_r)
    overall, detailed = split(OFFICIAL["official"])
    assert_same(ours["overall"], overall, "everything.overall")  # the groups; evaluate.py gets no further here
    scores = {t: d["avg_metric"] for t, d in {**ours["detailed"], **ours["ours"]["detailed"]}.items()
              if "avg_metric" in d}
    assert len(scores) == len(xtreme_r.TASK2LANGS) == 10
    assert ours["ours"]["overall"]["all_task"] == pytest.approx(sum(scores.values()) / 10, abs=1e-12)
    assert ours["ours"]["overall"]["retrieval"] == pytest.approx(
        (scores["tatoeba"] + scores["mewslix"] + scores["lareqa"]) / 3, abs=1e-12)


def test_cli_score_suite_xtreme_r(tmp_path):
    from typer.testing import CliRunner

    from repro.cli import app

    preds, labels = materialize("official", tmp_path)
    result = CliRunner().invoke(app, ["score", "--suite", "xtreme-r", "--predictions", str(preds),
                                      "--labels", str(labels)])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    overall, detailed = split(OFFICIAL["official"])
    assert_same(printed["overall"], overall, "cli.overall")
    assert_same(printed["detailed"], detailed, "cli.detailed")
    bad = CliRunner().invoke(app, ["score", "--suite", "xtreme-x", "--predictions", str(preds),
                                   "--labels", str(labels)])
    assert bad.exit_code == 2 and "unknown suite 'xtreme-x'; known: xtreme, xtreme-r" in bad.output


# ---------------------------------------------------------------------------------------------------------
# The official script itself, run from the mirror at test time


@pytest.fixture(scope="module")
def official_dir(tmp_path_factory) -> Path:
    """evaluate.py and its third_party modules at 838c13b, copied from the mirror into a temp dir."""
    if not (MIRROR / "HEAD").is_file():
        pytest.skip(f"no google-research/xtreme mirror at {MIRROR} (set XTREME_MIRROR)")
    pytest.importorskip("seqeval")
    head = subprocess.run(["git", f"--git-dir={MIRROR}", "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0 or not head.stdout.startswith(COMMIT):
        pytest.skip(f"the mirror at {MIRROR} is not at {COMMIT}: {head.stdout.strip() or head.stderr.strip()}")
    where = tmp_path_factory.mktemp("xtreme_official")
    for name in OFFICIAL_FILES:
        shown = subprocess.run(["git", f"--git-dir={MIRROR}", "show", f"{COMMIT}:{name}"], capture_output=True,
                               check=True)
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        (where / name).write_bytes(shown.stdout)
    return where


def run_official(official_dir: Path, preds: Path, labels: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "evaluate.py", "--xtreme_version", "xtreme-r", "--prediction_folder",
                           str(preds), "--label_folder", str(labels), "--output_file", str(out)],
                          cwd=official_dir, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("case", sorted(OFFICIAL))
def test_official_script_now_equals_golden_and_ours(tmp_path, official_dir, case):
    preds, labels = materialize(case, tmp_path)
    run = run_official(official_dir, preds, labels, tmp_path / "out.json")
    if case == "with_lareqa":  # the output file is written, then printing LAReQA's {} stops with a KeyError
        assert run.returncode != 0 and "KeyError: 'avg_metric'" in run.stderr
    else:
        assert run.returncode == 0, run.stderr[-2000:]
    theirs = json.loads((tmp_path / "out.json").read_text())
    assert_same(theirs, OFFICIAL[case], f"{case}.golden")
    ours = submission.score_folders(preds, labels, suite=xtreme_r)
    overall, detailed = split(theirs)
    assert_same(ours["overall"], overall, f"{case}.overall")
    assert_same(ours["detailed"], detailed, f"{case}.detailed")


def test_official_script_stops_at_all_task_with_every_task(tmp_path, official_dir):
    run = run_official(official_dir, *materialize("everything", tmp_path), tmp_path / "out.json")
    assert run.returncode != 0 and "KeyError: 'avg_metric'" in run.stderr
    assert not (tmp_path / "out.json").exists()


def test_lareqa_equals_official_average_precision(tmp_path, official_dir):
    """Our LAReQA mAP@20 against utils_lareqa.average_precision_at_k itself, on the case's rankings mapped to
    candidate indices (mean_avg_prec_at_k pools the questions: with equal questions per language, as here and in
    XQuAD-R, that is our mean over languages)."""
    sys.path.insert(0, str(official_dir / "third_party"))
    try:
        import utils_lareqa
    finally:
        sys.path.remove(str(official_dir / "third_party"))
    files = CASES["with_lareqa"]
    ours = submission.score_folders(*materialize("with_lareqa", tmp_path), suite=xtreme_r)["ours"]["detailed"]
    index: dict[str, int] = {}
    pooled = []
    for lang in xtreme_r.OURS_TASK2LANGS["lareqa"]:
        gold = json.loads(files["labels"][f"lareqa/test-{lang}.json"])
        predictions = json.loads(files["predictions"][f"lareqa/test-{lang}.json"])
        scores = [utils_lareqa.average_precision_at_k([index.setdefault(c, len(index)) for c in relevant],
                                                      [index.setdefault(c, len(index)) for c in
                                                       predictions.get(q, [])], k=20)
                  for q, relevant in gold.items()]
        pooled.extend(scores)
        assert ours["lareqa"]["map@20"][lang] == pytest.approx(100 * sum(scores) / len(scores), abs=1e-9), lang
    assert ours["lareqa"]["avg_map@20"] == pytest.approx(100 * sum(pooled) / len(pooled), abs=1e-9)


def test_mewslix_upstream_mock_data(official_dir):
    """evaluate_test.py's own Mewsli-X case (mock_test_data in the mirror): avg map@20 = 14.39025156130419."""
    per_lang = {}
    for lang in xtreme_r.TASK2LANGS["mewslix"]:
        paths = []
        for folder in ("predictions", "labels"):
            shown = subprocess.run(["git", f"--git-dir={MIRROR}", "show",
                                    f"{COMMIT}:mock_test_data/{folder}/mewslix/test-{lang}.json"],
                                   capture_output=True, check=True)
            path = official_dir / "mock" / folder / "mewslix" / f"test-{lang}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(shown.stdout)
            paths.append(path)
        per_lang[lang] = submission.score_language("mewslix", lang, *paths, suite=xtreme_r)
    assert xtreme_r.task_detail("mewslix", per_lang)["avg_map@20"] == pytest.approx(14.39025156130419, abs=1e-9)
