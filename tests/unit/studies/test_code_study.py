"""The code study's parts, fast: text-to-text loss masking, the equal budget, stop sequences and decode, the smoke
world's problems in the release schemas (their canonical solutions pass, wrong ones fail), params, answers."""

import gzip
import json
from pathlib import Path

import pytest
import yaml

from repro.engine.batching import IGNORE
from repro.params import ParamsError, load
from repro.studies.code.params import Benchmarks, Budget
from repro.suites.humaneval_x import PROGRAMMING_LANGUAGES

ROOT = Path(__file__).resolve().parents[3]
REAL = ROOT.parent / "shared" / "real-data"
if not REAL.is_dir():
    REAL = Path("/work/shared/real-data")


@pytest.fixture(scope="module")
def tokenizer():
    from repro.models.decoder import train_tokenizer

    corpus = ["Premise: a man sleeps.\nHypothesis: he is awake.\nEntailment, neutral or contradiction? contradiction",
              "def solve_1(x: int) -> int:\n    return x + 3\n"] * 20
    return train_tokenizer(corpus, 300, 64)


def test_text_to_text_puts_loss_on_the_target_tokens_only(tokenizer):
    from repro.kinds import text_to_text

    prompt, target = text_to_text.cast("mnli", {"text_a": "a man sleeps.", "text_b": "he is awake.", "label": 2})
    assert target == " contradiction" and prompt.endswith("contradiction?")
    [row] = text_to_text.encode(tokenizer, [(prompt, target)], max_length=64, target_length=16)
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    target_ids = tokenizer(target, add_special_tokens=False)["input_ids"]
    assert row["input_ids"] == prompt_ids + target_ids + [tokenizer.eos_token_id]
    assert row["labels"][:len(prompt_ids)] == [IGNORE] * len(prompt_ids)
    assert row["labels"][len(prompt_ids):] == target_ids + [tokenizer.eos_token_id]
    assert text_to_text.loss_tokens([row]) == len(target_ids) + 1


def test_a_long_prompt_is_cut_from_its_start_and_keeps_the_target(tokenizer):
    from repro.kinds import text_to_text

    pair = ("word " * 200 + "Answer:", " yes")
    [row] = text_to_text.encode(tokenizer, [pair], max_length=32, target_length=8)
    assert len(row["input_ids"]) == 32
    assert tokenizer.decode(row["input_ids"]).endswith("Answer: yes<|endoftext|>")


def test_casts_of_every_example_shape():
    from repro.kinds.text_to_text import UNANSWERABLE, cast

    assert cast("qqp", {"text_a": "a?", "text_b": "b?", "label": 1})[1] == " yes"
    assert cast("squad_v2", {"context": "c", "question": "q", "answers": {"text": [], "answer_start": []}})[1] == \
        " " + UNANSWERABLE
    assert cast("hellaswag", {"context": "c", "choices": ["x", "y"], "label": 1})[1] == " y"
    prompt, target = cast("cnn_dailymail", {"article": "A. B. C.", "highlights": "A."})
    assert prompt.endswith("TL;DR:") and target == " A."


def test_rouge_scores_summaries_and_exact_match_the_rest():
    from repro.kinds.text_to_text import score

    assert score([" yes", "no "], [" yes", " yes"], summarization=False) == {"exact_match": 50.0}
    same = score(["The cat sat. It slept."], ["The cat sat.\nIt slept."], summarization=True)
    assert same["rouge1"] == pytest.approx(100.0) and same["rougeLsum"] == pytest.approx(100.0)
    assert score(["dogs bark"], ["The cat sat."], summarization=True)["rouge2"] == 0.0


def _rows(n: int, target_tokens: int) -> list[dict]:
    return [{"input_ids": [i] * (target_tokens + 2), "labels": [IGNORE, IGNORE] + [i] * target_tokens}
            for i in range(n)]


def test_every_arm_gets_the_same_number_of_steps_whatever_its_data():
    from repro.studies.code.stages.intermediate import budgeted

    budget = Budget(unit="steps", value=7)
    small, large = budgeted([_rows(5, 3)], budget, 4, 0), budgeted([_rows(500, 9)], budget, 4, 0)
    assert len(small) == len(large) == 28
    mixed = budgeted([_rows(5, 3), _rows(50, 9)], budget, 4, 0)
    assert len(mixed) == 28 and sum(len(r["labels"]) == 5 for r in mixed) == 14  # tasks take turns


def test_a_token_budget_stops_at_the_first_row_that_reaches_it():
    from repro.kinds.text_to_text import loss_tokens
    from repro.studies.code.stages.intermediate import budgeted

    rows = budgeted([_rows(3, 10)], Budget(unit="tokens", value=95), 4, 0)
    assert loss_tokens(rows) == 100 and len(rows) == 10


