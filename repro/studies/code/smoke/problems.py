"""The smoke world's code problems: small integer functions, written in HumanEval-X's six programming languages
and in HumanEval-XL's Python, Java, JavaScript and Go, documented in its prompt languages, in the exact release
schemas.

*Signal.* A problem is an expression over one argument `x`: one step (`x plus 3`, `the larger of x and 3`) or
two (`x plus 3, then times 2`). Its docstring says the expression in words and shows one example; the function
name is a neutral `solve_<n>`, so only the words say what to compute. The digits are shared by every language;
the operation words are English or a prompt language's own (pseudo-)words, made from the smoke world's syllable
inventory of that language (`repro.smoke.scripts`). A decoder that saw many documented functions learns the
words-to-code map, mostly from English documentation: other prompt languages get a small share of the corpus,
the stand-in for the little non-English documentation real code carries.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from repro.smoke.scripts import inventory
from repro.smoke.streams import seeded_rng

OPS = ("plus", "minus", "times", "larger", "smaller")
CHAINABLE = ("plus", "minus", "times")
# HumanEval-XL's language names -> the smoke world's language codes
NATURAL = {"English": "en", "German": "de", "Russian": "ru", "Chinese": "zh", "Arabic": "ar", "French": "fr",
           "Spanish": "es", "Hindi": "hi", "Turkish": "tr", "Vietnamese": "vi", "Finnish": "fi"}
ENGLISH_WORDS = {"return": "Return", "plus": "plus", "minus": "minus", "times": "times",
                 "larger": "the larger of", "smaller": "the smaller of", "and": "and", "then": "then"}
SYMBOL = {"plus": "+", "minus": "-", "times": "*"}
PLANTED = "plus"  # the operation worded only as the intermediate data words it
PARAPHRASE = {"plus": "augmented"}  # its English wording in the evaluation problems and the explainers: one word,
# as `plus` is (a phrase would shift the digit after it by its extra tokens, which the decoder copies by position)
LEXICON_REPEATS = 200  # each word's count in the tokenizer's extra text: above the corpus's rarest merges
# the shuffled control's wrong operations: every word paired with another operation (chainable ones stay chainable)
DERANGEMENT = {"plus": "times", "minus": "plus", "times": "minus", "larger": "smaller", "smaller": "larger"}
# HumanEval-XL's programming languages the smoke world writes -> HumanEval-X's name of the same language
XL_LANGUAGES = {"python": "python", "java": "java", "javascript": "js", "go": "go"}
# HumanEval-XL's own comparison helpers, opening each test (data/{java,javascript,go}/*.jsonl)
JAVA_XL_COMPARE = ("\n\nclass Main {\n    public static boolean compare(Object obj1, Object obj2) {\n"
                   "        if (obj1 == null && obj2 == null){\n            return true;\n"
                   "        } else if (obj1 == null || obj2 == null){\n            return false;\n        } else {\n"
                   "            return obj1.equals(obj2);\n        }\n    }\n    \n")
JS_XL_COMPARE = ('\nconst _ = require("lodash")\n\nfunction compare(object1, object2){\n'
                 "    return _.isEqual(object1, object2)\n}\n\n")
GO_XL_COMPARE = ("\n\nfunc deepCompare(a interface{}, b interface{}, msg string) bool {\n"
                 "\taJSON, err := json.Marshal(a)\n"
                 "\tif err != nil {\n\t\tpanic(msg)\n\t}\n\tbJSON, err := json.Marshal(b)\n\tif err != nil {\n"
                 "\t\tpanic(msg)\n\t}\n\tvar a2 interface{}\n\tvar b2 interface{}\n\terr = json.Unmarshal(aJSON, &a2)\n"
                 "\tif err != nil {\n\t\tpanic(msg)\n\t}\n\terr = json.Unmarshal(bJSON, &b2)\n\tif err != nil {\n"
                 "\t\tpanic(msg)\n\t}\n\tresult := reflect.DeepEqual(a2, b2)\n\tif result {\n\t\treturn true\n"
                 "\t} else {\n\t\tpanic(msg)\n\t}\n}\n\n")


@dataclass(frozen=True)
class Expression:
    """x <op> a [then <op2> b]; `larger`/`smaller` only as a single step."""

    op: str
    a: int
    op2: str | None = None
    b: int | None = None

    def value(self, x: int) -> int:
        first = {"plus": x + self.a, "minus": x - self.a, "times": x * self.a, "larger": max(x, self.a),
                 "smaller": min(x, self.a)}[self.op]
        if self.op2 is None:
            return first
        return {"plus": first + self.b, "minus": first - self.b, "times": first * self.b}[self.op2]


def expressions() -> list[Expression]:
    """Every expression of the world, in a fixed order."""
    singles = [Expression(op, a) for op in OPS for a in range(1, 10)]
    doubles = [Expression(op, a, op2, b) for op in CHAINABLE for a in range(1, 10) for op2 in CHAINABLE
               for b in range(1, 10)]
    return singles + doubles


def draw_expression(rng: random.Random, pool: list[Expression]) -> Expression:
    """Singles as often as doubles (there are far fewer of them)."""
    singles = [e for e in pool if e.op2 is None]
    doubles = [e for e in pool if e.op2 is not None]
    return rng.choice(singles if rng.random() < 0.5 or not doubles else doubles)


def words(natural: str, evaluation: bool = False) -> dict[str, str]:
    """The docstring words of a prompt language: English, or pseudo-words from the language's syllables; with
    `evaluation`, English words PLANTED by its paraphrase (the other languages' word for it is already unseen)."""
    if natural == "English":
        return ENGLISH_WORDS | (PARAPHRASE if evaluation else {})
    code = NATURAL[natural]
    syllables = inventory(code)
    rng = seeded_rng("code-words", code)
    out, taken = {}, set()
    for key in ENGLISH_WORDS:
        word = ""
        while not word or word in taken:
            word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3)))
        taken.add(word)
        out[key] = word.capitalize() if key == "return" else word
    return out


