"""The training engine: HF Trainer runs with checkpoint selection on English dev, plus batch prediction.

`finetune(model, rows, setup)` is the one way any phase trains a model (`repro.engine.setup.TrainSetup`: how).
Selection: the Trainer evaluates every `eval_every` steps (or each epoch) by calling the stage's own scorer on
English dev (`SelectingTrainer.evaluate`), keeps the best checkpoint, stops early after `patience` evaluations
without improvement, and restores the best weights at the end. `eval_every: 0` never evaluates and keeps the last
weights (jiant's simple runscript).

How it trains is the profile's `engine` (params.Engine): DeepSpeed ZeRO (repro/engine/acceleration.py), bf16/fp16,
fused AdamW, SDPA attention, dynamic padding with length-grouped batches, torch.compile, a micro-batch that
keeps the phase's effective batch; or `faithful`, the paper's recipe literally.

Resume: checkpoints go to a work directory; a checkpoint counts once the Trainer has finished writing it
(`.complete`, written on save, plus its files), so a stage killed at any point (even mid-save) and rerun
continues from its newest complete checkpoint with its selection state (best score, early-stopping patience),
RNG and data order, and ends where an uninterrupted run ends. The work directory is removed at the end.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
from torch import nn
from transformers import (EarlyStoppingCallback, PreTrainedModel, PrinterCallback, Trainer, TrainerCallback,
                          TrainingArguments)
from transformers.trainer_pt_utils import LengthGroupedSampler
from transformers.utils import logging as hf_logging

from repro.engine import acceleration
from repro.engine.batching import IGNORE, collate
from repro.engine.setup import Meter, Scorer, TrainSetup
from repro.params import Engine, Hyper
from repro.engine import curves as training_curves
from repro.progress import progress, report_steps

hf_logging.disable_progress_bar()  # Rich shows progress; no per-load tqdm bars
COMPLETE = ".complete"  # written into a checkpoint once the Trainer has finished saving it
LOG_EVERY = 0.02  # log the loss every 2% of the optimizer steps (a ratio: TrainingArguments.logging_steps)


class SelectingTrainer(Trainer):
    """A Trainer whose evaluation is the stage's English-dev score (QA and tagging need decoding).

    Three overrides are of private methods, for want of a public hook in transformers 5.x (5.23's trainer.py):
    `_get_train_sampler` (the public `get_train_dataloader` takes its sampler from it, through `_get_dataloader`),
    `_save` (every branch of the public `save_model`, DeepSpeed's state-dict gathering included, ends in it; a
    multi-task model's shared tensors need storing once) and `_issue_warnings_after_load` (the only place a
    checkpoint's load result is seen, on resume and on loading the best model). The rest is public."""

    def __init__(self, *args, scorer: Scorer | None = None, lengths: list[int] | None = None,
                 meter: Meter | None = None, loss: Callable | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss = loss
        self.scorer = scorer
        self.lengths = lengths
        self.meter = meter
        self.counted = torch.zeros((), dtype=torch.long)

    def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix: str = "eval") -> dict[str, float]:
        self.model.eval()
        metrics = {f"{metric_key_prefix}_score": float(self.scorer(self.model))}
        self.model.train()
        self.log(metrics)
        self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
        return metrics

    def training_step(self, model, inputs, num_items_in_batch=None):
        if self.meter is not None and self.state.global_step >= self.meter.warmup:
            mask = inputs["attention_mask"]
            self.counted = self.counted.to(mask.device) + mask.sum()  # no device sync per step
            self.meter.samples += mask.shape[0]
        return super().training_step(model, inputs, num_items_in_batch)

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if self.loss is None or return_outputs:
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        loss = self.loss(model, inputs, num_items_in_batch)
        if num_items_in_batch is not None and self.args.average_tokens_across_devices:  # as Trainer.compute_loss
            loss = loss * (self.accelerator.num_processes // self.get_tp_size())
        return loss

    def _get_train_sampler(self, train_dataset=None):
        if self.lengths is None:
            return super()._get_train_sampler(train_dataset)
        return _LengthGrouped(self.args.train_batch_size * self.args.gradient_accumulation_steps,
                              self.lengths, self.args.data_seed)

    def _save(self, output_dir: str | None = None, state_dict: dict | None = None) -> None:
        if isinstance(self.model, PreTrainedModel):
            return super()._save(output_dir, state_dict)
        if self.args.should_save:  # a multi-task model shares its encoder: store each tensor once (loads non-strict)
            import safetensors.torch

            os.makedirs(output_dir, exist_ok=True)
            state = state_dict if state_dict is not None else self.model.state_dict()
            safetensors.torch.save_file({name: state[name].contiguous() for name in _stored(state)},
                                        os.path.join(output_dir, "model.safetensors"), metadata={"format": "pt"})

    def _issue_warnings_after_load(self, load_result) -> None:
        if isinstance(self.model, PreTrainedModel):
            return super()._issue_warnings_after_load(load_result)
        missing = set(load_result.missing_keys) & set(_stored(self.model.state_dict()))  # the rest are aliases
        if missing or load_result.unexpected_keys:
            raise ValueError(f"checkpoint does not fit the model: missing {sorted(missing)[:3]}, "
                             f"unexpected {load_result.unexpected_keys[:3]}")


class _LengthGrouped(LengthGroupedSampler):
    """Length-grouped order drawn from (seed, epoch) alone, so a resumed epoch replays the same batches."""

    def __init__(self, batch_size: int, lengths: list[int], seed: int):
        super().__init__(batch_size, lengths=lengths)
        self.seed, self.epoch = seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self):
        self.generator = torch.Generator().manual_seed(self.seed + self.epoch)
        return super().__iter__()


class _StepProgress(TrainerCallback):
    """Advance a Rich progress bar as optimizer steps complete, and tell the driver of `repro all` (the stage's
    progress file: step, total, loss)."""

    def __init__(self, description: str):
        self.description = description
        self.task = None
        self.loss: float | None = None

    def on_train_begin(self, args, state, control, **kwargs):
        self.task = progress().add_task(self.description, total=state.max_steps, completed=state.global_step)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "loss" in logs:
            self.loss = float(logs["loss"])

    def on_step_end(self, args, state, control, **kwargs):
        progress().update(self.task, completed=state.global_step)
        if state.is_world_process_zero:
            report_steps(self.description, state.global_step, state.max_steps, self.loss)

    def on_train_end(self, args, state, control, **kwargs):
        progress().remove_task(self.task)


class _MarkComplete(TrainerCallback):
    """Mark a checkpoint complete once the Trainer has written all of it."""

    def on_save(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            (Path(args.output_dir) / f"checkpoint-{state.global_step}" / COMPLETE).touch()


class _Timing(TrainerCallback):
    """Time the steps after the meter's warmup; the trainer counts their tokens."""

    def __init__(self, meter: Meter):
        self.meter = meter
        self.start = 0.0

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == self.meter.warmup:
            _synchronize()
            self.start = time.perf_counter()
        elif state.global_step == state.max_steps and state.global_step > self.meter.warmup:
            _synchronize()
            self.meter.seconds = time.perf_counter() - self.start
            self.meter.steps = state.global_step - self.meter.warmup


def _synchronize() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def _stored(state: dict[str, torch.Tensor]) -> list[str]:
    """The names a state dict is saved under: tensors that share storage (shared modules) only once."""
    seen, names = set(), []
    for name, tensor in state.items():
        key = (tensor.untyped_storage().data_ptr(), tensor.storage_offset(), tuple(tensor.shape))
        if key not in seen:
            seen.add(key)
            names.append(name)
    return names


def batch_split(hp: Hyper, engine: Engine, world: int, prebatched: bool = False) -> tuple[int, int]:
    """(per-device micro-batch, gradient accumulation) that keep the phase's effective batch on `world` devices.

    The effective batch is batch_size x grad_accum (jiant's 4 x 8); `engine.micro_batch` only changes how it is
    split (the faithful recipe keeps the phase's split). Prebatched rows are whole batches already.
    """
    if prebatched:
        micro, per_device = 1, hp.grad_accum
        if per_device % world:
            raise acceleration.EngineError(f"grad_accum: {hp.grad_accum} pre-built batches per step do not "
                                           f"divide over {world} devices")
        return micro, per_device // world
    effective = hp.batch_size * hp.grad_accum
    if effective % world:
        raise acceleration.EngineError(f"batch_size x grad_accum: {effective} does not divide over {world} devices")
    per_device = effective // world
    wanted = hp.batch_size if engine.faithful or engine.micro_batch is None else engine.micro_batch
    micro = min(wanted, per_device)
    if per_device % micro:
        raise acceleration.EngineError(f"engine.micro_batch: {micro} does not divide the per-device batch "
                                       f"{per_device} (batch_size x grad_accum / devices)")
    return micro, per_device // micro


def _arguments(hp: Hyper, engine: Engine, output_dir: Path, seed: int, n_rows: int, micro: int, accum: int,
               world: int, select: bool, resumable: bool, in_order: bool) -> TrainingArguments:
    strategy = "steps" if hp.eval_every else "epoch"
    steps_per_epoch = math.ceil(n_rows / (micro * world))
    cuda = torch.cuda.is_available()
    return TrainingArguments(
        output_dir=str(output_dir),
        per_device_train_batch_size=micro,
        gradient_accumulation_steps=accum,
        learning_rate=hp.learning_rate,
        num_train_epochs=hp.epochs,
        warmup_steps=(hp.warmup_steps if hp.warmup_steps is not None
                      else max(1, math.ceil(hp.warmup_ratio * steps_per_epoch * hp.epochs / accum))),
        lr_scheduler_type="linear",
        weight_decay=hp.weight_decay,
        max_grad_norm=hp.max_grad_norm,
        eval_strategy=strategy if select else "no",
        save_strategy=strategy if resumable else "no",
        eval_steps=hp.eval_every,
        save_steps=hp.eval_every,
        save_total_limit=2 if select else 1,  # the best and the latest
        load_best_model_at_end=select,
        metric_for_best_model="score" if select else None,
        greater_is_better=True,
        restore_callback_states_from_checkpoint=True,  # early-stopping patience survives a resume
        seed=seed,
        data_seed=seed,
        bf16=engine.precision == "bf16",
        fp16=engine.precision == "fp16",
        optim="adamw_torch" if engine.faithful else "adamw_torch_fused",
        # a multi-task schedule is taken in its order (one task per optimizer step); length grouping:
        # SelectingTrainer._get_train_sampler
        train_sampling_strategy="sequential" if in_order else "random",
        torch_compile=engine.compile,
        deepspeed=acceleration.config(engine) if engine.deepspeed != "none" else None,
        logging_strategy="steps",  # the loss, for the training curves and the driver's progress (no effect on training)
        logging_steps=LOG_EVERY,
        logging_first_step=True,
        report_to="none",  # repro.engine.curves logs with dvclive itself
        disable_tqdm=True,
        use_cpu=not cuda,
        dataloader_num_workers=0,
    )


def _pad_to(batch: dict, length: int, pad_id: int) -> dict:
    """Pad a dynamically padded batch to `length` tokens (the faithful recipe pads every batch to max length)."""
    ids = batch["input_ids"]
    extra = length - ids.shape[-1]
    if extra <= 0:
        return batch
    out = dict(batch)
    for key, fill in (("input_ids", pad_id), ("attention_mask", 0), ("labels", IGNORE)):
        value = batch.get(key)
        if isinstance(value, torch.Tensor) and value.shape == ids.shape:
            out[key] = nn.functional.pad(value, (0, extra), value=fill)
    return out


def _width(row: dict) -> int:
    ids = row["input_ids"]
    return max(map(len, ids)) if ids and isinstance(ids[0], list) else len(ids)


def _set_attention(model: nn.Module, implementation: str) -> None:
    for module in model.modules():
        if isinstance(module, PreTrainedModel) and module.config._attn_implementation != implementation:
            module.set_attn_implementation(implementation)


def _complete(checkpoint: Path) -> bool:
    """Whether a checkpoint was fully written and not partly deleted, and the best one it names still exists."""
    try:
        if not (checkpoint / COMPLETE).is_file():
            return False
        best = json.loads((checkpoint / "trainer_state.json").read_text()).get("best_model_checkpoint")
        names = {p.name for p in checkpoint.iterdir()}
        shards = [p.name for p in checkpoint.glob("global_step*/*")]
    except (OSError, ValueError):  # unreadable, or removed meanwhile by rank 0
        return False
    if best and not Path(best).is_dir():
        return False
    if shards:  # DeepSpeed: the engine's own checkpoint
        return ("latest" in names and any(n.endswith("model_states.pt") for n in shards)
                and any(n.endswith("optim_states.pt") for n in shards))
    return ({"optimizer.pt", "scheduler.pt"} <= names and bool(names & {"model.safetensors", "pytorch_model.bin"})
            and any(n.startswith("rng_state") for n in names))


def resume_point(workdir: Path) -> Path | None:
    """The newest complete checkpoint in `workdir`; incomplete ones (killed mid-save) are removed (rank 0)."""
    for trash in workdir.parent.glob(f".{workdir.name}.trash-*"):
        shutil.rmtree(trash, ignore_errors=True)
    if not workdir.is_dir():
        return None
    steps = {p: int(p.name.split("-")[1]) for p in workdir.glob("checkpoint-*") if p.name.split("-")[1].isdigit()}
    chosen = None
    for path in sorted(steps, key=steps.get, reverse=True):
        if _complete(path):
            chosen = chosen or path
        elif acceleration.world()[0] == 0:
            shutil.rmtree(path, ignore_errors=True)
    return chosen


def _discard(workdir: Path) -> None:
    """Remove the work directory; a rename first, so a kill midway never leaves a half-deleted checkpoint."""
    if workdir.is_dir() and acceleration.world()[0] == 0:
        trash = workdir.with_name(f".{workdir.name}.trash-{os.getpid()}")
        workdir.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)


def _consolidated(trainer: SelectingTrainer) -> nn.Module:
    """The trained model with full fp32 weights in plain parameters.

    Under DeepSpeed the weights are gathered from the optimizer's fp32 master copy (partitioned under ZeRO-3,
    where the module holds empty shards), so that `save_pretrained` writes a complete state dict.
    """
    model = trainer.model
    if not trainer.is_deepspeed_enabled:
        return model
    import deepspeed
    from deepspeed.utils import safe_get_full_fp32_param
    from torch.utils.hooks import RemovableHandle
    from transformers.integrations.deepspeed import unset_hf_deepspeed_config

    full = {}
    for param in model.parameters():  # same order on every rank: a collective under ZeRO-3
        value = safe_get_full_fp32_param(param)
        if value is None:  # not in the optimizer (frozen)
            with deepspeed.zero.GatheredParameters([param]):
                value = param.data.clone()
        full[id(param)] = nn.Parameter(value.detach().to(trainer.args.device, torch.float32).clone(),
                                       requires_grad=param.requires_grad)
    engine = trainer.model_wrapped
    engine.destroy()  # removes ZeRO-3's gather hooks; the engine's own forward hooks are handles it keeps
    for handle in [v for v in vars(engine).values() if isinstance(v, RemovableHandle)]:
        handle.remove()
    for module in model.modules():
        module._parameters = {name: None if p is None else full[id(p)] for name, p in module._parameters.items()}
    unset_hf_deepspeed_config()
    return model.float()


def finetune(model: nn.Module, rows: Sequence[dict], setup: TrainSetup) -> nn.Module:
    """Train `model` on encoded `rows` as `setup` says; with a scorer (and `eval_every` not 0), return the weights
    that scored best on English dev, else the last ones.

    The returned model has plain fp32 weights. Under a multi-process launch only rank 0 returns: evaluation and
    outputs are rank 0's, so the other ranks exit once training is done.
    """
    hp, engine, workdir, meter = setup.hp, setup.engine, setup.workdir, setup.meter
    acceleration.check(engine)
    if engine.deepspeed != "none":
        acceleration.single_process_env()
    rank, world = acceleration.world()
    micro, accum = batch_split(hp, engine, world, setup.prebatched)
    _set_attention(model, "eager" if engine.faithful else engine.attention)
    select = setup.scorer is not None and hp.eval_every != 0
    args = _arguments(hp, engine, workdir, setup.seed, len(rows), micro, accum, world, select=select,
                      resumable=meter is None, in_order=setup.prebatched)
    callbacks: list[TrainerCallback] = [_StepProgress(setup.description), _MarkComplete()]
    if select and hp.patience:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=hp.patience))
    if meter is not None:
        callbacks.append(_Timing(meter))
    resume = resume_point(workdir) if meter is None else None
    live_dir = workdir / "dvclive"
    if setup.curves is not None:
        callbacks.append(training_curves.Curves(live_dir, resume=resume is not None))
    collator = setup.collator if setup.collator is not None else _padding(setup)
    grouped = engine.group_by_length and not engine.faithful and not setup.prebatched
    # eval_dataset is a placeholder: evaluation is the scorer (SelectingTrainer.evaluate)
    trainer = SelectingTrainer(model=model, args=args, train_dataset=list(rows), data_collator=collator,
                               eval_dataset=[{}] if select else None, callbacks=callbacks, scorer=setup.scorer,
                               lengths=[_width(r) for r in rows] if grouped else None, meter=meter, loss=setup.loss)
    trainer.remove_callback(PrinterCallback)  # logs go to the curves and the progress display, not to stdout
    trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    if meter is not None:
        meter.tokens = _total(trainer.counted)
    model = _consolidated(trainer)
    if setup.curves is not None and rank == 0:
        training_curves.keep(live_dir, setup.curves)
    _discard(workdir)
    if world > 1 and rank != 0:
        raise SystemExit(0)
    return model


