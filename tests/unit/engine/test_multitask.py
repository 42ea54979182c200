"""Multi-task intermediate training as jiant's runner does it: one sampled task per optimizer step (all its
gradient-accumulation batches from that task), and the checkpoint selected on the mean over the tasks' English-dev
selection values."""

import math

import pytest
import torch
from torch import nn

from repro.engine.multitask import multitask_schedule, steps_per_epoch
from repro.engine.setup import TrainSetup
from repro.engine.trainer import finetune
from repro.params import Hyper


def _rows(n: int, token: int) -> list[dict]:
    return [{"input_ids": [0, token, 2], "attention_mask": [1, 1, 1], "labels": 0} for _ in range(n)]


TASKS = {"a": _rows(40, 5), "b": _rows(13, 6), "c": _rows(7, 7)}


def test_every_optimizer_step_takes_all_its_batches_from_one_task():
    schedule = multitask_schedule(TASKS, 2, 3, 2.0, "proportional", 2.0, None, 0, 1)
    steps = 2 * sum(math.ceil(len(rows) / 6) for rows in TASKS.values())  # jiant configurator.py:386
    assert steps_per_epoch(TASKS, 2, 3, None) * 2 == steps and len(schedule) == 3 * steps
    for at in range(0, len(schedule), 3):
        assert len({row["task"] for row in schedule[at:at + 3]}) == 1
    assert {row["task"] for row in schedule} == set(TASKS)
    for row in schedule:  # each batch is its task's rows
        assert set(row["input_ids"][:, 1].tolist()) == {TASKS[row["task"]][0]["input_ids"][1]}


def test_a_task_is_reshuffled_on_each_pass():
    rows = [{"input_ids": [0, 5 + i, 2], "attention_mask": [1, 1, 1], "labels": 0} for i in range(6)]
    schedule = multitask_schedule({"a": rows}, 3, 1, 6.0, "proportional", 2.0, None, 0, 1)
    passes = [tuple(tuple(sorted(b["input_ids"][:, 1].tolist())) for b in schedule[at:at + 2]) for at in (0, 2, 4, 6)]
    assert len(set(passes)) > 1  # jiant's InfiniteYield re-draws the order of every pass


class _Recorder(nn.Module):
    """Records the task of every batch the trainer feeds it."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))
        self.seen: list[str] = []

    def forward(self, task, input_ids, attention_mask, labels=None):
        self.seen.append(task)
        return {"loss": (self.weight - input_ids.float().mean()).pow(2).sum()}


def test_finetune_keeps_the_schedule_order(tmp_path):
    """The trainer must not shuffle a schedule: that would mix tasks within an optimizer step."""
    schedule = multitask_schedule(TASKS, 2, 3, 1.0, "uniform", 2.0, None, 0, 1)
    model = _Recorder()
    hp = Hyper(learning_rate=1e-3, epochs=1, batch_size=2, grad_accum=3, max_length=8)
    finetune(model, schedule, TrainSetup(hp, workdir=tmp_path / "work", seed=0, pad_id=1, description="x",
                                         prebatched=True))
    assert model.seen == [row["task"] for row in schedule]


@pytest.fixture(scope="module")
def tiny_world(tmp_path_factory, smoke_profile, tiny_pretrained):
    """Smoke data and a tiny untrained XLM-R standing in for the pretrained model (no pretraining), in a layout of
    its own (the stage writes into it)."""
    from repro.data.materialize import materialize
    from repro.paths import Layout

    layout = Layout("smoke", tmp_path_factory.mktemp("multitask"))
    materialize(smoke_profile, layout)
    tiny_pretrained(layout.pretrained)
    return smoke_profile, layout


def test_multitask_selects_on_the_mean_over_tasks(tiny_world, monkeypatch):
    """jiant's metarunner selects on the aggregated (mean) major metric over tasks; "once per epoch" is once per
    epoch's steps of the schedule, which spans every epoch."""
    import repro.engine.trainer as engine
    from repro.stages import common, multitask

    profile, layout = tiny_world
    study = profile.study.model_copy(update={"intermediate_tasks": ["mnli", "squad_v1"]})
    profile = profile.model_copy(update={"study": study})
    seen = {}

    def trained(model, rows, setup):
        seen.update(model=model, hp=setup.hp, scorer=setup.scorer, rows=rows)
        return model

    monkeypatch.setattr(engine, "finetune", trained)
    values = {"mnli": 40.0, "squad_v1": 70.0}
    monkeypatch.setattr(common, "scorer", lambda task, *args: lambda head: values[task.id])
    multitask.run(profile, layout)
    hp = profile.intermediate.defaults
    assert seen["scorer"] is not None and seen["scorer"](seen["model"]) == pytest.approx(55.0)
    assert seen["hp"].epochs == 1 and seen["hp"].eval_every == len(seen["rows"]) // hp.grad_accum // hp.epochs