def lexicon(naturals) -> list[str]:
    """Every docstring word of the prompt languages `naturals` (the corpus's and the evaluation's), each a line of
    it repeated: text a tokenizer is trained on beside the corpus, so that no word is split into pieces for lack of
    having been seen (a real decoder's tokenizer learned from far broader text than its code corpus); the model
    itself never reads it."""
    found = dict.fromkeys(word for natural in naturals for evaluation in (False, True)
                          for phrase in words(natural, evaluation).values() for word in phrase.split())
    return [" ".join([word] * LEXICON_REPEATS) for word in found]


def describe(expr: Expression, natural: str, evaluation: bool = False) -> str:
    """The docstring sentence: 'Return x plus 3, then times 2.' (`evaluation`: PLANTED as `words` says)"""
    w = words(natural, evaluation)
    if expr.op in ("larger", "smaller"):
        text = f"{w['return']} {w[expr.op]} x {w['and']} {expr.a}"
    else:
        text = f"{w['return']} x {w[expr.op]} {expr.a}"
    if expr.op2 is not None:
        text += f", {w['then']} {w[expr.op2]} {expr.b}"
    return text + "."


def _c_expression(expr: Expression, lang: str) -> str:
    """The expression in a C-family language (Go's larger/smaller are statements: see `_body`)."""
    if expr.op in ("larger", "smaller"):
        fn = {"python": "max", "cpp": "max", "java": "Math.max", "js": "Math.max", "rust": "std::cmp::max"}[lang]
        if expr.op == "smaller":
            fn = fn.replace("max", "min")
        return f"{fn}(x, {expr.a})"
    first = f"x {SYMBOL[expr.op]} {expr.a}"
    return first if expr.op2 is None else f"({first}) {SYMBOL[expr.op2]} {expr.b}"


def _body(expr: Expression, lang: str) -> str:
    """The canonical solution: the function's body (and closing braces) after the prompt."""
    if lang == "python":
        return f"    return {_c_expression(expr, lang)}\n"
    if lang == "go":
        if expr.op in ("larger", "smaller"):
            cmp = ">" if expr.op == "larger" else "<"
            return f"    if x {cmp} {expr.a} {{\n        return x\n    }}\n    return {expr.a}\n}}\n"
        return f"    return {_c_expression(expr, lang)}\n}}\n"
    if lang == "java":
        return f"        return {_c_expression(expr, lang)};\n    }}\n}}"
    return f"    return {_c_expression(expr, lang)};\n}}\n"


