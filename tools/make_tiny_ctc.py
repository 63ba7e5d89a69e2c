"""Build a tiny random-weight CTC phoneme recogniser offline, so that tests and benchmarks run the `ctc` backend.

The model is a ``Wav2Vec2ForCTC`` with the real architecture in miniature (the same convolutional
front end, so 20 ms frames, a two-layer transformer of width 32) and an espeak-style IPA
vocabulary with a word delimiter, saved with the real ``Wav2Vec2FeatureExtractor`` and
``Wav2Vec2PhonemeCTCTokenizer`` classes, like ``facebook/wav2vec2-xlsr-53-espeak-cv-ft``. Its
posteriors are random but fixed by the seed; it loads in well under a second with
``serve --backend ctc --model OUT_DIR``.

    python tools/make_tiny_ctc.py /tmp/tiny-ctc
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path

import torch
from transformers import (
    Wav2Vec2Config,
    Wav2Vec2FeatureExtractor,
    Wav2Vec2ForCTC,
    Wav2Vec2PhonemeCTCTokenizer,
    Wav2Vec2Processor,
)

log = logging.getLogger("make_tiny_ctc")

SPECIAL_TOKENS = ("<pad>", "<s>", "</s>", "<unk>")
WORD_DELIMITER = "|"
# espeak-ng's General American phones (what the espeak-cv-ft checkpoints emit for English), plus a
# few that English does not use, as in those multilingual vocabularies.
IPA_PHONES = (
    "ɑː", "ɑ", "æ", "ʌ", "ə", "ɐ", "ɔː", "ɔ", "aʊ", "aɪ", "b", "tʃ", "d", "ð", "ɛ", "ɜː", "ɚ", "eɪ", "f",
    "ɡ", "h", "ɪ", "ᵻ", "iː", "i", "dʒ", "k", "l", "m", "n", "ŋ", "oʊ", "ɔɪ", "p", "ɹ", "s", "ʃ", "t", "ɾ",
    "ʔ", "θ", "ʊ", "uː", "v", "w", "j", "z", "ʒ", "x", "y", "ø", "ʁ",
)

# Random heads give near-uniform posteriors; these make them as peaky and blank-heavy as CTC's.
LOGIT_SCALE = 40.0
BLANK_BIAS = 8.0


def build(out_dir: Path, seed: int = 0, phones: Sequence[str] = IPA_PHONES) -> Path:
    """Write the model, feature extractor and tokenizer (vocabulary: ``phones``) to ``out_dir``; returns it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    vocabulary = {token: index for index, token in enumerate((*SPECIAL_TOKENS, WORD_DELIMITER, *phones))}
    with tempfile.TemporaryDirectory() as scratch:
        vocab_file = Path(scratch) / "vocab.json"
        vocab_file.write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
        tokenizer = Wav2Vec2PhonemeCTCTokenizer(str(vocab_file), do_phonemize=False, phonemizer_lang="en-us",
                                                word_delimiter_token=WORD_DELIMITER)
    feature_extractor = Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16_000, padding_value=0.0,
                                                 do_normalize=True, return_attention_mask=True)
    Wav2Vec2Processor(feature_extractor=feature_extractor, tokenizer=tokenizer).save_pretrained(out_dir)

    torch.manual_seed(seed)
    config = Wav2Vec2Config(
        vocab_size=len(vocabulary),
        pad_token_id=vocabulary["<pad>"],
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        conv_dim=(16,) * 7,
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4,
        feat_extract_norm="layer",
        do_stable_layer_norm=True,
        ctc_loss_reduction="mean",
    )
    model = Wav2Vec2ForCTC(config).eval()
    with torch.no_grad():  # peaky, blank-heavy outputs like a trained CTC model's, not near-uniform ones
        model.lm_head.weight.mul_(LOGIT_SCALE)
        model.lm_head.bias[vocabulary["<pad>"]] += BLANK_BIAS
    model.save_pretrained(out_dir)
    parameters = sum(p.numel() for p in model.parameters())
    log.info("tiny CTC model: %d parameters, %d tokens, written to %s", parameters, len(vocabulary), out_dir)
    return out_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the model into (created if needed)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    build(args.out_dir, args.seed)


if __name__ == "__main__":
    main()
