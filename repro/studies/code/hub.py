"""The code study's own data for a hub profile, written in the release layouts the execution side reads
(`repro.studies.code.paths`), from the files repro/data/manifest.yaml pins (`files:`): HumanEval-X from THUDM/CodeGeeX's
release files (Rust included; the Hub's THUDM/humaneval-x has no Rust config), HumanEval-XL from FloatAI/humaneval-xl's
GitHub release (its Hub repository holds only a loading script), CNN/DailyMail 3.0.0's parquet files (article,
highlights, id), and the target phase's MBPP (`full` config's parquet files, every split, its six fields). No loading script and no conversion branch is read; an unpinned input is refused in one line.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

from repro.studies.code.paths import ARTICLES_FILE, TARGET_FILE

MBPP_SPLITS, MBPP_FIELDS = ("train", "validation", "test", "prompt"), ["task_id", "text", "code", "test_list",
                                                                      "test_setup_code", "challenge_test_list"]
from repro.suites.programs import get as program_suite


def inputs(code) -> dict[str, list[tuple[object, list[str]]]]:
    """{benchmark: [(pin, its repository paths)]} of every file the code study's data reads; an input the manifest
    has no commit for is refused here, in one line, before anything is downloaded."""
    from repro.data.manifest import pin

    humaneval_x, humaneval_xl, articles, mbpp = (pin("humaneval_x"), pin("humaneval_xl"), pin("cnn_dailymail"),
                                                  pin("mbpp"))
    return {
        "humaneval_x": [(humaneval_x, humaneval_x.paths("test", language=language))
                        for language in code.benchmarks.humaneval_x],
        "humaneval_xl": [(humaneval_xl, humaneval_xl.paths("test", language=language, natural=natural))
                         for language, naturals in code.benchmarks.humaneval_xl.items() for natural in naturals],
        "cnn_dailymail": [(articles, articles.paths(split, split=split)) for split in ("train", "validation", "test")],
        "mbpp": [(mbpp, mbpp.paths(split, split=split)) for split in MBPP_SPLITS],
    }


def download(code, out: Path) -> None:
    from repro.data.pinned import first_rows, local_files

    files = inputs(code)
    for language, (found, paths) in zip(code.benchmarks.humaneval_x, files["humaneval_x"]):
        (packed,) = local_files(found, paths)
        target = out / program_suite("humaneval-x").file(language, "English")
        target.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(packed, "rb") as source, target.open("wb") as plain:
            shutil.copyfileobj(source, plain)
    for (found, paths), relative in zip(files["humaneval_xl"], [program_suite("humaneval-xl").file(language, natural)
                                        for language, naturals in code.benchmarks.humaneval_xl.items()
                                        for natural in naturals]):
        (release,) = local_files(found, paths)
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(release, out / relative)
    for split, (found, paths) in zip(("train", "validation", "test"), files["cnn_dailymail"]):
        rows = first_rows(local_files(found, paths), code.sources.train_rows if split == "train" else None,
                          "run `repro fetch` again to download it")
        target = out / ARTICLES_FILE.format(split=split)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w") as handle:
            for row in rows.select(["article", "highlights", "id"]).to_pylist():
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    for split, (found, paths) in zip(MBPP_SPLITS, files["mbpp"]):
        rows = first_rows(local_files(found, paths), None, "run `repro fetch` again to download it")
        target = out / TARGET_FILE.format(split=split)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w") as handle:
            for row in rows.select(MBPP_FIELDS).to_pylist():
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
