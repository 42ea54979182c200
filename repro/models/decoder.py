"""The decoder family (Qwen2.5-Coder and its kin): causal LMs for the code study, beside `encoder.py`.

Paper profile: `Qwen/Qwen2.5-Coder-1.5B` (base, Apache-2.0; the 0.5B as a cheaper option) at a pinned revision,
loaded without remote code (Qwen2 is a transformers architecture). Smoke: a tiny model of the same architecture
(`Qwen2Config`) with a byte-level BPE that splits digits one by one, as Qwen2's tokenizer does, trained here.
FLOPs and memory come from the model's own config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

NAME = "decoder"
EOS = "<|endoftext|>"  # Qwen2's end-of-text token, also its padding token
# Qwen2's pre-tokenizer split (Qwen/Qwen2.5-Coder-1.5B tokenizer.json): single digits, a newline run apart from the
# indentation after it, so "\n    return" splits the same way wherever it occurs
QWEN2_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
               r"|\s*[\r\n]+|\s+(?!\S)|\s+")
# Qwen/Qwen2.5-Coder-1.5B config.json (for plans where the Hub cannot be reached)
QWEN25_CODER_1_5B = {"num_hidden_layers": 28, "hidden_size": 1536, "num_attention_heads": 12,
                     "num_key_value_heads": 2, "intermediate_size": 8960, "vocab_size": 151936,
                     "tie_word_embeddings": True}
QWEN25_CODER_0_5B = {"num_hidden_layers": 24, "hidden_size": 896, "num_attention_heads": 14,
                     "num_key_value_heads": 2, "intermediate_size": 4864, "vocab_size": 151936,
                     "tie_word_embeddings": True}


def download(hub: str, revision: str, out: Path) -> None:
    """The pretrained causal LM and its tokenizer at a pinned revision, saved as a plain HF directory."""
    import transformers as tf

    tf.AutoTokenizer.from_pretrained(hub, revision=revision, trust_remote_code=False).save_pretrained(out)
    tf.AutoModelForCausalLM.from_pretrained(hub, revision=revision, trust_remote_code=False,
                                            dtype="auto").save_pretrained(out)


def tokenizer(path: Path):
    """The model's tokenizer, padding on the left (batched generation continues every prompt at its end)."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(path))
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    tok.padding_side = "left"
    return tok


def causal_lm(path: Path):
    import transformers as tf

    tf.logging.set_verbosity_error()
    return tf.AutoModelForCausalLM.from_pretrained(str(path), dtype="auto")


def train_tokenizer(corpus: Sequence[str], vocab_size: int, max_length: int):
    """A byte-level BPE with Qwen2's split (digits one by one), trained on the corpus; EOS is the one special."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(QWEN2_SPLIT), "isolated"),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[EOS], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOS, pad_token=EOS, model_max_length=max_length,
                                   clean_up_tokenization_spaces=False)


def lm_rows(tokenizer, texts: Sequence[str], max_length: int) -> list[dict]:
    """Plain language modelling rows: every token (and the closing EOS) has a loss. A long text keeps its start
    (an article its lead), whatever `truncation_side` the tokenizer's config says."""
    ids = tokenizer(list(texts), add_special_tokens=False, verbose=False)["input_ids"]  # no too-long warning: cut
    ids = [row[:max_length - 1] for row in ids]
    return [{"input_ids": row + [tokenizer.eos_token_id], "labels": row + [tokenizer.eos_token_id]} for row in ids]