def _padding(setup: TrainSetup) -> Callable:
    """The default collator: dynamic padding (a prebatched row is its batch), to max length in the faithful recipe."""
    pad_id, length = setup.pad_id, setup.hp.max_length
    padded = (lambda batch: batch[0]) if setup.prebatched else (lambda batch: collate(batch, pad_id))
    return (lambda batch: _pad_to(padded(batch), length, pad_id)) if setup.engine.faithful else padded


def _total(count: torch.Tensor) -> int:
    """A per-rank count summed over every rank of the run."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.all_reduce(count)
    return int(count.item())


@torch.no_grad()
def predict(model: nn.Module, rows: Sequence[dict], pad_id: int, batch_size: int = 64):
    """Model outputs over `rows` in order: logits, or (start_logits, end_logits) for QA, padded with -inf."""
    model.eval()
    device = next(model.parameters()).device
    outputs: list[list[np.ndarray]] = []
    for at in range(0, len(rows), batch_size):
        batch = collate(rows[at:at + batch_size], pad_id)
        inputs = {k: v.to(device) for k, v in batch.items() if k in ("input_ids", "attention_mask")}
        out = model(**inputs)
        heads = [out.start_logits, out.end_logits] if hasattr(out, "start_logits") else [out.logits]
        for i, head in enumerate(heads):
            if len(outputs) <= i:
                outputs.append([])
            outputs[i].extend(head.float().cpu().numpy())
    padded = [_pad_ragged(o) for o in outputs]
    return padded[0] if len(padded) == 1 else tuple(padded)


def _pad_ragged(arrays: list[np.ndarray]) -> np.ndarray:
    """Stack arrays whose first axis (sequence length) differs, padding with -inf."""
    if all(a.shape == arrays[0].shape for a in arrays):
        return np.stack(arrays)
    width = max(a.shape[0] for a in arrays)
    out = np.full((len(arrays), width, *arrays[0].shape[1:]), -np.inf, dtype=np.float32)
    for i, a in enumerate(arrays):
        out[i, :a.shape[0]] = a
    return out
