"""The code study's parts, fast: text-to-text loss masking, the equal budget, stop sequences and decode, the smoke
world's problems in the release schemas (their canonical solutions pass, wrong ones fail), params, answers."""

import copy
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


def test_a_token_budget_stops_at_the_first_whole_batch_that_reaches_it():
    from repro.kinds.text_to_text import loss_tokens
    from repro.studies.code.stages.intermediate import budgeted

    rows = budgeted([_rows(3, 10)], Budget(unit="tokens", value=95), 4, 0)
    assert loss_tokens(rows) == 120 and len(rows) == 12  # the 10th row reaches 95; its batch ends at the 12th
    assert len(budgeted([_rows(3, 10)], Budget(unit="tokens", value=80), 4, 0)) == 8


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
def world(tmp_path_factory, smoke_profile):
    from repro.studies.code.smoke.world import write_code_world

    out = tmp_path_factory.mktemp("code-world")
    code = smoke_profile.section("code")
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
        results = evaluate(problems, right + wrong, workers=2, warn=lambda line: None)
        assert [r.passed for r in results] == [True] * len(right) + [False] * len(wrong), \
            (name, [r.result for r in results])


def _xl_solution(problem, language, pool, solve) -> str:
    """The solution of the one expression of the pool whose description the problem's prompt carries."""
    from repro.studies.code.smoke.problems import describe

    found = [e for e in pool if problem.extra["description"] == describe(e, problem.natural_language, True)]
    assert len(found) == 1, problem.task_id
    return solve(found[0], language)


def test_arms_name_what_they_train_on():
    from repro.studies.code.params import arm_name

    code = load(ROOT / "params.yaml", "paper").section("code")
    assert "mnli+translated" in code.arms and code.tasks_of("mnli+translated") == ["mnli"]
    assert code.tasks_of("multitask") == code.multitask_tasks and code.tasks_of("lm_control") == []
    assert code.tasks_of("mnli.ar.de.es.ru.zh") == ["mnli"] and arm_name("mnli.ar.de.es.ru.zh") == "mnli@ar,de,es,ru,zh"
    assert arm_name("mnli+translated") == "mnli+translated" and arm_name("none") == "none"
    assert [code.model_id(m) for m in code.models] == ["Qwen/Qwen2.5-Coder-1.5B", "Qwen/Qwen2.5-1.5B"]
    assert {code.decoders[m].domain for m in code.models} == {"code", "general"}


def test_a_translations_only_arm_reads_its_languages_translations_and_no_english(smoke_profile):
    from repro.studies.code.data import additions, translated_sources

    profile = smoke_profile
    assert translated_sources("mnli.de.zh", profile.languages) == [("mnli_translated", "de"), ("mnli_translated", "zh")]
    assert translated_sources("mnli", profile.languages) == []
    assert set(translated_sources("mnli+translated", profile.languages)) == {
        ("mnli_translated", lang) for lang in profile.languages["xnli"] if lang != "en"}
    sources = additions(profile, profile.section("code")).sources
    assert ("mnli_translated", "de") in sources and ("mnli_translated", "zh") in sources


