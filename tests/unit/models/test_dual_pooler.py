"""One pooler rule for every arm's dual encoder: the pretrained model (A0, saved by a masked-LM head: no pooler) and
an intermediate run's encoder (here one saved with a trained pooler, as a multiple-choice head leaves it) start
their dual encoders from the same pooler for one seed, drawn from that seed alone; the encoder's own weights are
the saved ones."""

import torch

from repro.models.dual import DualEncoder


def _saved(tiny_encoder, tmp_path, with_pooler: bool):
    if with_pooler:
        model = tiny_encoder("XLMRobertaModel", seed=7, initializer_range=0.02)
        with torch.no_grad():
            model.pooler.dense.weight.fill_(0.5)  # a trained pooler the arm's head left behind
        out = tmp_path / "arm"
    else:
        model = tiny_encoder("XLMRobertaForMaskedLM", seed=8, initializer_range=0.02)  # saved without a pooler
        out = tmp_path / "pretrained"
    model.save_pretrained(out)
    return out, model


def test_a0_and_a_trained_arm_start_from_the_same_seeded_pooler(tmp_path, tiny_encoder):
    pretrained, lm = _saved(tiny_encoder, tmp_path, with_pooler=False)
    arm, trained = _saved(tiny_encoder, tmp_path, with_pooler=True)
    a0, a1 = DualEncoder.from_encoder(pretrained, seed=3), DualEncoder.from_encoder(arm, seed=3)
    assert torch.equal(a0.encoder.pooler.dense.weight, a1.encoder.pooler.dense.weight)
    assert torch.equal(a0.encoder.pooler.dense.bias, torch.zeros(lm.config.hidden_size))
    assert not torch.equal(a1.encoder.pooler.dense.weight, trained.pooler.dense.weight)  # the saved one is replaced
    std = float(a0.encoder.pooler.dense.weight.detach().std())
    assert 0.01 < std < 0.03  # the family's initializer_range
    # the rest of each encoder is what was saved
    assert torch.equal(a0.encoder.embeddings.word_embeddings.weight, lm.roberta.embeddings.word_embeddings.weight)
    assert torch.equal(a1.encoder.embeddings.word_embeddings.weight, trained.embeddings.word_embeddings.weight)


def test_the_pooler_depends_on_the_seed(tmp_path, tiny_encoder):
    pretrained, _ = _saved(tiny_encoder, tmp_path, with_pooler=False)
    one, two = DualEncoder.from_encoder(pretrained, seed=3), DualEncoder.from_encoder(pretrained, seed=4)
    assert not torch.equal(one.encoder.pooler.dense.weight, two.encoder.pooler.dense.weight)
    again = DualEncoder.from_encoder(pretrained, seed=3)
    assert torch.equal(one.encoder.pooler.dense.weight, again.encoder.pooler.dense.weight)
