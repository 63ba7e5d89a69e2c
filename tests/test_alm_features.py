"""The speech LLM's Whisper features, computed over the recording only, equal the feature extractor's."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

import torch
from transformers import WhisperFeatureExtractor

from inference_daemon.backends.alm.whisper_features import whisper_features
from tests.alm_support.models import speech_samples

CPU = torch.device("cpu")
HOP = 160  # samples per frame


def noise(samples: int, seed: int = 0) -> np.ndarray:
    return (0.1 * np.random.default_rng(seed).standard_normal(samples)).astype(np.float32)


def reference(extractor: WhisperFeatureExtractor, audios: list[np.ndarray]) -> torch.Tensor:
    return extractor(audios, sampling_rate=16_000, return_tensors="pt").input_features


@pytest.mark.parametrize("mel_bins", [80, 128])
@pytest.mark.parametrize("samples", [1, HOP - 1, HOP + 1, 400, 16_000 * 5 + 37, 16_000 * 30 - 100, 16_000 * 30])
def test_features_equal_the_extractors_on_noise_of_any_length(mel_bins: int, samples: int) -> None:
    extractor = WhisperFeatureExtractor(feature_size=mel_bins)
    audio = noise(samples)
    ours = whisper_features(extractor, [audio], CPU)
    expected = reference(extractor, [audio])
    assert ours.shape == expected.shape == (1, mel_bins, 3000)
    torch.testing.assert_close(ours, expected, rtol=0, atol=1e-6)


def test_a_batch_of_speech_and_noise_equals_the_extractor_and_each_item_alone() -> None:
    extractor = WhisperFeatureExtractor(feature_size=80)
    audios = [speech_samples(), noise(16_000 * 3, seed=1), speech_samples()[:4_000], np.zeros(8_000, np.float32)]
    batch = whisper_features(extractor, audios, CPU)
    torch.testing.assert_close(batch, reference(extractor, audios), rtol=0, atol=1e-6)
    for row, audio in enumerate(audios):
        assert torch.equal(batch[row], whisper_features(extractor, [audio], CPU)[0])


def test_recordings_over_the_window_are_cut_like_the_extractor_cuts_them() -> None:
    extractor = WhisperFeatureExtractor(feature_size=80)
    audio = noise(16_000 * 31)
    torch.testing.assert_close(whisper_features(extractor, [audio], CPU), reference(extractor, [audio]),
                               rtol=0, atol=1e-6)


def test_a_dithering_or_other_rate_extractor_is_refused() -> None:
    with pytest.raises(ValueError, match="dither"):
        whisper_features(WhisperFeatureExtractor(feature_size=80, dither=1e-5), [noise(1_000)], CPU)
    with pytest.raises(ValueError, match="Hz"):
        whisper_features(WhisperFeatureExtractor(feature_size=80, sampling_rate=8_000), [noise(1_000)], CPU)