def _problem(language: str, prompt: str):
    from repro.execution import Problem

    return Problem(task_id=f"{language}/0", language=language, benchmark="humaneval-x", prompt=prompt, test="")


def test_decode_cuts_at_a_stop_sequence_then_where_the_code_ends():
    from repro.kinds.code_generation import decode, stop_sequences

    assert "\ndef" in stop_sequences("python")
    python = _problem("python", 'def f(x):\n    """Return x."""\n')
    assert decode(python, "    return x\n\ndef g():\n    pass\n") == "    return x"
    assert decode(python, "    return x\nprint(f(1))") == "    return x"
    cpp = _problem("cpp", "int f(int x){\n")
    assert decode(cpp, "    if (x) { return 1; }\n    return g();\n}\nint g(){ return 2; }\nint main(){}\n") == \
        "    if (x) { return 1; }\n    return g();\n}\nint g(){ return 2; }"   # a helper kept, main cut
    assert decode(cpp, "    return 0;\n}\n#include<vector>") == "    return 0;\n}"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from repro.studies.code.smoke.world import write_code_world

    out = tmp_path_factory.mktemp("code-world")
    code = load(ROOT / "params.yaml", "smoke").section("code")
    code = code.model_copy(update={"benchmarks": Benchmarks(
        humaneval_x=list(PROGRAMMING_LANGUAGES),
        humaneval_xl={"python": ["English", "German", "Russian", "Chinese"], "java": ["English", "German"],
                      "javascript": ["English", "German"], "go": ["English", "Chinese"]})})
    text = {"en": [f"Line number {i} of the text." for i in range(50)], "de": ["Zeile."] * 10}
    write_code_world(out, code, text, seed=0)
    return out, code


def _jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as handle:
        return [json.loads(line) for line in handle]


@pytest.mark.parametrize("language", ["python", "cpp", "java", "js", "go", "rust"])
def test_smoke_problems_have_humaneval_x_fields(world, language):
    out, code = world
    rows = _jsonl(out / f"humaneval-x/humaneval_{language}.jsonl")
    n = code.smoke.problems
    assert len(rows) == n and len({r["task_id"] for r in rows}) == n
    real = REAL / "humaneval-x" / f"humaneval_{language}.jsonl.gz"
    if real.is_file():
        assert set(rows[0]) == set(_jsonl(real)[0])


@pytest.mark.parametrize("language", ["python", "java", "javascript", "go"])
def test_smoke_humaneval_xl_has_its_schema_and_the_same_tests_in_every_prompt_language(world, language):
    out, code = world
    naturals = code.benchmarks.humaneval_xl[language]
    files = {n: _jsonl(out / f"humaneval-xl/{language}/{n}.jsonl") for n in naturals}
    real = REAL / "humaneval-xl" / language / "English.jsonl"
    if real.is_file():   # the release's fields in its order, its canonical solution's type (null outside Python)
        release = _jsonl(real)[0]
        assert list(files["English"][0]) == list(release)
        assert {k: type(v) for k, v in files["English"][0].items()} == {k: type(v) for k, v in release.items()}
    english = files.pop("English")
    for natural, rows in files.items():
        assert [r["test"] for r in rows] == [r["test"] for r in english]
        assert rows[0]["natural_language"] == natural and rows[0]["prompt"] != english[0]["prompt"]


def test_evaluation_expressions_never_occur_in_the_corpus(world):
    out, _ = world
    corpus = "".join(r["text"] for r in _jsonl(out / "corpus.jsonl"))
    for row in _jsonl(out / "humaneval-x/humaneval_python.jsonl"):
        sentence = row["prompt"].split('""" ')[1].split("\n")[0]
        assert sentence not in corpus


def test_smoke_canonical_solutions_pass_and_wrong_ones_fail(world):
    from repro.execution import Sample, decode, evaluate, missing, read_problems
    from repro.studies.code.smoke.problems import expressions, xl_solution

    out, _ = world
    for name in ("humaneval-x/humaneval_python.jsonl", "humaneval-xl/python/Chinese.jsonl",
                 "humaneval-x/humaneval_js.jsonl", "humaneval-x/humaneval_rust.jsonl", "humaneval-xl/java/German.jsonl",
                 "humaneval-xl/javascript/English.jsonl", "humaneval-xl/go/Chinese.jsonl"):
        problems = read_problems(out / name)
        if missing(next(iter(problems.values())).language):
            continue
        if "/python/" in name or name.startswith("humaneval-x/"):
            solutions = {t: p.canonical_solution for t, p in problems.items()}
        else:   # the release has none: the world's own solution of the expression its prompt's example shows
            solutions = {t: _xl_solution(p, name.split("/")[1], expressions(), xl_solution)
                         for t, p in problems.items()}
        right = [Sample(t, 0, decode(p, "\n" + solutions[t] + "\n}\n")) for t, p in problems.items()]
        wrong = [Sample(t, 1, solutions[t].replace("return ", "return 1000 + ", 1)) for t in problems]
        results = evaluate(problems, right + wrong, warn=lambda line: None)
        assert [r.passed for r in results] == [True] * len(right) + [False] * len(wrong), \
            (name, [r.result for r in results])


