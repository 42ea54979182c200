"""params.yaml validation: bad input is refused with one line naming the key, before any work."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from repro.params import ParamsError, load
from repro.tasks import TARGET_TASKS

ROOT = Path(__file__).resolve().parents[3]


def _study(raw: dict) -> dict:
    return raw["profiles"]["smoke"]["study"]


def _write(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    mutate(raw)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_both_profiles_load():
    for name in ("paper", "smoke"):
        profile = load(ROOT / "params.yaml", name)
        assert profile.name == name
        assert set(profile.languages) == set(TARGET_TASKS)


def test_paper_profile_matches_jiant_recipe(paper_profile):
    paper = paper_profile
    assert paper.model.hub == "FacebookAI/xlm-roberta-large" and len(paper.model.revision) == 40
    assert paper.target.for_task("udpos").epochs == 10
    assert paper.target.for_task("xquad").max_length == 384
    assert paper.target.for_task("xnli").learning_rate == 1e-5
    assert paper.retrieval.layer == 14 and paper.retrieval.pooling == "mean"
    assert paper.scoring.seqeval == "0.0.12"  # jiant pinned seqeval 0.0.12 (setup.py)
    assert load(ROOT / "params.yaml", "smoke").scoring.seqeval == "1.2.2"  # the official evaluate.py today


def test_paper_intermediate_recipe_is_jiant_simple(paper_profile):
    """Intermediate training as guides/projects/xstilts.md runs jiant/proj/simple/runscript.py (jiant@daa5a258):
    `--train_batch_size 4` and its defaults: no gradient accumulation, one max length for every task, 3 epochs,
    lr 1e-5, 10% warmup, no evaluation while training (the last weights are kept), no early stopping."""
    paper = paper_profile
    for task in paper.study.intermediate_tasks + ["ccg"]:
        hp = paper.intermediate.for_task(task)
        assert (hp.learning_rate, hp.epochs, hp.batch_size, hp.grad_accum, hp.max_length) == (1e-5, 3, 4, 1, 256), task
        assert (hp.warmup_ratio, hp.eval_every, hp.patience, hp.eval_subset) == (0.1, 0, None, 500), task
    assert paper.intermediate.multitask.sampling == "proportional"  # configurator.py:401-404, no examples cap


@pytest.mark.parametrize("mutate, expected", [
    (lambda r: r["profiles"]["smoke"]["target"]["defaults"].update(learnin_rate=1.0),
     "profiles.smoke.target.defaults.learnin_rate: unknown key"),
    (lambda r: r["profiles"]["smoke"]["target"]["defaults"].update(batch_size="lots"),
     "profiles.smoke.target.defaults.batch_size"),
    (lambda r: r["profiles"]["smoke"]["target"]["tasks"].update(xnlii={"epochs": 1}),
     "unknown target task 'xnlii'"),
    (lambda r: r["profiles"]["smoke"]["languages"].update(xnli=["en", "xx"]),
     "profiles.smoke.languages: xnli: xx not among the task's XTREME languages"),
    (lambda r: r["profiles"]["smoke"]["retrieval"].update(pooling="max"), "profiles.smoke.retrieval.pooling"),
    (lambda r: r["profiles"]["smoke"]["scoring"].update(seqeval="0.0.x"), "profiles.smoke.scoring.seqeval"),
    (lambda r: r.update(extra={}), "params.yaml: extra: unknown key"),
    (lambda r: _study(r)["alternatives"].append("mnli+backtranslated"),
     "profiles.smoke.study: mnli+backtranslated: unknown variant 'backtranslated'"),
    (lambda r: _study(r)["alternatives"].append("qqp+mlm"),
     "profiles.smoke.study: alternatives: 'qqp+mlm' must be listed in `intermediate`"),
    (lambda r: _study(r).update(alternatives=["qqp+translated"],
                                intermediate=[*_study(r)["intermediate"], "qqp+translated"]),
     "profiles.smoke.study: qqp+translated: no translated data for qqp"),
    (lambda r: _study(r).update(intermediate=_study(r)["intermediate"] + ["hellaswag+mlm"]),
     "profiles.smoke.study: intermediate: unknown task 'hellaswag+mlm' (an alternative comes from `alternatives`)"),
])
def test_bad_params_name_the_key(tmp_path, mutate, expected):
    path = _write(tmp_path, mutate)
    with pytest.raises(ParamsError) as err:
        load(path, "smoke")
    message = str(err.value)
    assert expected in message and "\n" not in message


def test_unknown_profile(tmp_path):
    with pytest.raises(ParamsError, match="profiles.nope: no such profile"):
        load(ROOT / "params.yaml", "nope")


def test_cli_refuses_bad_params_with_one_line(tmp_path):
    path = _write(tmp_path, lambda r: r["profiles"]["smoke"]["intermediate"]["defaults"].update(epochs="two"))
    result = subprocess.run([sys.executable, "-m", "repro.cli", "data", "--params", str(path), "--profile", "smoke"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [f"error: {path}: profiles.smoke.intermediate.defaults.epochs: "
                     "Input should be a valid number, unable to parse string as a number"]
    assert not (tmp_path / "prepared").exists()  # refused before any work


def _section(raw: dict, profile: str, study: str) -> dict:
    return raw["profiles"][profile][study]


@pytest.mark.parametrize("mutate, expected", [
    # another profile's study section is validated by its own schema whichever profile runs
    (lambda r: _section(r, "paper", "code")["smoke"].update(other_language_share="not-a-number"),
     "profiles.paper.code.smoke.other_language_share: Input should be a valid number"),
    (lambda r: _section(r, "paper", "multilingual").update(seeds="one"), "profiles.paper.multilingual.seeds"),
    # the code study's numbers are range-checked like the core's
    (lambda r: _section(r, "paper", "code")["training"].update(learning_rate=0),
     "profiles.paper.code.training.learning_rate: must be greater than 0, got 0"),
    (lambda r: _section(r, "smoke", "code")["training"].update(batch_size=-1),
     "profiles.smoke.code.training.batch_size: must be greater than or equal to 1, got -1"),
    (lambda r: _section(r, "smoke", "code")["generation"].update(top_p=1.5),
     "profiles.smoke.code.generation.top_p: must be less than or equal to 1, got 1.5"),
    # a section's checks against its profile: a language set its translations do not cover
    (lambda r: _section(r, "paper", "multilingual")["languages"].update(mnli=["xx"]),
     "profiles.paper.multilingual.languages.mnli: no translation into xx"),
])
def test_every_profile_and_section_is_validated_on_every_load(tmp_path, mutate, expected):
    path = _write(tmp_path, mutate)
    with pytest.raises(ParamsError, match="^" + re.escape(f"{path}: {expected}")):
        load(path, "smoke")


def test_another_profiles_local_paths_are_not_required_here(tmp_path):
    """Paths are the machine's: the paper profile's CCGbank path on a cluster does not stop the smoke world here."""
    def mutate(raw):
        paper = raw["profiles"]["paper"]
        paper["data"]["sources"]["ccg"] = {"path": "/cluster/ccgbank"}
        paper["study"]["intermediate_tasks"].append("ccg")
        paper["study"]["intermediate"].append("ccg")

    path = _write(tmp_path, mutate)
    assert load(path, "smoke").name == "smoke"
    with pytest.raises(ParamsError, match=r"data\.sources\.ccg\.path: /cluster/ccgbank does not exist"):
        load(path, "paper")
