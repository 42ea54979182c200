"""The study's three phases (plus retrieval), each a pure stage: declared inputs in, declared outputs out.

- pretrain:     phase 1, the masked LM (download XLM-R Large at a pinned revision, or train the tiny smoke model)
- intermediate: phase 2, one English intermediate task (or all of them, multi-task); writes the encoder only
- target:       phase 3, fresh head on the encoder, English training data, selection on English dev,
                zero-shot evaluation in every language of the task
- retrieval:    BUCC and Tatoeba straight from an encoder, no training
Outputs are written to a temporary path and renamed into place (`atomic_dir` / `atomic_json`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from repro import data, metrics, retrieval_math, score
from repro.gold import bucc_id
from repro.params import Hyper, Profile
from repro.paths import Layout
from repro.registry import BASELINE, INTERMEDIATE_TASKS, MULTITASK, TARGET_TASKS, Alternative, Task, dataset_key

# ---------------------------------------------------------------------------------------------------------
# Atomic outputs


@contextlib.contextmanager
def atomic_dir(final: Path):
    """Yield a temporary directory that replaces `final` only if the block succeeds."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    try:
        yield tmp
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def atomic_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------------------
# Per-format plumbing: encode, build a head, decode, score


def _encode(task: Task, tokenizer, examples: list[dict], hp: Hyper, labels: tuple[str, ...]) -> list[dict]:
    from repro import encoding

    if task.format == "classification":
        return encoding.encode_classification(tokenizer, examples, hp.max_length)
    if task.format == "multiple_choice":
        return encoding.encode_multiple_choice(tokenizer, examples, hp.max_length)
    if task.format == "tagging":
        return encoding.encode_tagging(tokenizer, examples, hp.max_length, {t: i for i, t in enumerate(labels)})
    return encoding.encode_qa(tokenizer, examples, hp.max_length, hp.doc_stride)


def _head(task: Task, encoder: Path, labels: tuple[str, ...], seed: int):
    """A fresh task head on the encoder's weights (jiant's `partial` load: encoder only), its initial weights
    drawn from `seed` (the Trainer seeds only after the model exists: unseeded, two runs of a stage differ)."""
    import transformers as tf

    kind = {"classification": tf.AutoModelForSequenceClassification, "tagging": tf.AutoModelForTokenClassification,
            "multiple_choice": tf.AutoModelForMultipleChoice,
            "extractive_qa": tf.AutoModelForQuestionAnswering}[task.format]
    # the encoder's config still carries its intermediate task's labels; every head states its own
    kwargs = {"num_labels": 2, "id2label": {0: "start", 1: "end"}, "label2id": {"start": 0, "end": 1}}
    if task.format in ("classification", "tagging"):
        kwargs = {"num_labels": len(labels), "id2label": dict(enumerate(labels)),
                  "label2id": {label: i for i, label in enumerate(labels)}}
    tf.logging.set_verbosity_error()  # the expected "newly initialized head" load report
    tf.set_seed(seed)
    return kind.from_pretrained(str(encoder), **kwargs)


def _decode(task: Task, model, rows: list[dict], examples: list[dict], pad_id: int, labels: tuple[str, ...]):
    from repro import encoding
    from repro.engine import predict

    outputs = predict(model, rows, pad_id)
    if task.format in ("classification", "multiple_choice"):
        return [int(i) for i in np.argmax(outputs, axis=-1)]
    if task.format == "tagging":
        return encoding.decode_tagging(outputs, rows, examples, labels)
    start, end = outputs
    return encoding.decode_qa(start, end, rows, examples, allow_no_answer=task.version_2)


def _gold(task: Task, examples: list[dict]):
    """Gold labels in the form the metric functions take."""
    if task.format in ("classification", "multiple_choice"):
        return [e["label"] for e in examples]
    if task.format == "tagging":
        return [e["tags"] for e in examples]
    return {e["id"]: list(e["answers"]["text"]) for e in examples}


def _score(task: Task, predictions, gold, lang: str) -> dict[str, float]:
    """The task's metric(s) on a 0-100 scale, computed as the official XTREME scripts do."""
    if task.format == "extractive_qa":
        if task.metric == "mlqa":
            return metrics.mlqa_em_f1(predictions, gold, lang)
        return metrics.squad_em_f1(predictions, gold)
    if task.format == "tagging" and task.metric == "f1":
        return {"f1": metrics.tagging_f1(predictions, gold)}
    if task.format == "tagging":  # CCG supertagging: token accuracy (jiant)
        flat_p = [t for seq in predictions for t in seq]
        flat_g = [t for seq in gold for t in seq]
        return {"accuracy": metrics.accuracy(flat_p, flat_g)}
    return {"accuracy": metrics.accuracy(predictions, gold)}


