"""The code study's answers: contrasts of greedy pass@1 (and, against `none`, of each sampled pass@k: `metrics`),
paired by problem and seed, written as records of the multilingual study's fields (`contrast`, `task`, `group`,
`languages`, `mean`, `ci_low`, `ci_high`, `p_value`, `n`, `units`, `primary`, `p_adjusted`) plus `metric`, the
benchmark's axes, the `model`, the `target_phase` (true: after the English target fine-tune, the paper's three
phases; false: two phases, reported separately) and the `estimand`. `none`'s greedy run is made once (no seed
changes it) and is every seed's control.

- `delta`: a difference of arms on the same cells: (arm - none) per programming language (HumanEval-X, English
  prompts) and per prompt language (HumanEval-XL), and pooled; CNN/DM - mean(NLU arms); translations only -
  English only; `<task>+translated` - English only; code model's (arm - none) - the general model's; vs the LM
  control.
- `gap_change`: the difference in differences against the reference language, the cross-lingual quantity:
  [(arm - none) on language L] - [(arm - none) on the reference] per problem, the reference being Python on
  HumanEval-X and English prompts on HumanEval-XL (the same programming language); > 0: the arm narrows the gap
  from the reference to L. For translations only vs English only, the same with `<task>` in place of `none`.

Cell: one problem of one problems file in one seed's run, its pass rate (0-100). Statistics are
`repro.report.inference.crossed_contrast`'s: each file (stratum) weighs equally, each problem equally within it;
runs (seeds) are crossed with problems, and a problem is one cluster across the files that share it (the same
task number); n counts problems. The study's `primary` entries select records by their fields; those are
Holm-adjusted together (`mark_primary`), every other one is exploratory.
"""

from __future__ import annotations

import numpy as np

from repro.report.inference import crossed_contrast, mark_primary
from repro.studies.code.params import (LM_CONTROL, MULTITASK, NO_INTERMEDIATE, SHUFFLED, SUMMARIZATION, TRANSLATED,
                                       arm_name, translations_only)

REFERENCE = {"humaneval-x": "python", "humaneval-xl": "English"}

GREEDY = "pass@1 (greedy)"


def paired(differences: dict[tuple, float]) -> dict:
    """{mean, ci_low, ci_high, p_value, n, units, note} of paired differences {(seed, problem, file):
    treatment - control} (0-100)."""
    if not differences:
        return {"mean": None, "ci_low": None, "ci_high": None, "p_value": None, "n": 0,
                "units": {"seed": 0, "problem": 0}, "note": None}
    return crossed_contrast(differences, ("seed", "problem"))


def index(executed: list[dict]) -> dict[tuple, list[tuple[int, dict]]]:
    """(arm, model, target_phase, benchmark, programming, natural, mode) -> [(seed, file entry)] of every executed
    file with results: read once, so that each contrast's lookup is a key, not a scan of every run."""
    found: dict[tuple, list[tuple[int, dict]]] = {}
    for summary in executed:
        for entry in summary["files"]:
            if not entry["skipped"] and entry["per_problem"]:
                key = (summary["arm"], summary.get("model"), summary.get("target_phase"), entry["benchmark"],
                       entry["programming_language"], entry["natural_language"], entry["mode"])
                found.setdefault(key, []).append((summary["seed"], entry))
    return found


def per_problem(runs: dict[tuple, list], arm: str, benchmark: str, programming: str, natural: str, model: str,
                target_phase: bool, mode: str = "greedy", k: int = 1) -> dict[tuple, float]:
    """{(seed, problem): pass@k (0-100)} of one run's `mode` samples on one problems file (`runs`: `index`'s): the
    greedy pass rate, or the unbiased estimate from a problem's n samples and c passes (Chen et al. 2021)."""
    from repro.execution.passk import estimate

    rates: dict[tuple, float] = {}
    for seed, entry in runs.get((arm, model, target_phase, benchmark, programming, natural, mode), ()):
        n = entry["n_samples"] // len(entry["per_problem"]) if k > 1 else 1
        rates.update({(seed, _problem(task)): 100.0 * (rate if k == 1 else estimate(n, round(rate * n), k))
                      for task, rate in entry["per_problem"].items()})
    return rates


def _broadcast(rates: dict[tuple, float], seeds: list[int]) -> dict[tuple, float]:
    """A run that no seed changes (`none`'s greedy one), as the control of every seed's run."""
    return {(seed, task): value for (_, task), value in rates.items() for seed in seeds}