def _xl_solution(problem, language, pool, solve) -> str:
    """The solution of the one expression of the pool whose description the problem's prompt carries."""
    from repro.studies.code.smoke.problems import describe

    found = [e for e in pool if problem.extra["description"] == describe(e, problem.natural_language)]
    assert len(found) == 1, problem.task_id
    return solve(found[0], language)


def test_a_translated_arm_trains_on_its_task_plus_translations():
    code = load(ROOT / "params.yaml", "smoke").section("code")
    assert "mnli+translated" in code.arms and code.tasks_of("mnli+translated") == ["mnli"]
    assert code.tasks_of("multitask") == code.multitask_tasks and code.tasks_of("lm_control") == []


def test_code_params_refuse_what_the_study_cannot_run(tmp_path):
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    for change, message in (({"arms": ["mnli"]}, "`none` is the reference"),
                            ({"arms": ["none", "xnli"]}, "unknown arm 'xnli'"),
                            ({"benchmarks": {"humaneval_x": ["cobol"], "humaneval_xl": {}}}, "cobol"),
                            ({"primary": [{"arm": "mnli"}]}, "primary: {'arm': 'mnli'}: select by benchmark"),
                            ({"generation": {"sampling": [{"temperature": 0.2, "samples": 2, "k": [5]}]}},
                             r"k \[5\]: at least one, each at most samples \(2\)"),
                            ({"generation": {"sampling": [{"temperature": 0.2, "samples": 2, "k": [1]}] * 2}},
                             "one set per temperature"),
                            ({"generation": {"sampled_languages": ["kotlin"]}}, "kotlin not among the benchmarks")):
        edited = json.loads(json.dumps(raw))
        section = edited["profiles"]["smoke"]["code"]
        section.update({key: {**section[key], **value} if key == "generation" else value
                        for key, value in change.items()})
        path = tmp_path / "params.yaml"
        path.write_text(yaml.safe_dump(edited))
        with pytest.raises(ParamsError, match=message):
            load(path, "smoke")


def test_paired_contrast_of_known_differences():
    from repro.studies.code.answer import paired

    def cells(values):
        return {(0, str(i), ("python", "English")): v for i, v in enumerate(values)}

    zero = paired(cells([0.0] * 10))
    assert zero["mean"] == 0 and zero["p_value"] == 1.0 and zero["n"] == 10
    better = paired(cells([100.0] * 8 + [0.0] * 2))
    assert better["mean"] == 80 and better["ci_low"] > 40 and better["p_value"] < 0.01
    mixed = paired(cells([100.0, -100.0] * 10))
    assert mixed["ci_low"] < 0 < mixed["ci_high"] and mixed["p_value"] > 0.5
    assert paired({})["n"] == 0


def test_a_problem_is_one_cluster_across_languages_and_seeds_are_crossed_with_it():
    from repro.studies.code.answer import paired

    # 6 problems in 3 languages and 3 seeds: +100 on problems 0-2 in every language and seed, 0 on the others
    cells = {(seed, str(p), (lang, "English")): 100.0 * (p < 3) for seed in range(3) for p in range(6)
             for lang in ("python", "cpp", "js")}
    record = paired(cells)
    assert record["units"] == {"seed": 3, "problem": 6} and record["n"] == 6 and record["mean"] == pytest.approx(50.0)
    # six problems, not 54 cells: the interval is the t interval of six problem means (three 100s, three 0s)
    assert record["ci_low"] == pytest.approx(50.0 - 2.5706 * 50 * (6 / 5) ** 0.5 / 6 ** 0.5, abs=1e-3)
    few = paired({key: v for key, v in cells.items() if int(key[1]) < 4})
    assert few["note"] == "too few clusters" and few["ci_low"] is None and few["mean"] == pytest.approx(75.0)