def _selection_value(scores: dict[str, float]) -> float:
    """The number checkpoints are selected on: F1 where there is one, else accuracy."""
    return scores.get("f1", scores.get("accuracy", 0.0))


def _scorer(task: Task, tokenizer, examples: list[dict], hp: Hyper, labels: tuple[str, ...], seed: int):
    """English-dev scorer for checkpoint selection, on a fixed subset of `eval_subset` examples."""
    if hp.eval_subset and len(examples) > hp.eval_subset:
        keep = np.random.default_rng(seed).choice(len(examples), hp.eval_subset, replace=False)
        examples = [examples[i] for i in sorted(keep)]
    rows = _encode(task, tokenizer, examples, hp, labels)
    gold = _gold(task, examples)
    return lambda model: _selection_value(
        _score(task, _decode(task, model, rows, examples, tokenizer.pad_token_id, labels), gold, "en"))


def _labels(task: Task, layout: Layout) -> tuple[str, ...]:
    if not task.label_names_from_data:
        return task.labels
    tags = {t for source in task.train for e in data.read(layout, source, "train") for t in e["tags"]}
    return tuple(sorted(tags))


def _train_sources(task: Task, split: str, layout: Layout) -> list[dict]:
    examples = []
    for source in task.train:
        lang = "en" if data.SOURCES[source].per_language else None
        examples.extend(data.read(layout, source, split, lang))
    return examples


def _tokenizer(path: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path))


def _require(path: Path, what: str, verb: str) -> Path:
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no {what}; run `{verb}` first")
    return path


# ---------------------------------------------------------------------------------------------------------
# Phase 1


def pretrain(profile: Profile, layout: Layout) -> Path:
    """Phase 1: the pretrained masked LM, saved as a plain HF directory at layout.pretrained."""
    if profile.model.hub:
        import transformers as tf

        with atomic_dir(layout.pretrained) as out:
            tf.AutoTokenizer.from_pretrained(profile.model.hub, revision=profile.model.revision).save_pretrained(out)
            tf.AutoModelForMaskedLM.from_pretrained(profile.model.hub, revision=profile.model.revision) \
                .save_pretrained(out)
        return layout.pretrained
    from repro import mlm

    corpus = [row["text"] for row in _corpus(layout, "train")]
    with atomic_dir(layout.pretrained) as out:
        mlm.pretrain_tiny(profile.model.pretrain, corpus, out, seed=profile.seed,
                          workdir=layout.checkpoints("pretrain"))
    return layout.pretrained


def _corpus(layout: Layout, split: str):
    import datasets

    path = layout.dataset("mlm_corpus", split)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing; run `repro data --profile {layout.profile}` first")
    return datasets.Dataset.from_parquet(str(path), keep_in_memory=True)


# ---------------------------------------------------------------------------------------------------------
# Phase 2


def intermediate(profile: Profile, layout: Layout, task_id: str) -> Path | None:
    """Phase 2: fine-tune on one English intermediate task (or all: `multitask`); save the encoder only.

    Returns None when the task cannot run here (CCG without a CCGbank path).
    """
    from repro.engine import finetune

    if task_id == MULTITASK:
        return _multitask(profile, layout)
    alternative = Alternative.parse(task_id)  # Table 4: "<task>+mlm" or "<task>+translated"
    task = INTERMEDIATE_TASKS[alternative.task if alternative else task_id]
    extra = data.alternative_sources(profile, task_id) if alternative else []
    needed = [(source, None) for source in task.train if not data.SOURCES[source].per_language] + extra
    if not all(layout.dataset(dataset_key(source, lang), "train").is_file() for source, lang in needed):
        return None  # a local-only source without its path (CCGbank, translated SQuAD): `repro data` said so
    encoder = _require(layout.pretrained, "pretrained model", f"repro pretrain --profile {profile.name}")
    hp = profile.intermediate.for_task(task.id)
    tokenizer = _tokenizer(encoder)
    labels = _labels(task, layout)
    train = _train_sources(task, "train", layout)
    if alternative and alternative.variant == "translated":
        train += [e for source, lang in extra for e in data.read(layout, source, "train", lang)]
    rows = _encode(task, tokenizer, train, hp, labels)
    dev = _train_sources(task, "validation", layout)
    model = _head(task, encoder, labels, profile.seed)
    scorer = _scorer(task, tokenizer, dev, hp, labels, profile.seed)
    workdir, description = layout.checkpoints(f"intermediate-{task_id}"), f"intermediate {task_id}"
    if alternative and alternative.variant == "mlm":
        model = _with_mlm(profile, layout, task, model, rows, extra, hp, tokenizer, workdir, description)
    else:
        model = finetune(model, rows, hp, scorer=scorer, workdir=workdir, seed=profile.seed,
                         pad_id=tokenizer.pad_token_id, description=description, engine=profile.engine)
    dev_score = scorer(model)
    out = layout.encoder(task_id)
    with atomic_dir(out) as tmp:
        model.base_model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        atomic_json(tmp / "intermediate.json", {"task": task_id, "english_dev": dev_score, "labels": list(labels)})
    return out