def metrics(code) -> list[tuple[str, int, str, bool]]:
    """(mode, k, name, sampled) of every pass@k a contrast reads: greedy pass@1 on every file, each sampling set's
    pass@k on the sampled files (`Generation.sampled`)."""
    out = [("greedy", 1, GREEDY, False)]
    return out + [(s.mode, k, f"pass@{k} (T={s.temperature:g}, n={s.samples})", True)
                  for s in code.generation.sampling for k in s.k]


def _problem(task_id: str) -> str:
    """The problem a task id names across the files sharing it ("CPP/12", "Python/12": "12")."""
    return task_id.rpartition("/")[2]


def _diff(a: dict, b: dict, stratum: tuple) -> dict:
    """Paired cells {(seed, problem, stratum): a - b} of the (seed, problem) both have."""
    return {(seed, problem, stratum): a[seed, problem] - b[seed, problem] for seed, problem in sorted(a)
            if (seed, problem) in b}


def _did(a: dict, b: dict, a_ref: dict, b_ref: dict, stratum: tuple) -> dict:
    """Paired cells of (a - b) - (a_ref - b_ref) on the (seed, problem) all four have."""
    return {(*key, stratum): (a[key] - b[key]) - (a_ref[key] - b_ref[key]) for key in sorted(a)
            if key in b and key in a_ref and key in b_ref}


def answers(code, executed: list[dict]) -> list[dict]:
    """Every contrast of the study (see the module docstring), per model and target_phase value."""
    from repro.studies.code.paths import eval_sets

    sets, runs = eval_sets(code), index(executed)
    records: list[dict] = []
    for model in code.models:
        for target in code.target_phase:
            records += _cell(code, runs, sets, model, target)
    records += _models(code, runs, sets)
    return mark_primary(records, code.primary)


def _pools(sets) -> list[tuple[str, str, str, list]]:
    """(benchmark, programming label, prompt label, files) pooled: HumanEval-X all and non-Python, HumanEval-XL
    non-English."""
    x = [s for s in sets if s.benchmark == "humaneval-x"]
    xl_other = [s for s in sets if s.benchmark == "humaneval-xl" and s.natural_language != "English"]
    pools = [("humaneval-x", "all", "English", x),
             ("humaneval-x", "non-Python", "English", [s for s in x if s.programming_language != "python"])]
    return [p for p in pools + [("humaneval-xl", "all", "non-English", xl_other)] if p[3]]


def _reference(sets, s):
    """The reference file of `s` (Python for HumanEval-X, English prompts in its programming language for
    HumanEval-XL), or None where `s` is it or the study does not evaluate it."""
    want = ((s.programming_language if s.benchmark == "humaneval-xl" else REFERENCE[s.benchmark]),
            (REFERENCE[s.benchmark] if s.benchmark == "humaneval-xl" else s.natural_language))
    ref = next((r for r in sets if r.benchmark == s.benchmark and (r.programming_language, r.natural_language) == want),
               None)
    return None if ref is None or ref == s else ref


def _both(code, sets, model, target, group, treatment, control, task, contrast, metric=GREEDY):
    """`delta` records of treatment - control per file and pooled, and `gap_change` records per non-reference
    file and pooled; `treatment`/`control`: functions of a file giving {(seed, problem): rate}."""
    out = []
    axes = {"model": code.model_id(model), "target_phase": target, "group": group, "task": task,
            "contrast": contrast, "metric": metric}

    def record(estimand, benchmark, programming, natural, languages, cells):
        out.append({**axes, "estimand": estimand, "benchmark": benchmark, "programming_language": programming,
                    "natural_language": natural, "languages": languages, **paired(cells)})

    deltas, gaps = {}, {}
    for s in sets:
        stratum = (s.programming_language, s.natural_language)
        deltas[s] = _diff(treatment(s), control(s), stratum)
        record("delta", s.benchmark, s.programming_language, s.natural_language,
               [s.natural_language if s.benchmark == "humaneval-xl" else s.programming_language], deltas[s])
        ref = _reference(sets, s)
        if ref is not None:
            gaps[s] = _did(treatment(s), control(s), treatment(ref), control(ref), stratum)
            record("gap_change", s.benchmark, s.programming_language, s.natural_language,
                   [s.natural_language if s.benchmark == "humaneval-xl" else s.programming_language], gaps[s])
    for benchmark, programming, natural, files in _pools(sets):
        names = [s.natural_language if benchmark == "humaneval-xl" else s.programming_language for s in files]
        record("delta", benchmark, programming, natural, names, {k: v for s in files for k, v in deltas[s].items()})
        if programming != "all" or benchmark == "humaneval-xl":  # the languages other than the reference
            record("gap_change", benchmark, programming, natural, names,
                   {k: v for s in files if s in gaps for k, v in gaps[s].items()})
    return out


