"""XTREME's nine target tasks (Hu et al. 2020), as the paper trains and evaluates them, and the targets XTREME-R
(Ruder et al. 2021) adds, as its scripts train them (the multilingual study's)."""

from repro.tasks.labels import NLI_LABELS, PANX_TAGS, UPOS_TAGS
from repro.tasks.task import Task

XTREME_TASKS: dict[str, Task] = {t.id: t for t in [
    Task("xnli", "classification", "accuracy", train=("mnli",), evaluate="xnli", labels=NLI_LABELS,
         suite="xtreme", group="sentence_pair"),
    Task("pawsx", "classification", "accuracy", train=("pawsx",), evaluate="pawsx", labels=("0", "1"),
         suite="xtreme", group="sentence_pair"),
    Task("udpos", "tagging", "f1", train=("udpos",), evaluate="udpos", labels=UPOS_TAGS,
         suite="xtreme", group="structured_prediction"),
    Task("panx", "tagging", "f1", train=("panx",), evaluate="panx", labels=PANX_TAGS,
         suite="xtreme", group="structured_prediction"),
    Task("xquad", "extractive_qa", "squad", train=("squad_v1",), evaluate="xquad", suite="xtreme",
         group="question_answering"),
    Task("mlqa", "extractive_qa", "mlqa", train=("squad_v1",), evaluate="mlqa", suite="xtreme",
         group="question_answering", shares_training_with="xquad"),
    Task("tydiqa", "extractive_qa", "squad", train=("tydiqa",), evaluate="tydiqa", suite="xtreme",
         group="question_answering"),
    Task("bucc2018", "retrieval", "bucc_f1", evaluate="bucc2018", suite="xtreme", group="sentence_retrieval"),
    Task("tatoeba", "retrieval", "accuracy", evaluate="tatoeba", suite="xtreme", group="sentence_retrieval"),
]}

XTREME_R_TASKS: dict[str, Task] = {t.id: t for t in [
    # scripts/train_xcopa.sh: fine-tune on SIQA, continue on English COPA, predict XCOPA
    Task("xcopa", "multiple_choice", "accuracy", train=("copa",), train_before=("siqa",), evaluate="xcopa",
         num_choices=2, suite="xtreme-r", group="classification"),
]}
