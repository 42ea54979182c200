"""The smoke world: a small, seeded, multilingual stand-in for every dataset of the study.

`write_smoke_world(out_dir, languages)` writes, in a few seconds and without any download, a parquet fixture for
every dataset the pipeline reads, in exactly the schema of its real Hub source (`repro.data.sources.SOURCES[...]`
features), except CCGbank, BUCC 2018, Mewsli-X and XQuAD-R, written in their release formats (`RELEASES`), as the
paper profile reads them. It exists so the whole pipeline (MLM pretraining
of a tiny XLM-R, intermediate training, zero-shot transfer, retrieval) can run end to end on CPU, and so that a
tiny model (2-4 layers, hidden 64, ~1-2k Unigram vocabulary) learns every task above chance on English.

Design, one module per concern (each module's docstring has the details):
- `concepts`: the shared concept lexicon, with its English surfaces;
- `languages`, `scripts`, `lexicon`: each language's grammar, syllable inventory and surface of every concept;
- `facts`, `render`: language-neutral sentence content, rendered per language as UPOS/NER-tagged tokens;
- `streams`: seeded random streams (determinism);
- one generator per task family: `nli`, `paraphrase` (QQP, PAWS-X), `qa`, `multiple_choice`, `tagging`,
  `ccg` (CCGbank AUTO), `bitext` (BUCC, Tatoeba), `entities` (Mewsli-X's release files), `xquad_r` (XQuAD-R's),
  `corpus` (the MLM text);
- `context`: what the generators share (lexicons, streams, the parquet writer); `world`: `write_smoke_world`.

*Signal (what a model can learn on English).* Every task has a relational signal (what the task is about) and,
like the annotation artifacts of the real datasets, a cue word a bag-of-tokens model picks up in few steps (see
each task family's module). A bag-of-words baseline reaches 0.7-0.99 on every English dev set
(tests/unit/smoke/test_smoke_world.py). Measured with a 2-layer, hidden-64 XLM-R (Unigram 1200 and 4 MLM epochs on this
corpus, no dropout, batch 8, 5 epochs = 320 steps, lr 1e-3), English dev: MNLI 0.82, QQP 0.73, PAWS-X 0.81,
ANLI-r1 0.51, HellaSwag 0.62, CosmosQA 0.81, CommonsenseQA 0.76, UPOS 0.76 (0.95 after 15 epochs), PAN-X 0.95,
SQuAD EM 0.19. With ~30 steps (batch 32, 2 epochs) only the multiple-choice cues and entity names are picked
up, and dropout 0.1 keeps NLI at chance.
"""

from repro.smoke.corpus import TEXT_FEATURES
from repro.smoke.languages import SUPPORTED_LANGUAGES
from repro.smoke.world import RELEASES, write_smoke_world

__all__ = ["RELEASES", "SUPPORTED_LANGUAGES", "TEXT_FEATURES", "write_smoke_world"]
