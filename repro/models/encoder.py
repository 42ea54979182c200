"""The encoder family (XLM-R and its kin): what the stages need from a masked-LM encoder, in one place.

Heads are Hugging Face Auto classes named by the kind that uses them (`repro.kinds`: HEAD); a fresh head is
drawn from a seed on top of an encoder's weights (jiant's `partial` load: encoder only). FLOPs and shapes come
from the model's own config. A decoder family is a module of the same names beside this one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from repro.errors import UserError

NAME = "encoder"
HEADS = {"sequence_classification": "AutoModelForSequenceClassification",
         "token_classification": "AutoModelForTokenClassification",
         "multiple_choice": "AutoModelForMultipleChoice", "question_answering": "AutoModelForQuestionAnswering"}
# FacebookAI/xlm-roberta-large config.json, for --random-init where the Hub cannot be reached
XLMR_LARGE = {"num_hidden_layers": 24, "hidden_size": 1024, "num_attention_heads": 16, "intermediate_size": 4096,
              "vocab_size": 250002, "max_position_embeddings": 514, "type_vocab_size": 1, "layer_norm_eps": 1e-5,
              "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2}


def download(hub: str, revision: str, out: Path) -> None:
    """The pretrained masked LM and its tokenizer at a pinned revision, saved as a plain HF directory."""
    import transformers as tf
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        tf.AutoTokenizer.from_pretrained(hub, revision=revision).save_pretrained(out)
        tf.AutoModelForMaskedLM.from_pretrained(hub, revision=revision).save_pretrained(out)
    except (ConnectionError, LocalEntryNotFoundError) as exc:  # offline, and not in the local cache
        raise UserError(f"{hub} (revision {revision}): not in the local Hugging Face cache and the Hub cannot be "
                        f"reached ({type(exc).__name__}); run `repro pretrain` once with network access "
                        f"(HF_HUB_OFFLINE=0), or `dvc pull` the pretrain stage") from None


def tokenizer(path: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path))


def head(name: str, encoder: Path, config: dict, seed: int):
    """A fresh `name` head (a key of HEADS) on the encoder's weights, its initial weights drawn from `seed` (the
    Trainer seeds only after the model exists: unseeded, two runs of a stage differ). `config` states the head's
    labels: the encoder's config still carries its intermediate task's."""
    import transformers as tf

    tf.logging.set_verbosity_error()  # the expected "newly initialized head" load report
    tf.set_seed(seed)
    return getattr(tf, HEADS[name]).from_pretrained(str(encoder), **config)


def fine_tuned(name: str, path: Path):
    """A fine-tuned model with its `name` head, as saved by a target stage."""
    import transformers as tf

    return getattr(tf, HEADS[name]).from_pretrained(str(path))


def masked_lm(path: Path):
    """The masked-LM model of `path` (phase 1's, for continued MLM next to a task head)."""
    import transformers as tf

    return tf.AutoModelForMaskedLM.from_pretrained(str(path))


def tie_lm_head(mlm, encoder) -> None:
    """Point the LM head's decoder at `encoder`'s word embeddings (after the encoder was shared)."""
    mlm.get_output_embeddings().weight = encoder.get_input_embeddings().weight


def body(model):
    """The encoder inside a model with a head (what an intermediate stage saves, what heads share)."""
    return model.base_model


def share_body(heads: dict) -> object:
    """Make every head use one encoder (jiant's multi-task setup) and return it; an encoder with a pooler is
    preferred, since some heads (multiple choice) read the pooled <s>."""
    bodies = [body(model) for model in heads.values()]
    shared = next((b for b in bodies if getattr(b, "pooler", None) is not None), bodies[0])
    for model in heads.values():
        setattr(model, model.base_model_prefix, shared)
    return shared


def load_encoder(path: Path):
    """The bare encoder (no head), in eval mode, for embeddings: on the GPU when there is one (the tens of thousands
    of sentences of one BUCC language take hours on a CPU)."""
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(path)).eval()
    return model.to("cuda") if torch.cuda.is_available() else model


def layers(model) -> int:
    return model.config.num_hidden_layers


def embed(model, tokenizer, sentences: list[str], layer: int, pooling: str, max_length: int,
          batch_size: int) -> np.ndarray:
    """Sentence embeddings: hidden_states[layer] (0 = embeddings), mean-pooled over real tokens or <s>. Batches go
    to the model's device; the embeddings come back to the CPU as float32."""
    import torch

    chunks = []
    with torch.no_grad():
        for at in range(0, len(sentences), batch_size):
            enc = tokenizer(sentences[at:at + batch_size], truncation=True, max_length=max_length, padding=True,
                            return_tensors="pt").to(model.device)
            hidden = model(**enc, output_hidden_states=True).hidden_states[layer]
            if pooling == "cls":
                pooled = hidden[:, 0]
            else:
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1)
            chunks.append(pooled.float().cpu().numpy())
    return np.concatenate(chunks) if chunks else np.zeros((0, model.config.hidden_size), np.float32)


def shape(config: dict, name: str) -> dict:
    """The dimensions FLOP estimates need, from a config.json's fields."""
    return {"name": name, "layers": config["num_hidden_layers"], "hidden": config["hidden_size"],
            "heads": config["num_attention_heads"], "intermediate": config["intermediate_size"],
            "vocab": config["vocab_size"]}


def parameters(dims: dict) -> int:
    """Weights of a sequence classifier: embeddings (words, 514 positions, one type; LayerNorm), per layer the
    attention's four projections and the MLP with their biases and two LayerNorms, the pooler and a dense head."""
    hidden, inner = dims["hidden"], dims["intermediate"]
    per_layer = 4 * (hidden * hidden + hidden) + 2 * hidden * inner + inner + hidden + 4 * hidden
    return (dims["vocab"] + 515) * hidden + 2 * hidden + dims["layers"] * per_layer + 2 * (hidden * hidden + hidden)


def flops_per_token(dims: dict, length: float, training: bool = True) -> float:
    """Model FLOPs per token at mean sequence length `length` (training: forward + backward): 6 x the weights
    in matrix products (not the embedding tables) + 12 x layers x hidden x length (attention scores and values);
    forward only: a third of it."""
    layers_, hidden = dims["layers"], dims["hidden"]
    matmul_weights = layers_ * (4 * hidden * hidden + 2 * hidden * dims["intermediate"])
    forward = 2 * matmul_weights + 4 * layers_ * hidden * length
    return 3 * forward if training else forward


def classifier(config: dict, labels: int, seed: int):
    """A sequence classifier with random weights of the given architecture (bench's --random-init)."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

    torch.manual_seed(seed)
    return XLMRobertaForSequenceClassification(XLMRobertaConfig(**config, num_labels=labels))