def test_answers_pair_each_arm_with_none_by_problem():
    from repro.studies.code.answer import answers, markdown

    code = load(ROOT / "params.yaml", "smoke").section("code")

    def summary(arm, passes, seed=0):
        files = [{"benchmark": "humaneval-x", "programming_language": lang, "natural_language": "English",
                  "mode": "greedy", "skipped": None, "per_problem": {f"P/{i}": p for i, p in enumerate(passes)}}
                 for lang in code.benchmarks.humaneval_x]
        files += [{"benchmark": "humaneval-xl", "programming_language": "python", "natural_language": n,
                   "mode": "greedy", "skipped": None,
                   "per_problem": {f"p/{i}": (p if n == "English" else 0.0) for i, p in enumerate(passes)}}
                  for n in code.benchmarks.humaneval_xl["python"]]
        files += [{"benchmark": "humaneval-xl", "programming_language": "python", "natural_language": "English",
                   "mode": "t0.8", "skipped": None, "n_samples": 2 * len(passes),   # 2 samples a problem
                   "per_problem": {f"p/{i}": p / 2 if arm == "none" else p for i, p in enumerate(passes)}}]
        return {"arm": arm, "seed": seed, "files": files}

    baseline = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    executed = [summary("none", baseline), summary("mnli", [1.0, 1.0, 1.0, 0.0, 1.0, 1.0])] + \
        [summary(arm, baseline) for arm in ("squad_v1", "cnn_dailymail", "lm_control", "mnli+translated")]
    records = answers(code, executed)
    translated = next(r for r in records if r["group"] == "translated vs English" and r["programming_language"] == "all")
    assert translated["contrast"] == "mnli+translated - mnli" and translated["mean"] == -50.0
    python = next(r for r in records if r["contrast"] == "mnli - none" and r["programming_language"] == "python"
                  and r["benchmark"] == "humaneval-x")
    assert python["mean"] == 50.0 and python["n"] == 6 and python["metric"] == "pass@1 (greedy)"
    pooled = next(r for r in records if r["contrast"] == "mnli - none" and r["programming_language"] == "all")
    assert pooled["n"] == 6 and pooled["units"] == {"seed": 1, "problem": 6}  # a problem: one cluster
    drop = next(r for r in records if r["group"] == "prompt-language drop" and r["task"] == "mnli"
                and r["natural_language"] == "German")
    assert drop["mean"] == pytest.approx(500 / 6)  # mnli passes 5 of 6 in English, none in German
    primary = [r for r in records if r["primary"]]
    assert {(r["benchmark"], r["programming_language"], r["natural_language"]) for r in primary} == {
        ("humaneval-x", "non-Python", "English"), ("humaneval-xl", "all", "non-English"),
        ("humaneval-x", "all", "English")}  # the last: CNN/DM - mean(NLU)
    assert len(primary) == 2 * len(code.trained_arms) + 1
    non_python = next(r for r in primary
                      if r["contrast"] == "mnli - none" and r["programming_language"] == "non-Python")
    assert non_python["mean"] == pytest.approx(50.0) and non_python["languages"] == ["cpp", "js", "rust"]
    assert all(r["p_adjusted"] is None for r in records if not r["primary"])
    assert all(r["p_adjusted"] >= r["p_value"] for r in primary if r["p_value"] is not None)
    # sampled pass@2 at T=0.8 from 2 samples a problem: none passes 1 of 2 on problems 0 and 4 (pass@2 = 1 there)
    sampled = next(r for r in records if r["contrast"] == "mnli - none" and r["metric"] == "pass@2 (T=0.8, n=2)"
                   and r["natural_language"] == "English" and r["programming_language"] == "python")
    assert sampled["group"] == "vs no intermediate, pass@2 (T=0.8, n=2)" and sampled["mean"] == pytest.approx(50.0)
    assert not [r for r in records if r["metric"] != "pass@1 (greedy)" and r["primary"]]
    # `none` runs once: every seed of an arm is paired with it
    twice = answers(code.model_copy(update={"seeds": [0, 1]}),
                    executed + [summary("mnli", [1.0, 1.0, 1.0, 0.0, 1.0, 1.0], seed=1)])
    python = next(r for r in twice if r["contrast"] == "mnli - none" and r["programming_language"] == "python"
                  and r["benchmark"] == "humaneval-x" and r["metric"] == "pass@1 (greedy)")
    assert python["mean"] == 50.0 and python["units"] == {"seed": 2, "problem": 6}
    text = markdown(records, "smoke", [])
    assert text.index("## Primary contrasts (11, p Holm-adjusted") < text.index("(exploratory, p unadjusted)")
    for record in records:
        assert {"contrast", "task", "group", "languages", "mean", "ci_low", "ci_high", "p_value", "n", "units",
                "primary", "p_adjusted"} <= set(record)
