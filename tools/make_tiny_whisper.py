"""Build a tiny random-weight Whisper offline, so the cascade backend's ASR path runs in tests without downloads.

The model is a real ``WhisperForConditionalGeneration`` (two encoder and two decoder layers, 64 wide)
with random weights; the processor is real too: Whisper's feature extractor with the released
models' settings and a byte-level BPE tokenizer trained on the fly on the words of the pronouncing
dictionary, with Whisper's special and timestamp tokens. The generation config carries what
``generate`` needs for English transcription with word timestamps (language and task ids,
alignment heads). It transcribes nonsense, through exactly the loading and decoding code a real
checkpoint uses:

    python tools/make_tiny_whisper.py /tmp/tiny-whisper
    python -m inference_daemon assess me.wav "I think so." --backend cascade --asr-model /tmp/tiny-whisper
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from inference_daemon.pronunciation.lexicon import pocketsphinx_dictionary_path

log = logging.getLogger("make_tiny_whisper")

SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|startoftranscript|>",
    "<|en|>",
    "<|translate|>",
    "<|transcribe|>",
    "<|startoflm|>",
    "<|startofprev|>",
    "<|nospeech|>",
    "<|notimestamps|>",
]
# Whisper's timestamp tokens <|0.00|> ... <|30.00|>, in 20 ms steps, follow the special tokens.
TIMESTAMP_TOKENS = [f"<|{step * 0.02:.2f}|>" for step in range(1501)]
BPE_VOCABULARY_SIZE = 600
TRAINING_WORDS = 5000
MEL_BINS = 80


def dictionary_words(limit: int) -> list[str]:
    """The first ``limit`` plain words of the pronouncing dictionary, as tokenizer training text."""
    words: list[str] = []
    with open(pocketsphinx_dictionary_path(), encoding="utf-8") as lines:
        for line in lines:
            word = line.split(" ", 1)[0]
            if word.isalpha():
                words.append(word)
            if len(words) == limit:
                break
    return words


def build_tokenizer() -> Any:
    """A Whisper tokenizer with a byte-level BPE vocabulary trained here, special and timestamp tokens."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import AddedToken, WhisperTokenizer

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=BPE_VOCABULARY_SIZE,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=SPECIAL_TOKENS[:1],
        show_progress=False,
    )
    words = dictionary_words(TRAINING_WORDS)
    bpe.train_from_iterator([" " + " ".join(words[start : start + 50]) for start in range(0, len(words), 50)],
                            trainer)
    trained = bpe.get_vocab()
    vocabulary = dict(sorted(trained.items(), key=lambda item: item[1]))
    merges = [tuple(merge.split(" ")) for merge in _merges(bpe)]
    tokenizer = WhisperTokenizer(vocab=vocabulary, merges=merges)
    tokenizer.add_special_tokens({"additional_special_tokens": SPECIAL_TOKENS[1:]})
    tokenizer.add_tokens([AddedToken(token, special=False, normalized=False) for token in TIMESTAMP_TOKENS])
    tokenizer.set_prefix_tokens(language="english", task="transcribe", predict_timestamps=False)
    return tokenizer


def _merges(bpe: Any) -> list[str]:
    """The trained merges as ``"a b"`` strings, read from the tokenizer's JSON form."""
    merges = json.loads(bpe.to_str())["model"]["merges"]
    return [merge if isinstance(merge, str) else " ".join(merge) for merge in merges]


def build(out_dir: Path, seed: int = 0) -> Path:
    """Write the tiny model, its processor and its generation config to ``out_dir``; returns it."""
    import torch
    from transformers import (
        GenerationConfig,
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperProcessor,
    )

    torch.manual_seed(seed)
    tokenizer = build_tokenizer()
    token_id = tokenizer.convert_tokens_to_ids
    end_of_text = token_id("<|endoftext|>")
    config = WhisperConfig(
        vocab_size=len(tokenizer),
        num_mel_bins=MEL_BINS,
        d_model=64,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
        max_source_positions=1500,
        max_target_positions=448,
        pad_token_id=end_of_text,
        bos_token_id=end_of_text,
        eos_token_id=end_of_text,
        decoder_start_token_id=token_id("<|startoftranscript|>"),
        begin_suppress_tokens=[end_of_text],
        suppress_tokens=[],
    )
    model = WhisperForConditionalGeneration(config)
    # GenerationConfig keeps unknown keyword arguments as attributes, which Whisper's generate reads.
    generation = GenerationConfig(
        decoder_start_token_id=config.decoder_start_token_id,
        bos_token_id=end_of_text,
        eos_token_id=end_of_text,
        pad_token_id=end_of_text,
        begin_suppress_tokens=config.begin_suppress_tokens,
        suppress_tokens=[],
        max_length=448,
        is_multilingual=True,
        lang_to_id={"<|en|>": token_id("<|en|>")},
        task_to_id={"transcribe": token_id("<|transcribe|>"), "translate": token_id("<|translate|>")},
        no_timestamps_token_id=token_id("<|notimestamps|>"),
        prev_sot_token_id=token_id("<|startofprev|>"),
        alignment_heads=[[1, 0], [1, 1]],
    )
    model.generation_config = generation
    feature_extractor = WhisperFeatureExtractor(feature_size=MEL_BINS, sampling_rate=16_000, hop_length=160,
                                                chunk_length=30, n_fft=400)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    WhisperProcessor(feature_extractor=feature_extractor, tokenizer=tokenizer).save_pretrained(out_dir)
    log.info("tiny Whisper (%d parameters, vocabulary %d) written to %s",
             model.num_parameters(), len(tokenizer), out_dir)
    return out_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the model and processor to")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights (default: 0)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    build(args.out_dir, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
