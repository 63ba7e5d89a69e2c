"""A tiny RoBERTa built offline, standing in for roberta-large (which cannot be downloaded here) in BERTScore tests."""

from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path
from typing import Any

LAYERS = 2


@functools.cache
def tiny_roberta_dir() -> Path:
    """A random 3-layer RoBERTa with a byte-level BPE tokenizer trained on a few feedback strings."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import RobertaConfig, RobertaModel, RobertaTokenizer

    out = Path(tempfile.mkdtemp(prefix="tiny-roberta-"))
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator(["word: cat issue: the T was dropped suggestion: finish with T", "no problem",
                             "think:TH became T tongue out"] * 4, trainer)
    state = json.loads(bpe.to_str())["model"]
    merges: Any = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in state["merges"]]
    tokenizer = RobertaTokenizer(vocab=state["vocab"], merges=merges, model_max_length=128)
    tokenizer.save_pretrained(out)
    torch.manual_seed(0)
    config = RobertaConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=LAYERS + 1,
                           num_attention_heads=2, intermediate_size=64, max_position_embeddings=130,
                           pad_token_id=tokenizer.pad_token_id)
    RobertaModel(config).save_pretrained(out)
    return out