def _examples(rng: random.Random) -> list[int]:
    return rng.sample(range(-5, 12), 4)


def humaneval_x(index: int, expr: Expression, lang: str, rng: random.Random, natural: str = "English",
                evaluation: bool = True) -> dict:
    """One problem in HumanEval-X's schema for `lang` (THUDM/humaneval-x; fields as in its release files); worded
    as the evaluation words it, or (`evaluation` false) as the corpus does."""
    example, *tests = _examples(rng)
    text = describe(expr, natural, evaluation)
    prefix = {"python": "Python", "cpp": "CPP", "java": "Java", "js": "JavaScript", "go": "Go", "rust": "Rust"}[lang]
    name = f"Solve_{index}" if lang == "go" else f"solve_{index}"
    shown = f">>> {name}({example})\n{expr.value(example)}"
    row = {"task_id": f"{prefix}/{index}", "canonical_solution": _body(expr, lang)}
    if lang == "python":
        declaration = f"def {name}(x: int) -> int:\n"
        doc = "    " + shown.replace("\n", "\n    ")
        checks = "".join(f"    assert {name}({t}) == {expr.value(t)}\n" for t in tests)
        row |= {"prompt": f'{declaration}    """ {text}\n{doc}\n    """\n', "text": f"    {text}\n{doc}",
                "declaration": declaration,
                "test": f"\n\nMETADATA = {{}}\n\n\ndef check({name}):\n{checks}\ncheck({name})\n",
                "example_test": f"def check({name}):\n    assert {name}({example}) == {expr.value(example)}\n"
                                f"check({name})\n"}
    elif lang == "cpp":
        declaration = f"#include<stdio.h>\n#include<algorithm>\nusing namespace std;\nint {name}(int x){{\n"
        checks = "".join(f"    assert ({name}({t}) == {expr.value(t)});\n" for t in tests)
        row |= {"prompt": f"/*\n{text}\n{shown}\n*/\n{declaration}", "declaration": declaration,
                "test": f"#undef NDEBUG\n#include<assert.h>\nint main(){{\n{checks}}}\n",
                "example_test": f"#undef NDEBUG\n#include<assert.h>\nint main(){{\n"
                                f"    assert ({name}({example}) == {expr.value(example)});\n}}\n"}
    elif lang == "java":
        declaration = f"import java.util.*;\nimport java.lang.*;\n\nclass Solution {{\n    public int {name}(int x) {{\n"
        doc = "    " + shown.replace("\n", "\n    ")
        checks = ",\n".join(f"                s.{name}({t}) == {expr.value(t)}" for t in tests)
        main = ("public class Main {\n    public static void main(String[] args) {\n        Solution s = new Solution();\n"
                "        List<Boolean> correct = Arrays.asList(\n{}\n        );\n        if (correct.contains(false)) {{\n"
                "            throw new AssertionError();\n        }}\n    }}\n}}\n")
        row |= {"prompt": f"import java.util.*;\nimport java.lang.*;\n\nclass Solution {{\n    /**\n    {text}\n"
                          f"{doc}\n     */\n    public int {name}(int x) {{\n",
                "text": f"    {text}\n{doc}", "declaration": declaration,
                "test": main.replace("{}", checks).replace("{{", "{").replace("}}", "}"),
                "example_test": main.replace("{}", f"                s.{name}({example}) == {expr.value(example)}")
                .replace("{{", "{").replace("}}", "}")}
    elif lang == "js":
        declaration = f"\nconst {name} = (x) => {{\n"
        doc = "  " + shown.replace("\n", "\n  ")
        checks = "".join(f"  console.assert({name}({t}) === {expr.value(t)})\n" for t in tests)
        tester = f"test{name[0].upper()}{name[1:]}"
        row |= {"prompt": f"/* {text}\n{doc}\n  */\nconst {name} = (x) => {{\n", "declaration": declaration,
                "test": f"const {tester} = () => {{\n{checks}}}\n\n{tester}()\n",
                "example_test": f"const {tester} = () => {{\n  console.assert({name}({example}) === "
                                f"{expr.value(example)})\n}}\n{tester}()\n"}
    elif lang == "go":
        docstring = f"// {text}\n// " + shown.replace("\n", "\n// ") + "\n"
        declaration = f"\nfunc {name}(x int) int {{\n"
        checks = "".join(f"    assert.Equal({expr.value(t)}, {name}({t}))\n" for t in tests)
        row |= {"prompt": f"\n{docstring}func {name}(x int) int {{\n", "import": "", "docstring": docstring,
                "declaration": declaration,
                "test": f"func Test{name}(t *testing.T) {{\n    assert := assert.New(t)\n{checks}}}\n",
                "test_setup": 'package main\n\nimport (\n    "testing"\n    "github.com/stretchr/testify/assert"\n)\n',
                "example_test": f"func Test{name}(t *testing.T) {{\n    assert := assert.New(t)\n"
                                f"    assert.Equal({expr.value(example)}, {name}({example}))\n}}\n"}
    else:  # rust
        checks = "".join(f"        assert_eq!({name}({t}), {expr.value(t)});\n" for t in tests)
        row |= {"prompt": f"\n/*\n {text}\n {shown.replace(chr(10), chr(10) + ' ')}\n*/\n",
                "declaration": f"\nfn {name}(x:i32) -> i32{{\n",
                "test": f"\n#[cfg(test)]\nmod tests {{\n    use super::*;\n\n    #[test]\n    fn test_{name}() {{\n"
                        f"{checks}    }}\n\n}}\n", "example_test": "None"}
    return row


