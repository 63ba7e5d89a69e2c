"""Build tiny, randomly initialised models of both ``alm`` families offline, in a second.

No weights can be downloaded in tests, CI or on a laptop without a GPU, yet every loading,
batching and decoding path should run for real: these builders make a directory of the same
shape as a real checkpoint (configs, weights, a tokenizer trained on the fly, the real Whisper
feature extractor settings) that ``serve --backend alm --model DIR`` loads as it is. Their answers
are noise until tuned. ``tools/make_tiny_alm.py`` is the command line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedTokenizerFast,
    Qwen2AudioConfig,
    Qwen2AudioEncoderConfig,
    Qwen2AudioForConditionalGeneration,
    Qwen2AudioProcessor,
    Qwen2Config,
    Qwen2Tokenizer,
    WhisperConfig,
    WhisperFeatureExtractor,
)
from transformers.models.whisper.modeling_whisper import WhisperEncoder

from inference_daemon.backends.alm.answers import ParsedAnswer, ReportedWord, render_text_answer
from inference_daemon.backends.alm.backend import FAMILIES
from inference_daemon.backends.alm.prompt import SYSTEM_PROMPT, AnswerFormat, build_prompt
from inference_daemon.backends.alm.speech_llm import SpeechLLM, SpeechLLMConfig
from inference_daemon.pronunciation import ARPABET_PHONES

_VOCAB_SIZE = 600
# Qwen2's pre-tokenizer split pattern (contractions, letters, digits, punctuation, spaces).
_QWEN2_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
_LLAMA3_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}<|start_header_id|>{{ message['role'] }}<|end_header_id|>\n\n"
    "{{ message['content'] }}<|eot_id|>{% endfor %}"
    "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}"
)


def _training_corpus() -> list[str]:
    """Text the tiny tokenizer learns from: the prompts and both answer formats."""
    example = ParsedAnswer(words=(ReportedWord("think", "mispronounced", "TH sounded like S", "Touch your teeth"),))
    corpus = [SYSTEM_PROMPT, render_text_answer(example), "No Problem", " ".join(ARPABET_PHONES)]
    for answer_format in AnswerFormat:
        corpus.append(build_prompt("I think so.", answer_format, "zh").instruction)
    corpus.append('{"score": 80, "words": [{"text": "x", "status": "mispronounced", "score": 40, '
                  '"heard_phones": ["S"], "explanation": "", "suggestion": ""}], "summary": "Good."}')
    return corpus


def _train_bpe(special_tokens: list[str], split_pattern: str | None) -> Tokenizer:
    tokenizer = Tokenizer(models.BPE())
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=split_pattern is None)
    tokenizer.pre_tokenizer = (
        byte_level if split_pattern is None
        else pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(split_pattern), "isolated"), byte_level])
    )
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=_VOCAB_SIZE, special_tokens=special_tokens, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(_training_corpus(), trainer)
    return tokenizer


def build_tiny_speech_llm(out_dir: Path, seed: int = 0) -> Path:
    """The paper's architecture in miniature: Whisper encoder, pooling, projector, a Llama-style LM."""
    torch.manual_seed(seed)
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
                "<|pad|>"]
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=_train_bpe(specials, None), bos_token="<|begin_of_text|>", eos_token="<|eot_id|>",
        pad_token="<|pad|>", padding_side="left",
    )
    tokenizer.chat_template = _LLAMA3_TEMPLATE
    whisper = WhisperConfig(d_model=64, encoder_layers=2, encoder_attention_heads=2, encoder_ffn_dim=128,
                            decoder_layers=1, decoder_attention_heads=2, decoder_ffn_dim=128, num_mel_bins=80,
                            max_source_positions=1500)
    llama = LlamaConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
                        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                        pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=False)
    model = SpeechLLM(
        SpeechLLMConfig(pooled_tokens=300),
        encoder=WhisperEncoder(whisper),
        feature_extractor=WhisperFeatureExtractor(feature_size=80),
        llm=LlamaForCausalLM(llama),
        tokenizer=tokenizer,
    )
    model.save(out_dir)
    return out_dir


def build_tiny_qwen2_audio(out_dir: Path, seed: int = 0) -> Path:
    """Qwen2-Audio in miniature, saved as ``AutoProcessor``/``from_pretrained`` expect."""
    torch.manual_seed(seed)
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|AUDIO|>", "<|audio_bos|>", "<|audio_eos|>"]
    trained = _train_bpe(specials, _QWEN2_SPLIT)
    state = json.loads(trained.to_str())["model"]
    merges: Any = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in state["merges"]]
    no_token: Any = None
    tokenizer = Qwen2Tokenizer(vocab=state["vocab"], merges=merges, unk_token=no_token, bos_token=no_token,
                               eos_token="<|im_end|>", pad_token="<|endoftext|>",
                               additional_special_tokens=specials[1:], padding_side="left")
    processor = Qwen2AudioProcessor(
        feature_extractor=WhisperFeatureExtractor(feature_size=128, sampling_rate=16_000, hop_length=160,
                                                  chunk_length=30, n_fft=400),
        tokenizer=tokenizer,
    )
    config = Qwen2AudioConfig(
        audio_config=Qwen2AudioEncoderConfig(d_model=64, encoder_layers=2, encoder_attention_heads=2,
                                             encoder_ffn_dim=128, num_mel_bins=128),
        text_config=Qwen2Config(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128,
                                num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                                max_position_embeddings=2048, eos_token_id=tokenizer.eos_token_id,
                                pad_token_id=tokenizer.pad_token_id),
        audio_token_index=tokenizer.added_tokens_encoder["<|AUDIO|>"],
    )
    model = Qwen2AudioForConditionalGeneration(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    processor.save_pretrained(out_dir)
    return out_dir


def build_tiny_model(out_dir: Path, family: str = "speech-llm", seed: int = 0) -> Path:
    """Build a tiny model of ``family`` (see :data:`FAMILIES`) in ``out_dir``."""
    if family == "speech-llm":
        return build_tiny_speech_llm(out_dir, seed)
    if family == "qwen2-audio":
        return build_tiny_qwen2_audio(out_dir, seed)
    raise ValueError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")



