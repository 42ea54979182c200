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
    # scripts/train_mewslix.sh: one shared encoder fine-tuned on English Wikipedia mention-entity pairs with
    # in-batch negatives (third_party/run_retrieval_el.py), each WikiNews mention ranked over the entity set
    Task("mewslix", "dual_encoder", "mewslix_map", train=("mewslix_pairs",), evaluate="mewslix",
         candidates="mewslix_entities", suite="xtreme-r", group="retrieval"),
    # scripts/train_lareqa.sh: the same dual encoder on SQuAD v1.1 (question vs answer sentence + its paragraph,
    # third_party/run_retrieval_qa.py), every XQuAD-R question ranked over the sentences of all its languages
    Task("lareqa", "dual_encoder", "lareqa_map", train=("squad_v1",), evaluate="xquad_r", suite="xtreme-r",
         group="retrieval"),
]}