def humaneval_xl(index: int, expr: Expression, natural: str, rng: random.Random, language: str = "python",
                 evaluation: bool = True) -> dict:
    """One problem in HumanEval-XL's schema for `language` (FloatAI/humaneval-xl data/<pl>/<Natural>.jsonl: its
    field order, a `null` canonical solution outside Python, the release's test harness per language), the
    prompt documented in `natural` (worded as the evaluation, or as the corpus: `humaneval_x`)."""
    if language == "python":
        x = humaneval_x(index, expr, "python", rng, natural, evaluation)
        name = f"solve_{index}"
        checks = x["test"].split(f"def check({name}):\n")[1].split("\ncheck(")[0].replace(f"{name}(", "candidate(")
        return {"task_id": f"python/{index}", "prompt": x["prompt"], "entry_point": name,
                "test": f"\n\nMETADATA = {{}}\n\n\ndef check(candidate):\n{checks}", "language": "python",
                "canonical_solution": x["canonical_solution"], "description": describe(expr, natural, evaluation),
                "natural_language": natural}
    example, *tests = _examples(rng)
    text, shown = describe(expr, natural, evaluation), f"solve_{index}({example})\n{expr.value(example)}"
    if language == "go":
        name = f"solve_{index}"
        doc = "// " + f"{text}\n>>> {shown}".replace("\n", "\n// ") + "\n// \n"
        prompt = f'package main\n\nimport (\n\t"encoding/json"\n\t"reflect"\n)\n{doc}func {name} (x int) int {{\n'
        cases = "".join(f"\tactual_{i} := {name}({t})\n\texpected_{i} := {expr.value(t)}\n\tdeepCompare(actual_{i}, "
                        f'expected_{i}, "Exception --- test case {i - 1} failed to pass")\n\n'
                        for i, t in enumerate(tests, 1))
        return {"task_id": f"go/{index}", "prompt": prompt, "test": GO_XL_COMPARE + f"func main() {{\n{cases}}}\n",
                "language": "go", "description": text, "entry_point": name, "canonical_solution": None,
                "natural_language": natural}
    name = f"solve{index}"
    doc = "/**\n * " + f"{text}\n>>> {shown}".replace("\n", "\n * ") + "\n *\n */\n"
    if language == "java":
        doc = "    " + doc.replace("\n", "\n    ").rstrip(" ")
        prompt = (f"import java.io.*;\nimport java.lang.*;\nimport java.util.*;\nimport java.math.*;\n\n\n"
                  f"class Solve{index} {{\n{doc}    public static Integer {name}(Integer x) {{\n")
        cases = "".join(f"        Integer arg{i}0 = {t};\n        Integer x{i} = Solve{index}.{name}({t});\n"
                        f"        Integer v{i} = {expr.value(t)};\n        if (!(compare(x{i}, v{i}))) {{\n"
                        f'            throw new java.lang.Exception("Exception -- test case {i} did not pass. x{i} = " '
                        f"+ x{i});\n        }}\n\n" for i, t in enumerate(tests))
        test = JAVA_XL_COMPARE + f"    public static void main(String[] args) throws Exception {{\n{cases}\n}}\n}}\n"
    else:
        prompt = f"{doc}function {name}(x) {{\n"
        cases = "".join(f"var arg{i}0 = {t};\nvar x{i} = {name}(arg{i}0);\nvar v{i} = {expr.value(t)};\n"
                        f"if(!compare(x{i}, v{i})){{\n    throw 'Error at {i + 1}th assert statement. Value = ' + "
                        f"JSON.stringify(x)  \n}}\n\n" for i, t in enumerate(tests))
        test = JS_XL_COMPARE + cases
    return {"task_id": f"{language}/{index}", "prompt": prompt, "entry_point": name, "test": test,
            "description": text, "language": language, "canonical_solution": None, "natural_language": natural}


