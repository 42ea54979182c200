"""The multilingual study's target recipes: `xtreme-r` trains each target with the values of its XTREME-R script
(google-research/xtreme@838c13b scripts/train_*.sh, xlm-roberta-large branch) and keeps the checkpoint those
scripts keep; `x-stilts` leaves the profile's target section as it is; the recipe is a DVC param of the stages it
changes, and `warmup_steps` reaches the Trainer."""

from pathlib import Path

import pytest
import yaml

from repro.params import Hyper, load
from repro.studies.multilingual.stages.common import evaluated

ROOT = Path(__file__).resolve().parents[3]

# (lr, epochs, batch x accumulation, max length, English-dev evaluation every N steps or 0 = the last weights)
SCRIPTS = {
    "xnli": (3e-5, 5, 32, 128, 100),      # train_xnli.sh:26-27, 39-42, 67
    "pawsx": (2e-5, 5, 32, 128, 200),     # train_pawsx.sh:25-27, 39-41, 62
    "udpos": (2e-5, 10, 32, 128, 500),    # train_udpos.sh:25-27, 39-41, 60
    "panx": (2e-5, 10, 32, 128, 1000),    # train_panx.sh:25-27, 39-41, 61
    "xquad": (3e-5, 3, 32, 384, 0),       # train_qa.sh:26-31, 68 (--save_steps -1)
    "tydiqa": (3e-5, 3, 32, 384, 0),      # train_qa.sh with tydiqa
    "xcopa": (3e-5, 5, 32, 128, 0),       # train_xcopa.sh:30, 44-48 (run_xcopa.py's Trainer: last)
    "mewslix": (1e-5, 2, 32, 64, 0),      # train_mewslix.sh:27-29, 40-46
    "lareqa": (2e-5, 3, 16, 256, 0),      # train_lareqa.sh:27-34
}


def test_the_paper_study_trains_each_target_with_its_xtreme_r_script(paper_profile):
    assert paper_profile.section("multilingual").recipe == "xtreme-r"
    target = evaluated(paper_profile).target
    for task, (lr, epochs, batch, length, every) in SCRIPTS.items():
        hp = target.for_task(task)
        Hyper.model_validate(hp.model_dump())  # every value a valid hyperparameter
        assert (hp.learning_rate, hp.epochs, hp.batch_size * hp.grad_accum, hp.max_length, hp.eval_every) == (
            lr, epochs, batch, length, every), task
    # the in-batch negatives of the dual encoders are the per-GPU batch: XTREME-R's 8 and 4, not a re-split
    assert (target.for_task("mewslix").batch_size, target.for_task("lareqa").batch_size) == (8, 4)
    assert target.for_task("lareqa").max_query_length == 96


def test_best_checkpoint_targets_select_on_all_of_english_dev_without_early_stopping(paper_profile):
    target = evaluated(paper_profile).target
    defaults = paper_profile.target.defaults
    assert defaults.patience == 30 and defaults.eval_subset == 500  # X-STILTs'
    for task in ("xnli", "pawsx", "udpos", "panx"):
        hp = target.for_task(task)
        assert hp.eval_every > 0 and hp.patience is None and hp.eval_subset is None, task


def test_optimizer_settings_follow_the_scripts_defaults_and_qas_warmup(paper_profile):
    target = evaluated(paper_profile).target
    qa = target.for_task("xquad")
    assert (qa.warmup_steps, qa.weight_decay, qa.doc_stride) == (500, 1e-4, 128)  # train_qa.sh:67,71,73
    for task in ("xnli", "udpos", "panx", "xcopa", "mewslix", "lareqa"):
        hp = target.for_task(task)
        assert (hp.warmup_steps, hp.weight_decay) == (0, 0.0), task


def test_x_stilts_recipe_is_the_profiles_target_section(tmp_path, smoke_profile):
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    raw["profiles"]["paper"]["multilingual"]["recipe"] = "x-stilts"
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    jiant = load(path, "paper")
    for task in SCRIPTS:
        assert evaluated(jiant).target.for_task(task) == jiant.target.for_task(task)
    assert evaluated(jiant).target.for_task("xnli").learning_rate == 1e-5
    smoke = smoke_profile
    assert smoke.section("multilingual").recipe == "x-stilts"
    assert evaluated(smoke).target.for_task("udpos") == smoke.target.for_task("udpos")


def test_an_unknown_recipe_is_refused_in_one_line(tmp_path):
    from repro.params import ParamsError

    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    raw["profiles"]["smoke"]["multilingual"]["recipe"] = "xtreme"
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ParamsError, match="recipe") as err:
        load(path, "smoke")
    assert "\n" not in str(err.value)


def test_the_recipe_is_a_param_of_the_stages_it_changes_and_prices_them(paper_profile):
    dvc = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    for stage in ("ml-target-paper", "ml-baseline-paper", "ml-dual-paper", "ml-baseline-dual-paper"):
        assert "profiles.${profile}.multilingual.recipe" in dvc[stage]["params"], stage
    from repro.studies.multilingual import recipe

    priced = recipe.applied(paper_profile, "xtreme-r").target.for_task("udpos")
    assert (priced.epochs, priced.batch_size * priced.grad_accum) == (10, 32)


def test_the_trainer_warms_up_over_warmup_steps_when_set(tmp_path):
    from repro.engine.trainer import _arguments
    from repro.params import Engine

    hp = Hyper(learning_rate=3e-5, epochs=3, batch_size=4, grad_accum=8, max_length=384, warmup_steps=500)
    args = _arguments(hp, Engine(), tmp_path, 1, 10_000, 4, 8, 1, False, False, False)
    assert args.warmup_steps == 500
    by_ratio = _arguments(hp.model_copy(update={"warmup_steps": None}), Engine(), tmp_path, 1, 10_000, 4, 8, 1,
                          False, False, False)
    assert by_ratio.warmup_steps == 94  # 10% of 2500 micro-batches x 3 epochs / 8
