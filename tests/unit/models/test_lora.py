"""`training.lora: true` (repro/models/lora.py, PyPI peft): a tiny Qwen2 trains rank-r adapters only, through the
same Trainer path as full fine-tuning, and the merged model that later stages read is a plain Qwen2 whose
projections moved while everything else stayed as pretrained."""

import pytest
import torch

from repro.engine.setup import TrainSetup
from repro.engine.trainer import finetune
from repro.models import lora
from repro.params import Hyper

pytest.importorskip("peft")


def _rows(n: int) -> list[dict]:
    """A copy task: the target repeats the prompt's last token, loss on the target only."""
    g = torch.Generator().manual_seed(1)
    rows = []
    for _ in range(n):
        prompt = torch.randint(2, 64, (6,), generator=g).tolist()
        rows.append({"input_ids": prompt + [prompt[-1], 1], "labels": [-100] * 6 + [prompt[-1], 1]})
    return rows


def test_lora_trains_adapters_only_and_merges_into_a_plain_model(tmp_path, tiny_decoder):
    from transformers import Qwen2ForCausalLM

    base = tiny_decoder()
    before = {name: p.detach().clone() for name, p in base.state_dict().items()}
    model = lora.wrap(base, rank=4)
    trainable = [name for name, p in model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in name for name in trainable)
    assert {name.split(".")[-4] for name in trainable} == set(lora.PROJECTIONS)  # every attention + MLP projection

    hp = Hyper(learning_rate=1e-2, epochs=1, batch_size=4, max_length=16, eval_every=0)
    trained = finetune(model, _rows(32), TrainSetup(hp, workdir=tmp_path / "work", seed=0, pad_id=0,
                                                    description="lora test"))
    merged = trained.merge_and_unload()
    assert type(merged) is Qwen2ForCausalLM and not any("lora" in name for name, _ in merged.named_parameters())
    after = merged.state_dict()
    assert set(after) == set(before)
    moved = {name for name in before if not torch.equal(before[name], after[name])}
    projections = {name for name in before if name.split(".")[-2] in lora.PROJECTIONS and name.endswith("weight")}
    assert moved == projections  # adapters merged into each projection; embeddings, norms and biases untouched

    merged.save_pretrained(tmp_path / "out")
    again = Qwen2ForCausalLM.from_pretrained(tmp_path / "out")
    ids = torch.tensor([[5, 9, 12, 3]])
    assert torch.allclose(again(ids).logits, merged(ids).logits, atol=1e-5)