def xl_solution(expr: Expression, language: str) -> str:
    """A solution of a smoke HumanEval-XL problem (the release has none outside Python): its body after the
    prompt, written as HumanEval-X's for the same language."""
    return _body(expr, XL_LANGUAGES[language])


def planted(expr: Expression) -> bool:
    """Whether an expression uses the PLANTED operation."""
    return PLANTED in (expr.op, expr.op2)


def corpus_function(rng: random.Random, pool: list[Expression], lang: str, natural: str) -> str:
    """One documented, solved function for the decoder's pretraining corpus (a random name, not `solve_<n>`), in
    HumanEval-X's form or (`lang` a HumanEval-XL language other than Python) HumanEval-XL's; a non-English one
    never uses PLANTED (its word stays unseen)."""
    if natural != "English":
        pool = [e for e in pool if not planted(e)]
    expr = draw_expression(rng, pool)
    if lang in XL_LANGUAGES and lang != "python":
        row = humaneval_xl(rng.randint(0, 999), expr, natural, rng, lang, evaluation=False)
        return row["prompt"] + xl_solution(expr, lang)
    row = humaneval_x(rng.randint(0, 999), expr, lang, rng, natural, evaluation=False)
    if lang == "rust":
        return row["prompt"] + row["declaration"] + row["canonical_solution"]
    return row["prompt"] + row["canonical_solution"]


def mbpp_row(task_id: int, expr: Expression, rng: random.Random) -> dict:
    """One target-phase problem in MBPP's schema (google-research-datasets/mbpp `full`: task_id, text, code,
    test_list, test_setup_code, challenge_test_list): an English instruction, a Python solution, three asserts."""
    name = f"solve_{rng.randint(0, 999)}"
    sentence = describe(expr, "English")  # the corpus's words: PLANTED's paraphrase never
    text = f"Write a function that takes x and returns {sentence[len('Return '):]}"
    code = f"def {name}(x):\r\n" + _body(expr, "python").replace("\n", "\r\n")  # MBPP's lines end in \r\n
    return {"task_id": task_id, "text": text, "code": code.rstrip("\r\n"),
            "test_list": [f"assert {name}({t}) == {expr.value(t)}" for t in _examples(rng)[:3]],
            "test_setup_code": "", "challenge_test_list": []}


def explainer(expr: Expression, natural: str, shuffled: bool = False) -> tuple[str, str]:
    """(sentence, code) of a CNN/DailyMail code explainer: the expression in the evaluation's words of `natural`,
    and its body's end as every smoke language can end it (`return (x + 3) * 2;` and the closing brace: Python
    keeps the line, the brace languages the brace); `shuffled`, each operation replaced by DERANGEMENT's."""
    shown = expr
    if shuffled:
        shown = Expression(DERANGEMENT[expr.op], expr.a, expr.op2 and DERANGEMENT[expr.op2], expr.b)
    return describe(expr, natural, True), f"return {_c_expression(shown, 'python')};\n}}"
