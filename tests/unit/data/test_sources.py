"""The Hub converters of repro/data/sources.py: a Hub row becomes the example its task's kind reads, as the
paper's code reads the same data."""

from repro.data.sources import SOURCES, anchored


def _tydiqa_row(context: str, text: str, start: int) -> dict:
    return {"id": "english-1-0", "title": "t", "context": context, "question": "q",
            "answers": {"answer_start": [start], "text": [text]}}


def test_tydiqa_answers_are_reanchored_in_the_stripped_context():
    """google/xtreme strips each context but keeps the offsets into the unstripped one (two spaces here)."""
    stripped = "Helsinki is the capital of Finland."
    example = SOURCES["tydiqa"].to_example(_tydiqa_row(stripped, "Finland", stripped.index("Finland") + 2))
    start = example["answers"]["answer_start"][0]
    assert stripped[start:start + len("Finland")] == "Finland" and start == stripped.index("Finland")
    exact = SOURCES["tydiqa"].to_example(_tydiqa_row(stripped, "capital", 16))  # already right: kept
    assert exact["answers"]["answer_start"] == [16]


def test_anchoring_takes_the_occurrence_nearest_to_the_stated_offset():
    context = "a cat, a dog, a cat again"
    second = context.rindex("cat")
    assert anchored(context, "cat", second + 1) == second
    assert anchored(context, "cat", 3) == 2
    assert anchored("xx ab ab", "ab", 4) == 3  # a tie between 3 and 5 goes left: a stripped prefix shifts left
    assert anchored(context, "cow", 4) == -1


def test_tydiqa_answer_the_context_lacks_is_flagged():
    example = SOURCES["tydiqa"].to_example(_tydiqa_row("Helsinki is the capital.", "Oslo", 3))
    assert example["answers"] == {"text": ["Oslo"], "answer_start": [-1]}


def test_hellaswag_choices_carry_ctx_b_as_jiant():
    """jiant tasks/lib/hellaswag.py:56-57: the prompt is ctx_a, each choice ctx_b + " " + ending."""
    row = {"ind": 4, "activity_label": "Removing ice from car", "ctx_a": "Then, the man writes over the snow.",
           "ctx_b": "then", "ctx": "Then, the man writes over the snow. then", "endings": ["a", "b", "c", "d"],
           "source_id": "activitynet~v_x", "split": "val", "split_type": "indomain", "label": "3"}
    example = SOURCES["hellaswag"].to_example(row)
    assert example == {"context": "Then, the man writes over the snow.", "choices": ["then a", "then b", "then c",
                                                                                     "then d"], "label": 3}


def test_smoke_hellaswag_rows_split_ctx_as_the_hub_does(smoke_world):
    """The smoke world writes ctx = ctx_a + " " + ctx_b, as Rowan/hellaswag's rows are."""
    from repro.data import read, read_rows

    rows, examples = read_rows(smoke_world, "hellaswag", "validation"), read(smoke_world, "hellaswag", "validation")
    for row, example in zip(rows, examples):
        assert row["ctx"] == row["ctx_a"] + " " + row["ctx_b"] and row["ctx_b"]
        assert example["context"] == row["ctx_a"]
        assert example["choices"] == [row["ctx_b"] + " " + ending for ending in row["endings"]]
