"""Masked-LM training: phase 1 of the smoke world (a tiny XLM-R pretrained here from scratch).

The same MLM objective serves continued multilingual MLM during intermediate training (the paper's
alternative (a)).
"""

from __future__ import annotations

from pathlib import Path

from repro.params import Hyper, Pretrain

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


def train_tokenizer(corpus: list[str], vocab_size: int, max_length: int):
    """An XLM-R style tokenizer (NFKC, Metaspace, Unigram) trained on the corpus."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import XLMRobertaTokenizerFast

    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.train_from_iterator(corpus, trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=SPECIALS,
                                                            unk_token="<unk>"))
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", tok.token_to_id("<s>")), ("</s>", tok.token_to_id("</s>"))])
    return XLMRobertaTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>",
                                   cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
                                   model_max_length=max_length)


def mlm_rows(tokenizer, texts: list[str], max_length: int) -> list[dict]:
    enc = tokenizer(texts, truncation=True, max_length=max_length)
    return [{"input_ids": ids} for ids in enc["input_ids"]]


def pretrain_tiny(spec: Pretrain, corpus: list[str], out: Path, *, seed: int, workdir: Path) -> None:
    """Train tokenizer and model from scratch; save both to `out` as a plain HF directory."""
    import torch
    from transformers import DataCollatorForLanguageModeling, XLMRobertaConfig, XLMRobertaForMaskedLM

    from repro.engine import finetune

    torch.manual_seed(seed)
    tokenizer = train_tokenizer(corpus, spec.vocab_size, spec.max_length)
    config = XLMRobertaConfig(
        vocab_size=len(tokenizer), hidden_size=spec.hidden_size, num_hidden_layers=spec.layers,
        num_attention_heads=spec.heads, intermediate_size=spec.intermediate_size,
        max_position_embeddings=spec.max_length + 2 + tokenizer.pad_token_id, type_vocab_size=1,
        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, hidden_dropout_prob=spec.dropout,
        attention_probs_dropout_prob=spec.dropout)
    model = XLMRobertaForMaskedLM(config)
    hp = Hyper(learning_rate=spec.learning_rate, epochs=spec.epochs, batch_size=spec.batch_size,
               max_length=spec.max_length, warmup_ratio=0.05, weight_decay=0.01)
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=spec.mlm_probability)
    model = finetune(model, mlm_rows(tokenizer, corpus, spec.max_length), hp, scorer=None, workdir=workdir,
                     seed=seed, pad_id=tokenizer.pad_token_id, description="pretrain (MLM)", collator=collator)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