def pretrain_tiny(spec, corpus: Sequence[str], out: Path, *, seed: int, workdir: Path,
                  vocabulary: Sequence[str] = ()) -> None:
    """Train a tokenizer on `corpus` and `vocabulary` (text for the tokenizer alone), and a tiny Qwen2 causal LM from
    scratch on `corpus`; save both to `out`."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from repro.engine.setup import TrainSetup
    from repro.engine.trainer import finetune
    from repro.params import Hyper

    torch.manual_seed(seed)
    tok = train_tokenizer([*corpus, *vocabulary], spec.vocab_size, spec.max_length)
    config = Qwen2Config(vocab_size=len(tok), hidden_size=spec.hidden_size, num_hidden_layers=spec.layers,
                         num_attention_heads=spec.heads, num_key_value_heads=spec.kv_heads,
                         intermediate_size=spec.intermediate_size, max_position_embeddings=2 * spec.max_length,
                         tie_word_embeddings=True, bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id,
                         pad_token_id=tok.pad_token_id, use_sliding_window=False)
    model = Qwen2ForCausalLM(config)
    hp = Hyper(learning_rate=spec.learning_rate, epochs=spec.epochs, batch_size=spec.batch_size,
               max_length=spec.max_length, warmup_ratio=0.05, weight_decay=0.01, eval_every=0)
    model = finetune(model, lm_rows(tok, corpus, spec.max_length), TrainSetup(
        hp, workdir=workdir, seed=seed, pad_id=tok.pad_token_id, description="pretrain (causal LM)"))
    model.generation_config.pad_token_id = tok.pad_token_id
    model.save_pretrained(out)
    tok.save_pretrained(out)


def generate(model, tokenizer, prompts: Sequence[str], *, max_new_tokens: int, batch_size: int,
             stop: Sequence[str] = (), samples: int = 0, temperature: float = 0.8, top_p: float = 0.95,
             seed: int = 0) -> list[list[str]]:
    """Completions of each prompt with HF `generate`: one greedy (samples=0) or `samples` sampled ones. A sequence
    stops at EOS or a stop string (the text after the stop is cut by the caller's decode)."""
    import torch
    import transformers as tf

    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = model.to(device).eval()
    tf.set_seed(seed)
    out: list[list[str]] = []
    n = max(samples, 1)
    for at in range(0, len(prompts), batch_size):
        chunk = list(prompts[at:at + batch_size])
        enc = tokenizer(chunk, return_tensors="pt", padding=True, add_special_tokens=False).to(device)
        with torch.no_grad():
            ids = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=samples > 0,
                                 temperature=temperature if samples else None, top_p=top_p if samples else None,
                                 top_k=None, num_return_sequences=n, stop_strings=list(stop) or None,
                                 tokenizer=tokenizer, pad_token_id=tokenizer.pad_token_id)
        texts = tokenizer.batch_decode(ids[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)
        out.extend(texts[i * n:(i + 1) * n] for i in range(len(chunk)))
    return out


def shape(config: dict, name: str) -> dict:
    """The dimensions FLOP and memory estimates need, from a config.json's fields."""
    return {"name": name, "layers": config["num_hidden_layers"], "hidden": config["hidden_size"],
            "heads": config["num_attention_heads"],
            "kv_heads": config.get("num_key_value_heads") or config["num_attention_heads"],
            "intermediate": config["intermediate_size"], "vocab": config["vocab_size"]}


def parameters(dims: dict) -> int:
    """Weights: attention (q, o full; k, v grouped), SwiGLU MLP, norms, one embedding table (tied LM head)."""
    hidden, kv = dims["hidden"], dims["hidden"] * dims["kv_heads"] // dims["heads"]
    per_layer = 2 * hidden * hidden + 2 * hidden * kv + 3 * hidden * dims["intermediate"] + 2 * hidden
    return dims["layers"] * per_layer + dims["vocab"] * hidden + hidden


def flops_per_token(dims: dict, length: float, training: bool = True) -> float:
    """Model FLOPs per token at mean context `length`: 2 x the matrix-product weights (the LM head included) +
    the causal attention's 2 x layers x hidden x length (scores and values, half the positions); training: 3x."""
    hidden, kv = dims["hidden"], dims["hidden"] * dims["kv_heads"] // dims["heads"]
    matmul = dims["layers"] * (2 * hidden * hidden + 2 * hidden * kv + 3 * hidden * dims["intermediate"])
    forward = 2 * (matmul + dims["vocab"] * hidden) + 2 * dims["layers"] * hidden * length
    return 3 * forward if training else forward


def label_loss(model, inputs: dict, num_items: int | None = None):
    """The causal LM loss with the LM head applied only where a label is (a prompt's positions carry none): the
    same cross-entropy as the model's own loss (next-token, mean over labelled tokens, or their sum over
    `num_items` under gradient accumulation), without the batch x length x vocabulary logits."""
    import torch

    model = getattr(model, "module", model)  # a DeepSpeed or DDP wrapper's model
    model = model.get_base_model() if hasattr(model, "get_base_model") else model  # LoRA: adapters are in place
    labels = inputs["labels"]
    hidden = model.model(input_ids=inputs["input_ids"], attention_mask=inputs.get("attention_mask")).last_hidden_state
    targets = labels[:, 1:]
    keep = targets != -100
    logits = model.lm_head(hidden[:, :-1][keep]).float()
    loss = torch.nn.functional.cross_entropy(logits, targets[keep], reduction="sum")
    return loss / (num_items if num_items is not None else keep.sum().clamp(min=1))