def _with_mlm(profile: Profile, layout: Layout, task: Task, model, rows: list[dict], text_sources: list[tuple],
              hp: Hyper, tokenizer, workdir: Path, description: str):
    """Train the task head together with an MLM head on the text of `text_sources` (the paper's alternative (a)):
    one shared encoder, single-task batches drawn in proportion to the data, `mlm_ratio` MLM lines per task
    example; no checkpoint selection (as for multitask). Returns the task model."""
    import torch
    import transformers as tf

    from repro.engine import MultiTaskModel, finetune, multitask_schedule
    from repro.mlm import mlm_rows

    settings = profile.alternatives
    texts = [e["text"] for source, lang in text_sources for e in data.read(layout, source, "train", lang)]
    n = min(len(texts), round(len(rows) * settings.mlm_ratio))
    texts = [texts[i] for i in sorted(np.random.default_rng(profile.seed).choice(len(texts), n, replace=False))]
    tf.set_seed(profile.seed)
    mlm_head = tf.AutoModelForMaskedLM.from_pretrained(str(layout.pretrained))
    multi = MultiTaskModel({task.id: model, "mlm": mlm_head})
    mlm_head.lm_head.decoder.weight = multi.encoder.embeddings.word_embeddings.weight  # re-tie to the shared encoder
    masking = tf.DataCollatorForLanguageModeling(tokenizer, mlm_probability=settings.mlm_probability)
    torch.manual_seed(profile.seed)  # the masks
    schedule = multitask_schedule({task.id: rows, "mlm": mlm_rows(tokenizer, texts, hp.max_length)}, hp.batch_size,
                                  hp.epochs, "proportional", 1.0, None, profile.seed, tokenizer.pad_token_id,
                                  collators={"mlm": masking})
    finetune(multi, schedule, hp.model_copy(update={"epochs": 1}), scorer=None, workdir=workdir, seed=profile.seed,
             pad_id=tokenizer.pad_token_id, description=description, prebatched=True, engine=profile.engine)
    return multi.heads[task.id]


def _multitask(profile: Profile, layout: Layout) -> Path:
    """All intermediate tasks at once: shared encoder, one head per task, sampled single-task batches."""
    from repro.engine import MultiTaskModel, finetune, multitask_schedule

    encoder = _require(layout.pretrained, "pretrained model", f"repro pretrain --profile {profile.name}")
    tokenizer = _tokenizer(encoder)
    settings = profile.intermediate.multitask
    tasks = [INTERMEDIATE_TASKS[t] for t in profile.study.intermediate_tasks
             if t != "ccg" or layout.dataset("ccg", "train").is_file()]
    heads, rows, scorers = {}, {}, {}
    for task in tasks:
        hp = profile.intermediate.for_task(task.id)
        labels = _labels(task, layout)
        heads[task.id] = _head(task, encoder, labels, profile.seed)
        rows[task.id] = _encode(task, tokenizer, _train_sources(task, "train", layout), hp, labels)
        scorers[task.id] = _scorer(task, tokenizer, _train_sources(task, "validation", layout), hp, labels,
                                   profile.seed)
    hp = profile.intermediate.defaults
    schedule = multitask_schedule(rows, hp.batch_size, hp.epochs, settings.sampling, settings.temperature,
                                  settings.examples_cap, profile.seed, tokenizer.pad_token_id)
    model = MultiTaskModel(heads)
    # Selection on the mean English-dev score over tasks; the schedule already spans every epoch.
    scorer = lambda m: float(np.mean([scorers[name](m.heads[name]) for name in m.heads]))  # noqa: E731
    model = finetune(model, schedule, hp.model_copy(update={"epochs": 1}), scorer=None,
                     workdir=layout.checkpoints("intermediate-multitask"), seed=profile.seed,
                     pad_id=tokenizer.pad_token_id, description="intermediate multitask", prebatched=True,
                     engine=profile.engine)
    out = layout.encoder(MULTITASK)
    with atomic_dir(out) as tmp:
        model.encoder.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        atomic_json(tmp / "intermediate.json", {"task": MULTITASK, "english_dev": scorer(model),
                                                "tasks": list(heads)})
    return out


