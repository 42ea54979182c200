"""The whole world: `write_smoke_world` checks the request and writes every dataset, family by family."""

from __future__ import annotations

from pathlib import Path

import datasets

from repro.data.sources import TYDIQA_ID_PREFIX
from repro.errors import UserError
from repro.tasks import TARGET_TASKS
from repro.smoke import bitext, ccg, corpus, entities, multiple_choice, nli, paraphrase, qa, tagging, xquad_r
from repro.smoke.context import WorldContext
from repro.smoke.languages import SCRIPT_OF, SUPPORTED_LANGUAGES

# Sources written in their release format rather than as parquet: source -> its folder under the output. `repro data`
# reads them through `repro.data.loaders`, as it reads a user's copy.
RELEASES = {"ccg": ccg.FOLDER, "bucc2018": bitext.BUCC_FOLDER, "mewslix_pairs": entities.FOLDER,
            "mewslix": entities.FOLDER, "mewslix_entities": entities.FOLDER, "xquad_r": xquad_r.FOLDER}


def write_smoke_world(out_dir: Path, languages: dict[str, list[str]], *, n_train: int = 512, n_eval: int = 96,
                      corpus_per_language: int = 134, seed: int = 0) -> dict[str, dict[str, int]]:
    """Write every dataset of the study under `out_dir` and return {dataset_key: {split: rows}}.

    `languages` maps target task ids (xnli, pawsx, udpos, panx, xquad, mlqa, tydiqa, bucc2018, tatoeba, xcopa,
    mewslix, lareqa) to
    their evaluation languages; tasks left out get no per-language data. Files: `<dataset_key>/<split>.parquet`
    in the registry's Hub schema, except the sources of `RELEASES`, written in their release format: CCGbank AUTO
    files under `ccgbank/data/AUTO` (counted as `ccg`), the BUCC 2018 files under `bucc2018/<lang>-en/` (counted
    as `bucc2018.<lang>`), Mewsli-X's under `mewslix/` and XQuAD-R's under `xquad-r/`.
    """
    unknown_tasks = sorted(set(languages) - set(TARGET_TASKS))
    if unknown_tasks:
        raise UserError(f"unknown target task(s) {unknown_tasks}; known: {', '.join(TARGET_TASKS)}")
    for task, langs in languages.items():
        bad = [lang for lang in langs if lang not in SCRIPT_OF]
        if bad:
            raise UserError(f"{task}: unsupported language(s) {bad}; supported: {', '.join(SUPPORTED_LANGUAGES)}")
    langs = {t: list(dict.fromkeys(languages.get(t, []))) for t in TARGET_TASKS}
    bad = [lang for lang in langs["tydiqa"] if lang not in TYDIQA_ID_PREFIX]
    if bad:
        raise UserError(f"tydiqa: no language(s) {bad} in TyDiQA; known: {', '.join(TYDIQA_ID_PREFIX)}")
    world = WorldContext(Path(out_dir), seed)
    bars_were_disabled = datasets.are_progress_bars_disabled()
    datasets.disable_progress_bars()
    try:
        _write_all(world, langs, n_train, n_eval, corpus_per_language)
    finally:
        if not bars_were_disabled:
            datasets.enable_progress_bars()
    return {k: dict(v) for k, v in sorted(world.counts.items())}


def _write_all(world: WorldContext, langs: dict[str, list[str]], n_train: int, n_eval: int,
               corpus_per_language: int) -> None:
    """Every dataset in a fixed order: English intermediate data, target tasks, alternatives, the corpus last
    (it covers every concept the datasets used)."""
    train_dev = {"train": n_train, "validation": n_eval}

    mnli = nli.mnli(world, train_dev)
    nli.snli(world, train_dev)
    nli.anli(world, train_dev)
    paraphrase.qqp(world, train_dev)
    squad = qa.squad(world, train_dev)
    multiple_choice.hellaswag(world, train_dev)
    multiple_choice.cosmosqa(world, train_dev)
    multiple_choice.commonsenseqa(world, train_dev)
    multiple_choice.siqa(world, train_dev)
    multiple_choice.copa(world, train_dev)
    ccg.ccgbank(world, {"train": n_train, "validation": n_eval, "test": n_eval})

    nli.xnli(world, langs["xnli"], n_eval)
    paraphrase.pawsx(world, langs["pawsx"], n_train, n_eval)
    tagging.udpos_panx(world, "udpos", langs["udpos"], n_train, n_eval)
    tagging.udpos_panx(world, "panx", langs["panx"], n_train, n_eval)
    qa.xquad_mlqa(world, "xquad", langs["xquad"], n_eval)
    qa.xquad_mlqa(world, "mlqa", langs["mlqa"], n_eval)
    qa.tydiqa(world, langs["tydiqa"], n_train, n_eval)
    bitext.bucc(world, langs["bucc2018"], n_eval)
    bitext.tatoeba(world, langs["tatoeba"], n_eval)
    multiple_choice.xcopa(world, langs["xcopa"], n_eval)
    entities.mewslix(world, langs["mewslix"])
    xquad_r.xquad_r(world, langs["lareqa"], n_eval // 2)

    xnli_other = [lang for lang in langs["xnli"] if lang != "en"]
    xquad_other = [lang for lang in langs["xquad"] if lang != "en"]
    nli.mnli_translated(world, mnli, xnli_other)
    qa.squad_translated(world, squad, xquad_other)
    corpus.multilingual_text(world, list(dict.fromkeys(xnli_other + xquad_other)), n_train, n_eval)

    all_langs = list(dict.fromkeys(["en"] + [lang for t in TARGET_TASKS for lang in langs[t]]))
    corpus.mlm_corpus(world, all_langs, corpus_per_language)