def test_code_params_refuse_what_the_study_cannot_run(tmp_path):
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    for change, message in (({"arms": ["mnli"]}, "`none` is the reference"),
                            ({"arms": ["none", "xnli"]}, "unknown arm 'xnli'"),
                            ({"arms": ["none", "squad_v2.de"]}, "translations only are"),
                            ({"arms": ["none", "mnli.de.de"]}, "each language once"),
                            ({"arms": ["none", "mnli.sw"]}, r"code.arms: mnli.sw: no mnli translation into sw"),
                            ({"models": ["tiny_code", "gpt"]}, "'gpt' is not a key of `decoders`"),
                            ({"target_phase": []}, "target_phase"),
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


def test_the_plan_holds_each_phase_per_model_and_no_target_stage_without_the_target_phase(smoke_profile):
    from repro.studies.code.study import planned

    profile = copy.deepcopy(smoke_profile)  # its sections edited in place
    code = profile.section("code").model_copy(update={"target_phase": [True, False]})
    profile.sections["code"] = code
    groups = {}
    for wave in planned(profile):
        for name, module, args in wave:
            groups.setdefault(module.rpartition(".")[2], []).append((name, args))
    runs = len(code.models) * len(code.arms) * len(code.seeds)
    assert len(groups["pretrain"]) == len(code.models) and len(groups["intermediate"]) == runs
    assert len(groups["target"]) == runs and len(groups["generate"]) == len(groups["execute"]) == 2 * runs
    assert ("code-generate-smoke@tiny_general-mnli.de.zh-0-True", ("tiny_general", "mnli.de.zh", "0", "True")) \
        in groups["generate"]
    profile.sections["code"] = code.model_copy(update={"target_phase": [False]})
    modules = [module for wave in planned(profile) for _, module, _ in wave]
    assert not any(m.endswith(".target") for m in modules)


def test_mbpp_rows_become_humaneval_prompts_with_the_body_as_target():
    from repro.studies.code import mbpp

    row = {"task_id": 2, "text": "Write a function to find the shared elements.",
           "code": "import math\r\ndef helper(a):\r\n\treturn set(a)\r\ndef similar_elements(a, b):\r\n"
                   "\tres = helper(a) & helper(b)\r\n\treturn tuple(res) ",
           "test_list": ["assert set(similar_elements((3, 4), (4, 5))) == set((4,))"], "test_setup_code": "",
           "challenge_test_list": []}
    prompt, target = mbpp.cast(row)
    assert prompt.startswith("import math\ndef helper(a):\n\treturn set(a)\ndef similar_elements(a, b):\n")
    assert '\t""" Write a function to find the shared elements.\n\t>>> assert set(similar_elements(' in prompt
    assert target == "\tres = helper(a) & helper(b)\n\treturn tuple(res)\n"
    scope: dict = {}
    exec(prompt + target + row["test_list"][0], scope)  # noqa: S102  (the program is this test's own)
    bare = mbpp.cast({**row, "code": "x = 1"})
    assert bare[0].startswith('"""Write a function') and bare[1] == "x = 1\n"


def test_smoke_target_set_has_mbpp_fields_and_its_solutions_pass_their_tests(world):
    from repro.studies.code import mbpp

    out, code = world
    train = _jsonl(out / "mbpp/train.jsonl")
    assert len(train) == code.smoke.target_problems
    assert set(train[0]) == {"task_id", "text", "code", "test_list", "test_setup_code", "challenge_test_list"}
    assert train[0]["task_id"] == 601 and train[0]["text"].startswith("Write a function")
    evaluation = {r["prompt"].split('""" ')[1].split("\n")[0] for r in _jsonl(out / "humaneval-x/humaneval_python.jsonl")}
    for row in train[:20]:
        prompt, target = mbpp.cast(row)
        scope: dict = {}
        exec(prompt + target + "\n".join(row["test_list"]), scope)  # noqa: S102  (the world's own programs)
        assert "Return " + row["text"].split("returns ", 1)[1] not in evaluation
    assert {r["source"] for r in _jsonl(out / "corpus.jsonl")} == {"code", "text", "lexicon"}


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


def _summary(code, model, target, arm, passes, german=None, seed=0):
    """One run's execution summary: `passes` per problem in every file (HumanEval-XL's German: `german`, else 0)."""
    files = [{"benchmark": "humaneval-x", "programming_language": lang, "natural_language": "English",
              "mode": "greedy", "skipped": None, "per_problem": {f"P/{i}": p for i, p in enumerate(passes)}}
             for lang in code.benchmarks.humaneval_x]
    files += [{"benchmark": "humaneval-xl", "programming_language": "python", "natural_language": n,
               "mode": "greedy", "skipped": None,
               "per_problem": {f"p/{i}": (p if n == "English" else (german or [0.0] * 6)[i])
                               for i, p in enumerate(passes)}}
              for n in code.benchmarks.humaneval_xl["python"]]
    files += [{"benchmark": "humaneval-x", "programming_language": "python", "natural_language": "English",
               "mode": "t0.8", "skipped": None, "n_samples": 2 * len(passes),   # 2 samples a problem
               "per_problem": {f"P/{i}": p / 2 if arm == "none" else p for i, p in enumerate(passes)}}]
    return {"model": model, "target_phase": target, "arm": arm, "seed": seed, "files": files}


def test_answers_pair_each_arm_with_none_by_problem(smoke_profile):
    from repro.studies.code.answer import answers, markdown

    code = smoke_profile.section("code").model_copy(update={"target_phase": [True, False]})
    baseline, better = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0], [1.0, 1.0, 1.0, 0.0, 1.0, 1.0]
    executed = []
    for target in (True, False):
        executed += [_summary(code, "tiny_code", target, "none", baseline),
                     _summary(code, "tiny_code", target, "mnli", better),
                     _summary(code, "tiny_code", target, "mnli.de", baseline, german=better)]
        executed += [_summary(code, "tiny_code", target, arm, baseline)
                     for arm in ("mnli.de.zh", "cnn_dailymail", "lm_control")]
        executed += [_summary(code, "tiny_general", target, arm, baseline) for arm in code.arms]
    records = answers(code, executed)
    assert {r["estimand"] for r in records} == {"delta", "gap_change"}
    assert {r["target_phase"] for r in records} == {True, False}

    def one(**fields):
        found = [r for r in records if all(r[k] == v for k, v in fields.items())]
        assert len(found) == 1, fields
        return found[0]

    base = {"model": "tiny_code", "target_phase": True, "metric": "pass@1 (greedy)"}
    python = one(**base, contrast="mnli - none", estimand="delta", benchmark="humaneval-x", programming_language="python")
    assert python["mean"] == 50.0 and python["n"] == 6 and python["metric"] == "pass@1 (greedy)"
    pooled = one(**base, contrast="mnli - none", estimand="delta", benchmark="humaneval-x", programming_language="all")
    assert pooled["units"] == {"seed": 1, "problem": 6}  # a problem: one cluster
    # HumanEval-X: mnli gains alike everywhere, so the gap to Python does not move
    assert one(**base, contrast="mnli - none", estimand="gap_change", benchmark="humaneval-x",
               programming_language="cpp")["mean"] == 0.0
    # HumanEval-XL: mnli gains 50 in English, nothing in German: the English -> German gap widens by 50
    assert one(**base, contrast="mnli - none", estimand="gap_change", benchmark="humaneval-xl",
               programming_language="python", natural_language="German")["mean"] == pytest.approx(-50.0)
    # German translations alone: 5 of 6 in German (none: 0), English as none's: the gap closes by 500/6
    de = one(**base, contrast="mnli@de - none", estimand="gap_change", benchmark="humaneval-xl",
             programming_language="python", natural_language="German")
    assert de["task"] == "mnli@de" and de["mean"] == pytest.approx(500 / 6)
    only = one(**base, contrast="mnli@de - mnli", estimand="delta", benchmark="humaneval-xl",
               programming_language="python", natural_language="German")
    assert only["group"] == "translations only vs English" and only["mean"] == pytest.approx(500 / 6)
    # the general model gains nothing from mnli: the code model's gain over it is mnli's own
    versus = one(target_phase=True, metric="pass@1 (greedy)", group="code model vs general model", task="mnli",
                 estimand="delta",
                 benchmark="humaneval-x", programming_language="python")
    assert versus["model"] == "tiny_code - tiny_general" and versus["mean"] == 50.0
    summarization = one(**base, group="summarization vs NLU", estimand="delta", benchmark="humaneval-x",
                        programming_language="all")
    assert summarization["contrast"] == "cnn_dailymail - mean(mnli)" and summarization["mean"] == -50.0
    primary = [r for r in records if r["primary"]]
    trained, only = len(code.arms) - 1, sum("." in arm for arm in code.arms)
    assert all(r["target_phase"] is True for r in primary) and len(primary) == 2 * trained + only + 1 + 1
    assert all(r["p_adjusted"] is None for r in records if not r["primary"])
    assert all(r["p_adjusted"] >= r["p_value"] for r in primary if r["p_value"] is not None)
    # sampled pass@2 at T=0.8 from 2 samples a problem: none passes 1 of 2 on problems 0 and 4 (pass@2 = 1 there)
    sampled = next(r for r in records if r["contrast"] == "mnli - none" and r["metric"] == "pass@2 (T=0.8, n=2)"
                   and r["natural_language"] == "English" and r["programming_language"] == "python")
    assert sampled["group"] == "vs no intermediate, pass@2 (T=0.8, n=2)" and sampled["mean"] == pytest.approx(50.0)
    assert not [r for r in records if r["metric"] != "pass@1 (greedy)" and r["primary"]]
    # `none` runs once: every seed of an arm is paired with it
    twice = answers(code.model_copy(update={"seeds": [0, 1]}),
                    executed + [_summary(code, "tiny_code", True, "mnli", [1.0, 1.0, 1.0, 0.0, 1.0, 1.0], seed=1)])
    python = next(r for r in twice if r["contrast"] == "mnli - none" and r["programming_language"] == "python"
                  and r["model"] == "tiny_code" and r["target_phase"] is True
                  and r["benchmark"] == "humaneval-x" and r["metric"] == "pass@1 (greedy)")
    assert python["mean"] == 50.0 and python["units"] == {"seed": 2, "problem": 6}
    text = markdown(records, "smoke", [])
    assert text.index(f"## Primary contrasts ({len(primary)}, p Holm-adjusted") < text.index("target phase false")
    for record in records:
        assert {"contrast", "task", "group", "languages", "mean", "ci_low", "ci_high", "p_value", "n", "units",
                "primary", "p_adjusted", "model", "target_phase", "estimand"} <= set(record)
