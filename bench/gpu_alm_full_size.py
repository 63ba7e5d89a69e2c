"""Latency, tokens per second and memory of the full-size ``alm`` models on a GPU, with random weights.

No weights can be downloaded, so the models are built from the real architectures' configurations
(written out below) with random weights in bfloat16, directly on the GPU, and every answer is
forced to ``--new-tokens`` tokens. Measures one 5 s utterance at batch 1 (p50/p95 over
``--repeats``) and a batch of 8. Without a CUDA GPU it says so and exits 0.

    .venv/bin/python bench/gpu_alm_full_size.py [--family qwen2-audio|speech-llm] [--new-tokens 150]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any

import numpy as np

# Published configurations (hidden sizes, layers, heads, vocabularies) of the models the paper uses.
QWEN2_AUDIO_7B: dict[str, Any] = {
    "audio": {"d_model": 1280, "encoder_layers": 32, "encoder_attention_heads": 20, "encoder_ffn_dim": 5120,
              "num_mel_bins": 128, "max_source_positions": 1500},
    "text": {"vocab_size": 156032, "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
             "num_attention_heads": 32, "num_key_value_heads": 32, "max_position_embeddings": 8192,
             "rope_theta": 10000.0},
    "audio_token_index": 151646,
}
WHISPER_LARGE_V3_ENCODER: dict[str, Any] = {"d_model": 1280, "encoder_layers": 32, "encoder_attention_heads": 20,
                            "encoder_ffn_dim": 5120, "num_mel_bins": 128, "max_source_positions": 1500}
LLAMA_31_8B: dict[str, Any] = {
    "vocab_size": 128256, "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
    "num_attention_heads": 32, "num_key_value_heads": 8, "max_position_embeddings": 131072, "rope_theta": 500000.0,
    "tie_word_embeddings": False,
}


def build(family: str) -> tuple[Any, Any]:
    """(model on cuda in bfloat16 with random weights, function(batch) -> generate kwargs)."""
    import torch
    from transformers import (
        LlamaConfig,
        LlamaForCausalLM,
        Qwen2AudioConfig,
        Qwen2AudioEncoderConfig,
        Qwen2AudioForConditionalGeneration,
        Qwen2Config,
        WhisperConfig,
    )
    from transformers.models.whisper.modeling_whisper import WhisperEncoder

    torch.set_default_dtype(torch.bfloat16)
    rng = np.random.default_rng(0)
    with torch.device("cuda"):
        if family == "qwen2-audio":
            config = Qwen2AudioConfig(audio_config=Qwen2AudioEncoderConfig(**QWEN2_AUDIO_7B["audio"]),
                                      text_config=Qwen2Config(**QWEN2_AUDIO_7B["text"]),
                                      audio_token_index=QWEN2_AUDIO_7B["audio_token_index"])
            model = Qwen2AudioForConditionalGeneration(config).eval()

            def inputs(batch: int) -> dict[str, Any]:
                # a 5 s clip: 125 audio tokens inside a ~120-token prompt
                audio_tokens, text_tokens = 125, 120
                ids = torch.tensor(rng.integers(0, 150000, (batch, text_tokens + audio_tokens)))
                ids[:, 20:20 + audio_tokens] = config.audio_token_index
                mask = torch.zeros(batch, 3000, dtype=torch.long)
                mask[:, :500] = 1
                return {"input_ids": ids, "attention_mask": torch.ones_like(ids),
                        "input_features": torch.randn(batch, 128, 3000), "feature_attention_mask": mask}
        else:
            encoder = WhisperEncoder(WhisperConfig(**WHISPER_LARGE_V3_ENCODER)).eval()
            llm = LlamaForCausalLM(LlamaConfig(**LLAMA_31_8B)).eval()
            projector = torch.nn.Sequential(torch.nn.Linear(1280, 4096), torch.nn.GELU(), torch.nn.Linear(4096, 4096))

            def inputs(batch: int) -> dict[str, Any]:
                states = encoder(torch.randn(batch, 128, 3000)).last_hidden_state
                pooled = torch.nn.functional.adaptive_avg_pool1d(states.transpose(1, 2), 300).transpose(1, 2)
                text = llm.get_input_embeddings()(torch.tensor(rng.integers(0, 128000, (batch, 120))))
                embeds = torch.cat([text[:, :20], projector(pooled), text[:, 20:]], dim=1)
                return {"inputs_embeds": embeds, "attention_mask": torch.ones(embeds.shape[:2], dtype=torch.long)}

            model = llm
    return model, inputs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", choices=["qwen2-audio", "speech-llm"], default="qwen2-audio")
    parser.add_argument("--new-tokens", type=int, default=150)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        print("torch is not installed (bash tools/bootstrap.sh --alm); nothing to measure")
        return 0
    if not torch.cuda.is_available():
        print("no CUDA GPU here: this benchmark measures full-size models on a GPU and has nothing to do on CPU")
        return 0
    began = time.perf_counter()
    model, inputs = build(args.family)
    torch.cuda.synchronize()
    parameters = sum(p.numel() for p in model.parameters())
    print(f"{args.family}: {parameters / 1e9:.2f} B parameters (random, bfloat16) built in "
          f"{time.perf_counter() - began:.0f} s on {torch.cuda.get_device_name()}")

    def generate(batch: int) -> float:
        torch.cuda.synchronize()
        start = time.perf_counter()
        with torch.no_grad():
            model.generate(**inputs(batch), max_new_tokens=args.new_tokens, min_new_tokens=args.new_tokens,
                           do_sample=False, pad_token_id=0)
        torch.cuda.synchronize()
        return time.perf_counter() - start

    generate(1)  # warm-up
    torch.cuda.reset_peak_memory_stats()
    latencies = sorted(generate(1) for _ in range(args.repeats))
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    print(f"batch 1, 5 s utterance, {args.new_tokens} new tokens: p50 {statistics.median(latencies):.2f} s, "
          f"p95 {p95:.2f} s, {args.new_tokens / statistics.median(latencies):.0f} tokens/s, "
          f"peak memory {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")
    torch.cuda.reset_peak_memory_stats()
    batched = generate(8)
    print(f"batch 8: {batched:.2f} s, {8 * args.new_tokens / batched:.0f} tokens/s, "
          f"peak memory {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