# ---------------------------------------------------------------------------------------------------------
# Phase 3


def target(profile: Profile, layout: Layout, intermediate_id: str, target_id: str) -> dict:
    """Phase 3 for one (intermediate, target) pair; writes stage metrics, predictions and gold labels."""
    from repro.engine import finetune

    task = TARGET_TASKS[target_id]
    if task.format == "retrieval":
        return retrieval(profile, layout, intermediate_id, target_id)
    encoder = _encoder_or_fail(profile, layout, intermediate_id)
    hp = profile.target.for_task(task.shares_training_with or target_id)
    tokenizer = _tokenizer(encoder)
    labels = task.labels
    english_dev = None
    if task.shares_training_with:  # MLQA is evaluated with XQuAD's SQuAD v1.1 fine-tune
        model_dir = _require(layout.target_model(intermediate_id, task.shares_training_with), "fine-tuned model",
                             f"repro target --intermediate {intermediate_id} --target {task.shares_training_with}")
        import transformers as tf

        model = tf.AutoModelForQuestionAnswering.from_pretrained(str(model_dir))
    else:
        rows = _encode(task, tokenizer, _train_sources(task, "train", layout), hp, labels)
        scorer = _scorer(task, tokenizer, _train_sources(task, "validation", layout), hp, labels, profile.seed)
        model = finetune(_head(task, encoder, labels, profile.seed), rows, hp, scorer=scorer, seed=profile.seed,
                         workdir=layout.checkpoints(f"target-{intermediate_id}-{target_id}"),
                         pad_id=tokenizer.pad_token_id, description=f"target {intermediate_id} -> {target_id}",
                         engine=profile.engine)
        english_dev = scorer(model)
        with atomic_dir(layout.target_model(intermediate_id, target_id)) as tmp:
            model.save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
    results, splits = [], {}
    for lang in profile.languages[target_id]:
        split = data.eval_split(layout, task.evaluate, lang)
        examples = data.read(layout, task.evaluate, split, lang)
        rows = _encode(task, tokenizer, examples, hp, labels)
        predictions = _decode(task, model, rows, examples, tokenizer.pad_token_id, labels)
        gold = _gold(task, examples)
        _write_predictions(layout, intermediate_id, target_id, lang, task, predictions)
        splits[lang] = split
        for metric, value in _score(task, predictions, gold, lang).items():
            results.append({"language": lang, "metric": metric, "value": value})
    return _stage_result(layout, intermediate_id, target_id, results, splits, english_dev)


def _encoder_or_fail(profile: Profile, layout: Layout, intermediate_id: str) -> Path:
    if intermediate_id not in profile.study.intermediate:
        raise ValueError(f"unknown intermediate {intermediate_id!r}; known: {', '.join(profile.study.intermediate)}")
    verb = (f"repro pretrain --profile {profile.name}" if intermediate_id == BASELINE
            else f"repro intermediate --profile {profile.name} --task {intermediate_id}")
    return _require(layout.encoder(intermediate_id), "encoder", verb)


def _write_predictions(layout: Layout, intermediate_id: str, target_id: str, lang: str, task: Task,
                       predictions) -> None:
    """Predictions in the XTREME submission layout; the data stage wrote the gold labels beside them."""
    if task.format == "classification":
        predictions = [task.labels[p] for p in predictions]
    score.write_predictions(layout.predictions(intermediate_id), target_id, lang, predictions)


def _stage_result(layout: Layout, intermediate_id: str, target_id: str, results: list[dict], splits: dict,
                  english_dev: float | None) -> dict:
    payload = {"intermediate": intermediate_id, "target": target_id, "splits": splits,
               "english_dev": english_dev, "results": results}
    atomic_json(layout.stage_metrics(intermediate_id, target_id), payload)
    return payload


