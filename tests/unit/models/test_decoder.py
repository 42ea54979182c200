"""The decoder family: sizes from the config, the tiny decoder's tokenizer, generation with stop strings."""

import pytest

from repro.models import decoder


def test_parameters_of_qwen25_coder_from_its_config():
    # Qwen2.5-Coder-1.5B and -0.5B: 1.54B and 0.49B weights (their model cards), tied embeddings
    assert decoder.parameters(decoder.shape(decoder.QWEN25_CODER_1_5B, "1.5B")) == pytest.approx(1.54e9, rel=0.01)
    assert decoder.parameters(decoder.shape(decoder.QWEN25_CODER_0_5B, "0.5B")) == pytest.approx(0.49e9, rel=0.02)


def test_flops_per_token_counts_the_lm_head_and_grows_with_context():
    dims = decoder.shape(decoder.QWEN25_CODER_1_5B, "1.5B")
    forward = decoder.flops_per_token(dims, 0, training=False)
    assert forward == pytest.approx(2 * decoder.parameters(dims), rel=0.01)  # ~2 x weights per token
    assert decoder.flops_per_token(dims, 1000) == pytest.approx(3 * decoder.flops_per_token(dims, 1000, False))
    assert decoder.flops_per_token(dims, 2000, False) > forward


def test_tokenizer_is_byte_level_digit_split_and_deterministic():
    corpus = ["def solve_12(x: int) -> int:\n    return x + 345\n", "Return x times 7.\n"] * 30
    first, second = decoder.train_tokenizer(corpus, 300, 64), decoder.train_tokenizer(corpus, 300, 64)
    assert first.get_vocab() == second.get_vocab()
    text = "    return x + 345\n\tü"
    ids = first(text, add_special_tokens=False)["input_ids"]
    assert first.decode(ids) == text  # whitespace and unseen characters survive
    assert [t for t in first.tokenize("x + 345") if t.strip("Ġ").isdigit()] == ["3", "4", "5"]


def test_generation_gives_one_greedy_or_n_sampled_completions_per_prompt(tiny_decoder):
    tok = decoder.train_tokenizer(["abc\ndef ghi\n"] * 20, 280, 32)
    model = tiny_decoder(vocab_size=len(tok), eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    tok.padding_side = "left"
    free = decoder.generate(model, tok, ["abc", "abc\ndef"], max_new_tokens=12, batch_size=2)
    assert len(free) == 2 and all(len(outputs) == 1 for outputs in free)
    sampled = decoder.generate(model, tok, ["abc"], max_new_tokens=5, batch_size=1, samples=3, seed=1)
    assert len(sampled[0]) == 3
