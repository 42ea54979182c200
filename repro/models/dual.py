"""A dual encoder on the encoder family (google-research/xtreme third_party/bert.py `BertForRetrieval`, which
`XLMRobertaForRetrieval` inherits): one shared encoder for both sides, each side's pooled <s> (the encoder's pooler:
dense + tanh), a learned logit scale initialized to 100, the in-batch loss of `repro.kinds.dual_encoder`. The pooler
rule is one for every encoder, the pretrained model's (A0) and every intermediate run's alike: it is drawn from the
seed alone (`fresh_pooler`), whatever pooler the encoder was saved with (none after a masked-LM or a classification
or QA head; a trained one after a multiple-choice head), so no arm starts its dual encoder from a pooler another
arm lacks. The HF Trainer trains it as it is (`forward` returns the loss
for a batch of pairs); `save` writes the encoder as a plain HF directory and the scale beside it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from repro.kinds.dual_encoder import in_batch_loss

INITIAL_SCALE = 100.0  # BertForRetrieval: torch.nn.init.constant_(self.logit_scale, 100.0)
SCALE_FILE = "logit_scale.json"


class DualEncoder(nn.Module):
    """Queries and candidates through one encoder; L2-normalized pooled <s> vectors."""

    def __init__(self, encoder: nn.Module, scale: float = INITIAL_SCALE):
        super().__init__()
        self.encoder = encoder
        self.logit_scale = nn.Parameter(torch.tensor([scale]))

    @classmethod
    def from_encoder(cls, path: Path, seed: int) -> DualEncoder:
        """The encoder saved at `path` with a pooler drawn from `seed` (`fresh_pooler`)."""
        import transformers as tf

        tf.logging.set_verbosity_error()  # the expected "newly initialized pooler" load report
        tf.set_seed(seed)
        encoder = tf.AutoModel.from_pretrained(str(path))
        fresh_pooler(encoder, seed)
        return cls(encoder)

    def vectors(self, input_ids, attention_mask):
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
        return nn.functional.normalize(out.pooler_output, p=2, dim=1)

    def forward(self, query_input_ids, query_attention_mask, candidate_input_ids, candidate_attention_mask):
        query = self.encoder(input_ids=query_input_ids, attention_mask=query_attention_mask).pooler_output
        candidate = self.encoder(input_ids=candidate_input_ids, attention_mask=candidate_attention_mask).pooler_output
        return {"loss": in_batch_loss(query, candidate, self.logit_scale)}

    @torch.no_grad()
    def embed(self, tokenizer, texts: list[str], max_length: int, batch_size: int = 64) -> np.ndarray:
        """[texts, hidden] normalized vectors (float32, on the CPU), in eval mode on the model's device."""
        was_training = self.training
        self.eval()
        device = next(self.parameters()).device
        chunks = []
        for at in range(0, len(texts), batch_size):
            enc = tokenizer(texts[at:at + batch_size], truncation=True, max_length=max_length, padding=True,
                            return_tensors="pt").to(device)
            chunks.append(self.vectors(enc["input_ids"], enc["attention_mask"]).float().cpu().numpy())
        self.train(was_training)
        hidden = self.encoder.config.hidden_size
        return np.concatenate(chunks) if chunks else np.zeros((0, hidden), np.float32)

    def save(self, out: Path) -> None:
        self.encoder.save_pretrained(out)
        (Path(out) / SCALE_FILE).write_text(json.dumps({"logit_scale": float(self.logit_scale.item())}))


def fresh_pooler(encoder: nn.Module, seed: int) -> None:
    """Replace the encoder's pooler dense layer by one drawn from `seed` alone, as the encoder family initializes it
    (weights normal with the config's initializer_range, bias zero): the same for every encoder of one seed."""
    dense = encoder.pooler.dense
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        dense.weight.copy_(torch.empty(dense.weight.shape).normal_(0.0, encoder.config.initializer_range,
                                                                   generator=generator))
        dense.bias.zero_()