# ---------------------------------------------------------------------------------------------------------
# Retrieval (no training)


def embed(model, tokenizer, sentences: list[str], layer: int, pooling: str, max_length: int,
          batch_size: int) -> np.ndarray:
    """Sentence embeddings: hidden_states[layer] (0 = embeddings), mean-pooled over real tokens or <s>."""
    import torch

    chunks = []
    with torch.no_grad():
        for at in range(0, len(sentences), batch_size):
            enc = tokenizer(sentences[at:at + batch_size], truncation=True, max_length=max_length, padding=True,
                            return_tensors="pt")
            hidden = model(**enc, output_hidden_states=True).hidden_states[layer]
            if pooling == "cls":
                pooled = hidden[:, 0]
            else:
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1)
            chunks.append(pooled.float().numpy())
    return np.concatenate(chunks) if chunks else np.zeros((0, model.config.hidden_size), np.float32)


def retrieval(profile: Profile, layout: Layout, intermediate_id: str, target_id: str) -> dict:
    """BUCC (margin mining, F1) or Tatoeba (nearest neighbour, accuracy) from an encoder, no fine-tuning."""
    from transformers import AutoModel

    settings = profile.retrieval
    encoder = _encoder_or_fail(profile, layout, intermediate_id)
    tokenizer = _tokenizer(encoder)
    model = AutoModel.from_pretrained(str(encoder)).eval()
    if settings.layer > model.config.num_hidden_layers:
        raise ValueError(f"retrieval.layer: {settings.layer} > the model's {model.config.num_hidden_layers} layers")
    task = TARGET_TASKS[target_id]

    def encode(sentences):
        return embed(model, tokenizer, sentences, settings.layer, settings.pooling, settings.max_length,
                     settings.batch_size)

    results, splits = [], {}
    for lang in profile.languages[target_id]:
        split = data.eval_split(layout, task.evaluate, lang)
        pairs = data.read(layout, task.evaluate, split, lang)
        source = encode([p["source_sentence"] for p in pairs])
        target_emb = encode([p["target_sentence"] for p in pairs])
        splits[lang] = split
        if target_id == "tatoeba":
            predicted = retrieval_math.nearest_neighbours(source, target_emb)
            gold = list(range(len(pairs)))
            score.write_predictions(layout.predictions(intermediate_id), target_id, lang, predicted)
            results.append({"language": lang, "metric": "accuracy", "value": metrics.accuracy(predicted, gold)})
            continue
        texts = [p["source_sentence"] for p in pairs], [p["target_sentence"] for p in pairs]
        threshold = _bucc_threshold(profile, layout, lang, encode, split, source, target_emb, texts)
        mined = retrieval_math.mine_pairs(source, target_emb, k=settings.bucc_margin_k, source_texts=texts[0],
                                          target_texts=texts[1])
        predicted = [(bucc_id(lang, s), bucc_id("en", t)) for s, t, margin in mined if margin >= threshold]
        gold = [(bucc_id(lang, i), bucc_id("en", i)) for i in range(len(pairs))]
        score.write_predictions(layout.predictions(intermediate_id), target_id, lang, predicted)
        prf = metrics.bucc_f1(predicted, gold)
        results.append({"language": lang, "metric": "f1", "value": prf["f1"]})
    return _stage_result(layout, intermediate_id, target_id, results, splits, None)


def _bucc_threshold(profile, layout, lang, encode, split, source, target_emb, texts) -> float:
    """Fixed, or the F1-optimal margin threshold on the dev split (XTREME's `bucc_optimize`)."""
    settings = profile.retrieval
    if settings.bucc_threshold == "fixed":
        return settings.bucc_fixed_threshold
    if split != "validation":
        pairs = data.read(layout, "bucc2018", "validation", lang)
        texts = [p["source_sentence"] for p in pairs], [p["target_sentence"] for p in pairs]
        source, target_emb = encode(texts[0]), encode(texts[1])
    mined = retrieval_math.mine_pairs(source, target_emb, k=settings.bucc_margin_k, source_texts=texts[0],
                                      target_texts=texts[1])
    candidates = {(s, t): margin for s, t, margin in mined}
    return retrieval_math.optimal_threshold(candidates, {(i, i) for i in range(len(source))})
