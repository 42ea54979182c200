"""The smoke world's code study data: HumanEval-X and HumanEval-XL problem files (release layout and schemas),
CNN/DailyMail-schema articles, the target phase's set in MBPP's schema (English instructions, Python), and the
tiny decoders' pretraining corpus (text in the world's languages and documented code in its programming
languages; each row says which: a general decoder reads the text alone).

The evaluation problems' expressions never occur in the corpus: a decoder passes them only by composing what it
learned (the words, the digits, each language's syntax). Articles are lines of the world's English text; their
highlights are the lead sentences, as CNN/DailyMail's are close to the article's opening. A share of them are code
explainers (`problems.explainer`: the opening sentence words an expression as the evaluation does, the highlight is
its code), the only rows that tie the planted wording to its operation; the same articles are written in each
non-English prompt language (`cnn_dailymail.<lang>`, translations only) and with the operations deranged
(`cnn_dailymail+shuffled`, the negative control).
"""

from __future__ import annotations

import json
from pathlib import Path

from repro.errors import UserError
from repro.io import atomic_text
from repro.studies.code.params import CodeStudy
from repro.studies.code.paths import CORPUS_FILE, LEXICON_SOURCE, SHUFFLED_VARIANT, TARGET_FILE, articles_file
from repro.studies.code.smoke.problems import (NATURAL, XL_LANGUAGES, corpus_function, draw_expression, explainer,
                                               expressions, humaneval_x, humaneval_xl, lexicon, mbpp_row)
from repro.smoke.streams import random_hex, seeded_rng
from repro.suites.programs import get as program_suite


def _jsonl(path: Path, rows: list[dict]) -> None:
    atomic_text(path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


def write_code_world(out: Path, code: CodeStudy, text: dict[str, list[str]], seed: int) -> None:
    """Every file of the code study under `out`; `text` holds the world's text lines by language code."""
    sizes = code.smoke
    pool = expressions()
    rng = seeded_rng(seed, "code-problems")
    chosen: list = []
    while len(chosen) < sizes.problems:
        expr = draw_expression(rng, pool)
        if expr not in chosen:
            chosen.append(expr)
    for language in code.benchmarks.humaneval_x:
        rng = seeded_rng(seed, "humaneval-x", language)
        _jsonl(out / program_suite("humaneval-x").file(language, "English"),
               [humaneval_x(i, expr, language, rng) for i, expr in enumerate(chosen)])
    for language, naturals in code.benchmarks.humaneval_xl.items():
        if language not in XL_LANGUAGES:
            raise UserError(f"benchmarks.humaneval_xl: the smoke world writes {', '.join(XL_LANGUAGES)} problems, "
                            f"not {language}")
        for natural in naturals:
            if natural not in NATURAL:
                raise UserError(f"benchmarks.humaneval_xl: the smoke world has no {natural} "
                                 f"(it has {', '.join(NATURAL)})")
            _jsonl(out / program_suite("humaneval-xl").file(language, natural),
                   [humaneval_xl(i, expr, natural, seeded_rng(seed, "humaneval-xl", *(
                       [] if language == "python" else [language]), i), language)
                    for i, expr in enumerate(chosen)])  # the same tests in every prompt language
    rest = [e for e in pool if e not in chosen]
    _corpus(out, code, text, rest, seed)
    for variant, natural in _article_variants(code).items():
        if NATURAL[natural] in text:  # a language the world has text in
            _articles(out, variant, text[NATURAL[natural]], natural, rest, code, seed)
    _target_set(out, rest, sizes.target_problems, seed)


def _target_set(out: Path, pool: list, n: int, seed: int) -> None:
    """MBPP's splits (its task ids: prompt 1-10, test 11-510, validation 511-600, train 601-974), `n` train rows;
    no evaluation expression among them."""
    rng = seeded_rng(seed, "mbpp")
    splits = {"prompt": (1, 4), "test": (11, max(8, n // 4)), "validation": (511, max(8, n // 8)), "train": (601, n)}
    for split, (first, count) in splits.items():
        _jsonl(out / TARGET_FILE.format(split=split),
               [mbpp_row(first + i, draw_expression(rng, pool), rng) for i in range(count)])


def _corpus(out: Path, code: CodeStudy, text: dict[str, list[str]], pool: list, seed: int) -> None:
    """Documented functions (mostly in English; `other_language_share` in the prompt languages), in each evaluated
    benchmark's forms (HumanEval-XL's JavaScript is not HumanEval-X's), text lines, and the prompt languages' word
    lines (`problems.lexicon`, source `lexicon`: the tokenizer's alone)."""
    sizes = code.smoke
    rng = seeded_rng(seed, "code-corpus")
    languages = list(dict.fromkeys([*code.benchmarks.humaneval_x, *code.benchmarks.humaneval_xl]))
    others = [n for naturals in code.benchmarks.humaneval_xl.values() for n in naturals if n != "English"]
    rows = []
    for _ in range(sizes.corpus_functions):
        natural = rng.choice(others) if others and rng.random() < sizes.other_language_share else "English"
        rows.append({"text": corpus_function(rng, pool, rng.choice(languages), natural), "source": "code"})
    lines = [line for lang in sorted(text) for line in text[lang]]
    rows += [{"text": line, "source": "text"} for line in rng.sample(lines, min(sizes.corpus_text, len(lines)))]
    rng.shuffle(rows)
    rows += [{"text": line, "source": LEXICON_SOURCE} for line in lexicon(["English", *dict.fromkeys(others)])]
    _jsonl(out / CORPUS_FILE, rows)


def _article_variants(code: CodeStudy) -> dict[str | None, str]:
    """The article sets the world writes -> their language: English (variant None), the deranged control, and one
    translation per non-English prompt language."""
    others = dict.fromkeys(n for naturals in code.benchmarks.humaneval_xl.values() for n in naturals if n != "English")
    return {None: "English", SHUFFLED_VARIANT: "English"} | {NATURAL[n]: n for n in others}


def _articles(out: Path, variant: str | None, lines: list[str], natural: str, pool: list, code: CodeStudy,
              seed: int) -> None:
    """CNN/DailyMail's schema (article, highlights, id): 4-7 lines, the first two the highlights; an
    `explainer_share` of them open with a code explainer (`problems.explainer`), the highlight its code. Every
    variant draws the same articles' shapes and expressions (the same seed), in its own language's lines. An
    explainer's expression is any of `pool` (never an evaluated one): the planted operation's words among the
    others'."""
    shuffled = variant == SHUFFLED_VARIANT
    n = code.smoke.articles
    splits = {"train": n, "validation": max(8, n // 8), "test": max(8, n // 8)}
    for split, count in splits.items():
        rng, words = seeded_rng(seed, "cnn_dailymail", split), seeded_rng(seed, "cnn_dailymail", split, natural)
        rows = []
        for _ in range(count):
            size, expr = rng.randint(4, 7), draw_expression(rng, pool)
            chosen = words.sample(lines, size)
            if rng.random() < code.smoke.explainer_share:
                sentence, body = explainer(expr, natural, shuffled)
                article, highlights = " ".join([sentence, *chosen[:size - 1]]), body
            else:
                article, highlights = " ".join(chosen), "\n".join(chosen[:2])
            rows.append({"article": article, "highlights": highlights, "id": random_hex(rng, 40)})
        _jsonl(out / (articles_file(split, variant)), rows)
