"""The smoke world's model: a tiny XLM-R (tokenizer and masked LM) pretrained here from scratch.

The same MLM objective serves continued multilingual MLM during intermediate training (the paper's
alternative (a)).
"""

from __future__ import annotations

from pathlib import Path

from repro.params import Hyper, Pretrain

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


def train_tokenizer(corpus: list[str], vocab_size: int, max_length: int):
    """An XLM-R style tokenizer (NFKC, Metaspace, Unigram) trained on the corpus.

    SentencePiece trains the Unigram model (as XLM-R's own was trained), single-threaded, so the same corpus
    always gives the same pieces and scores; `tokenizers`' UnigramTrainer does not (its scores and piece order
    differ from run to run), and every model and number downstream would differ with them. The pieces then
    become an HF fast tokenizer with XLM-R's special tokens.
    """
    import io

    import sentencepiece as spm
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import XLMRobertaTokenizerFast

    trained = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus), model_writer=trained, model_type="unigram",
        vocab_size=vocab_size - len(SPECIALS) + 1,  # + its own <unk>, replaced by ours below
        hard_vocab_limit=False, character_coverage=1.0, normalization_rule_name="nfkc", num_threads=1,
        shuffle_input_sentence=False, unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1, minloglevel=2)
    sp = spm.SentencePieceProcessor(model_proto=trained.getvalue())
    pieces = [(sp.id_to_piece(i), sp.get_score(i)) for i in range(1, sp.get_piece_size())]
    tok = Tokenizer(models.Unigram([(s, 0.0) for s in SPECIALS] + pieces, unk_id=SPECIALS.index("<unk>")))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.add_special_tokens(SPECIALS)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", tok.token_to_id("<s>")), ("</s>", tok.token_to_id("</s>"))])
    return XLMRobertaTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>",
                                   cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
                                   model_max_length=max_length)


def mlm_rows(tokenizer, texts: list[str], max_length: int) -> list[dict]:
    enc = tokenizer(texts, truncation=True, max_length=max_length)
    return [{"input_ids": ids} for ids in enc["input_ids"]]


def pretrain_tiny(spec: Pretrain, corpus: list[str], out: Path, *, seed: int, workdir: Path,
                  curves: Path | None = None) -> None:
    """Train tokenizer and model from scratch; save both to `out` as a plain HF directory (`curves`: where the
    MLM loss by step goes)."""
    import torch
    from transformers import DataCollatorForLanguageModeling, XLMRobertaConfig, XLMRobertaForMaskedLM

    from repro.engine.setup import TrainSetup
    from repro.engine.trainer import finetune

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
    model = finetune(model, mlm_rows(tokenizer, corpus, spec.max_length), TrainSetup(
        hp, workdir=workdir, seed=seed, pad_id=tokenizer.pad_token_id, description="pretrain (MLM)",
        collator=collator, curves=curves))
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
