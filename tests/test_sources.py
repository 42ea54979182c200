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
