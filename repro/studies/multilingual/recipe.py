"""The multilingual study's target recipes: `x-stilts` (the profile's own `target` section, jiant's X-STILTs recipe)
or `xtreme-r` (XTREME-R's scripts for xlm-roberta-large, below), chosen by `profiles.P.multilingual.recipe`.

XTREME-R fine-tunes each target with its own script of google-research/xtreme@838c13b scripts/; the values below are
the xlm-roberta-large branch of each (the file and lines cited per task). Checkpoint rules: the classification and
tagging scripts pass --save_only_best_checkpoint and keep the checkpoint with the best English-dev score, scored every
--save_steps (run_classify.py:255-262 accuracy, run_tag.py:195-199 F1; no early stopping: --eval_patience -1); the QA,
XCOPA and dual-encoder scripts keep the last weights (train_qa.sh:68 --save_steps -1; run_xcopa.py:360 a Trainer
without load_best_model_at_end; run_retrieval_el.py and run_retrieval_qa.py save at the end): `eval_every: 0`.
Every script's optimizer defaults: weight decay 0.0 and no warmup (run_classify.py:568,580, run_tag.py:439,449),
except QA's 500 warmup steps and 1e-4 decay. What the profile sets and XTREME-R's scripts do not (QA windows'
query length and stride mode, the engine) stays the profile's.

Where this recipe still differs from the scripts: the seed is each run's (the study's seeds; the scripts fix 1 or
42); the engine may re-split the batch (`engine.micro_batch`, same effective batch; the dual encoders keep the
scripts' per-GPU batch, their in-batch negatives) and train in bf16 (the scripts: fp32); the SQuAD fine-tune follows
train_qa.sh (3 epochs, 4 x 8) although run_tatoeba.sh:45 embeds with a model trained 2 epochs at 2 x 16.
"""

from __future__ import annotations

from repro.params import Hyper, Profile, TargetPhase

RECIPES = ("x-stilts", "xtreme-r")
NO_WARMUP = {"warmup_ratio": 0.0, "warmup_steps": 0, "weight_decay": 0.0}
BEST_ON_DEV = {"eval_subset": None, "patience": None}  # every English dev example, no early stopping
LAST = {"eval_every": 0}  # no evaluation while training: the last weights are kept

XTREME_R: dict[str, dict] = {
    # train_xnli.sh:26-27 epochs 5, length 128; :39-42 xlm-roberta-large: batch 2 x 16 accumulation, lr 3e-5;
    # :67,71 --save_steps 100 --save_only_best_checkpoint
    "xnli": {"learning_rate": 3.0e-5, "epochs": 5, "batch_size": 2, "grad_accum": 16, "max_length": 128,
             "eval_every": 100, **BEST_ON_DEV, **NO_WARMUP},
    # train_pawsx.sh:25-27 lr 2e-5, epochs 5, length 128; :39-41 batch 2 x 16; :62,73 --save_steps 200, best
    # (PAWS-X is XTREME's, not XTREME-R's; its script is still in the repository)
    "pawsx": {"learning_rate": 2.0e-5, "epochs": 5, "batch_size": 2, "grad_accum": 16, "max_length": 128,
              "eval_every": 200, **BEST_ON_DEV, **NO_WARMUP},
    # train_udpos.sh:25-27 epochs 10, length 128, lr 2e-5; :39-41 batch 2 x 16; :60,72 --save_steps 500, best
    "udpos": {"learning_rate": 2.0e-5, "epochs": 10, "batch_size": 2, "grad_accum": 16, "max_length": 128,
              "eval_every": 500, **BEST_ON_DEV, **NO_WARMUP},
    # train_panx.sh:25-27 epochs 10, length 128, lr 2e-5; :39-41 batch 2 x 16; :61,71,73 --save_steps 1000,
    # --eval_patience -1, best
    "panx": {"learning_rate": 2.0e-5, "epochs": 10, "batch_size": 2, "grad_accum": 16, "max_length": 128,
             "eval_every": 1000, **BEST_ON_DEV, **NO_WARMUP},
    # train_qa.sh:26-31 batch 4 x 8, length 384, lr 3e-5, epochs 3; :67 doc stride 128; :68 --save_steps -1 (the
    # last weights); :71 500 warmup steps; :73 weight decay 1e-4. SQuAD v1.1 (XQuAD, MLQA) and TyDiQA alike.
    "xquad": {"learning_rate": 3.0e-5, "epochs": 3, "batch_size": 4, "grad_accum": 8, "max_length": 384,
              "doc_stride": 128, "warmup_ratio": 0.0, "warmup_steps": 500, "weight_decay": 1.0e-4, **LAST},
    "tydiqa": {"learning_rate": 3.0e-5, "epochs": 3, "batch_size": 4, "grad_accum": 8, "max_length": 384,
               "doc_stride": 128, "warmup_ratio": 0.0, "warmup_steps": 500, "weight_decay": 1.0e-4, **LAST},
    # train_xcopa.sh:30 epochs 5; :44-48 xlm-roberta-large: length 128, lr 3e-5, batch 2 x 16; SIQA then COPA, each
    # run_xcopa.py's Trainer (no best-checkpoint selection: the last weights)
    "xcopa": {"learning_rate": 3.0e-5, "epochs": 5, "batch_size": 2, "grad_accum": 16, "max_length": 128,
              **NO_WARMUP, **LAST},
    # train_mewslix.sh:27-29 length 64, epochs 2, accumulation 4; :40-46 lr 1e-5, batch 8; :75,77 no warmup or decay
    "mewslix": {"learning_rate": 1.0e-5, "epochs": 2, "batch_size": 8, "grad_accum": 4, "max_length": 64,
                "max_query_length": 64, **NO_WARMUP, **LAST},
    # train_lareqa.sh:27-34 query 96 and answer 256 tokens, epochs 3, lr 2e-5, batch 4 x 4; :67,69 no warmup or decay
    "lareqa": {"learning_rate": 2.0e-5, "epochs": 3, "batch_size": 4, "grad_accum": 4, "max_length": 256,
               "max_query_length": 96, **NO_WARMUP, **LAST},
}


class RecipePhase(TargetPhase):
    """A target phase whose tasks take the recipe's values over the profile's (`for_task`)."""

    recipe: str = "xtreme-r"

    def for_task(self, task: str) -> Hyper:
        return super().for_task(task).model_copy(update=XTREME_R.get(task, {}))


def target_phase(phase: TargetPhase, recipe: str) -> TargetPhase:
    """The target phase a recipe trains with: the profile's own (`x-stilts`), or each task's XTREME-R script values
    over the profile's (`xtreme-r`; a value of None, such as `patience`, clears the profile's)."""
    if recipe == "x-stilts":
        return phase
    return RecipePhase(defaults=phase.defaults, tasks=phase.tasks, recipe=recipe)


def applied(profile: Profile, recipe: str) -> Profile:
    """The profile with its target phase as the recipe trains it."""
    return profile.model_copy(update={"target": target_phase(profile.target, recipe)})