def _rates(code, runs, arm, model, target, mode="greedy", k=1):
    """file -> {(seed, problem): pass@k} of one arm of one model and target_phase value (`none`'s one greedy run
    stands for every seed)."""
    def rate(s):
        found = per_problem(runs, arm, s.benchmark, s.programming_language, s.natural_language, model, target,
                            mode, k)
        return _broadcast(found, code.seeds) if arm == NO_INTERMEDIATE and mode == "greedy" else found
    return rate


def _cell(code, runs, sets, model, target) -> list[dict]:
    """The contrasts within one model and one target_phase value."""
    def rates(arm):
        return _rates(code, runs, arm, model, target)

    arms = [a for a in code.arms if a != NO_INTERMEDIATE]
    out = []

    def both(group, treatment, control, task, contrast):
        out.extend(_both(code, sets, model, target, group, treatment, control, task, contrast))

    for arm in arms:  # 1. every arm against no intermediate phase, with its cross-lingual gap change
        both("vs no intermediate", rates(arm), rates(NO_INTERMEDIATE), arm_name(arm), f"{arm_name(arm)} - none")
    for mode, k, metric, _ in metrics(code)[1:]:  # ... and in each sampled pass@k, on the sampled files
        sampled = [s for s in sets if code.generation.sampled(s.benchmark, s.programming_language)]
        for arm in arms:
            out.extend(_both(code, sampled, model, target, f"vs no intermediate, {metric}",
                             _rates(code, runs, arm, model, target, mode, k),
                             _rates(code, runs, NO_INTERMEDIATE, model, target, mode, k), arm_name(arm),
                             f"{arm_name(arm)} - none", metric))
    nlu = [a for a in arms if a not in (SUMMARIZATION, LM_CONTROL, MULTITASK, *TRANSLATED, *SHUFFLED)
           and translations_only(a) is None]

    def mean_of(names):
        def rate(s):
            each = [rates(a)(s) for a in names]
            return {k: float(np.mean([r[k] for r in each])) for k in each[0] if all(k in r for r in each)}
        return rate

    if SUMMARIZATION in arms and nlu:  # 2. summarization vs the NLU tasks (equal steps; tokens as budget.unit says)
        both("summarization vs NLU", rates(SUMMARIZATION), mean_of(nlu), SUMMARIZATION,
             f"{SUMMARIZATION} - mean({', '.join(nlu)})")
    if LM_CONTROL in arms:
        for arm in (a for a in arms if a != LM_CONTROL):
            both("vs LM control", rates(arm), rates(LM_CONTROL), arm_name(arm), f"{arm_name(arm)} - {LM_CONTROL}")
    for arm in arms:  # 3. non-English intermediate data vs English only, at the same budget
        english = TRANSLATED.get(arm) or (translations_only(arm) or (None,))[0]
        if english in arms:
            group = "translated vs English" if arm in TRANSLATED else "translations only vs English"
            both(group, rates(arm), rates(english), arm_name(arm), f"{arm_name(arm)} - {english}")
    return out


def _models(code, runs, sets) -> list[dict]:
    """4. The code model's gain against the general model's: [(arm - none) code] - [(arm - none) general], per
    target_phase value and arm, for every (code, general) pair of the study's models."""
    domains = {m: code.decoders[m].domain for m in code.models}
    out = []
    for code_model in (m for m in code.models if domains[m] == "code"):
        for general in (m for m in code.models if domains[m] == "general"):
            for target in code.target_phase:
                for arm in (a for a in code.arms if a != NO_INTERMEDIATE):
                    pair = f"{code.model_id(code_model)} - {code.model_id(general)}"
                    records = _both(code, sets, code_model, target, "code model vs general model",
                                    _gain(code, runs, arm, code_model, target), _gain(code, runs, arm, general, target),
                                    arm_name(arm), f"{arm_name(arm)} - none: {pair}")
                    out += [{**r, "model": pair} for r in records]
    return out


def _gain(code, runs, arm, model, target):
    """file -> {(seed, problem): (arm - none)} of one model and target_phase value."""
    treated, control = _rates(code, runs, arm, model, target), _rates(code, runs, NO_INTERMEDIATE, model, target)

    def rate(s):
        a, none = treated(s), control(s)
        return {key: a[key] - none[key] for key in a if key in none}
    return rate


def markdown(records: list[dict], profile: str, missing: list[str], planted: list[dict] | None = None) -> str:
    """answer.md: the primary contrasts (Holm-adjusted), then the planted-effect checks (`planted`: the verdicts
    of claims_planted.yaml's code claims, on a smoke run), then per target_phase value one table per group of the
    exploratory ones."""
    def cell(value, digits=1):
        return "n/a" if value is None else f"{value:.{digits}f}"

    def row(r: dict, adjusted: bool) -> str:
        interval = r["note"] if r["ci_low"] is None and r["note"] else f"[{cell(r['ci_low'])}, {cell(r['ci_high'])}]"
        units = " × ".join(f"{count} {axis}s" for axis, count in r["units"].items())
        p = f"{cell(r['p_adjusted'], 3)} | {cell(r['p_value'], 3)}" if adjusted else cell(r["p_value"], 3)
        return (f"| {r['model']} | {str(r['target_phase']).lower()} | {r['contrast']} | {r['estimand']} | "
                f"{r['benchmark']} | {r['programming_language']} | {r['natural_language']} | {cell(r['mean'])} | "
                f"{interval} | {p} | {units} |")

    head = ("| model | target phase | contrast | estimand | benchmark | programming | prompt language | mean | "
            "95% CI |")
    rule = "|---" * 9 + "|"
    primary = [r for r in records if r["primary"]]
    lines = [f"# Code study answer ({profile})", "",
             "Greedy pass@1 (0-100) differences (sampled pass@k where the group names it), paired by problem and "
             "seed; 95% t interval over seeds crossed with "
             "problems (a problem: one cluster across the languages sharing it; repro/report/inference.py); fewer "
             "than 5 problems: too few clusters. `delta`: treatment - control; `gap_change`: that difference on a "
             "language minus on the reference (Python; English prompts). Target phase true: pretrained -> "
             "intermediate -> English target fine-tune (MBPP) -> zero-shot; false: no target fine-tune.", "",
             f"## Primary contrasts ({len(primary)}, p Holm-adjusted over them)", ""]
    lines += ([head + " p (Holm) | p | clusters |", rule + "---|---|---|"] + [row(r, True) for r in primary]
              if primary else ["None declared (`code.primary` in params.yaml)."])
    lines.append("")
    if planted is not None:
        lines += _planted_lines(planted)
    for target in dict.fromkeys(r["target_phase"] for r in records):
        for group in dict.fromkeys(r["group"] for r in records if r["target_phase"] == target):
            chosen = [r for r in records if r["group"] == group and r["target_phase"] == target and not r["primary"]]
            if chosen:
                lines += [f"## {group}, target phase {str(target).lower()} (exploratory, p unadjusted)", "",
                          head + " p | clusters |", rule + "---|---|"] + [row(r, False) for r in chosen] + [""]
    if missing:
        lines += ["## Not answered here", ""] + [f"- {m}" for m in missing] + [""]
    return "\n".join(lines)


def _planted_lines(verdicts: list[dict]) -> list[str]:
    """The planted-effect checks: one row per claim of claims_planted.yaml with `study: code`."""
    def shown(value):
        return "n/a" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)

    lines = [f"## Planted effects in the smoke world ({sum(v['status'] == 'pass' for v in verdicts)} of "
             f"{len(verdicts)} pass; claims_planted.yaml, `repro verify --profile smoke --planted`)", ""]
    if not verdicts:
        return lines + ["No code claims in claims_planted.yaml.", ""]
    lines += ["| claim | status | observed | expected | observe | what |", "|---|---|---|---|---|---|"]
    for v in verdicts:
        expected = f"{v['compare']} {v['expected']}"
        observe = v["observe"].replace("|", "\\|")
        lines.append(f"| {v['claim']} | {v['status']} | {shown(v['observed'])} | {expected} | `{observe}` | "
                     f"{v['text']}{' (' + v['reason'] + ')' if v.get('reason') else ''} |")
    return lines + [""]
