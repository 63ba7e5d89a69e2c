"""Tiny corpora in the published layouts (L2-ARCTIC, L2-Arctic-plus, speechocean762), built by tests.

No corpus can be downloaded here, so the dataset tools are tested on folders these helpers write:
real espeak-ng audio, TextGrids in Praat's long text format with every kind of error tag.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from tests.support.audio_files import espeak_wav

# (word, [(phone label, duration s)]): the labels are what an L2-ARCTIC annotator writes.
Word = tuple[str, Sequence[tuple[str, float]]]


def textgrid_long(tiers: dict[str, list[tuple[float, float, str]]]) -> str:
    """A TextGrid in Praat's long text format."""
    end = max(interval[1] for intervals in tiers.values() for interval in intervals)
    lines = ['File type = "ooTextFile"', 'Object class = "TextGrid"', "", "xmin = 0 ", f"xmax = {end} ",
             "tiers? <exists> ", f"size = {len(tiers)} ", "item []: "]
    for number, (name, intervals) in enumerate(tiers.items(), 1):
        lines += [f"    item [{number}]:", '        class = "IntervalTier" ', f'        name = "{name}" ',
                  "        xmin = 0 ", f"        xmax = {end} ", f"        intervals: size = {len(intervals)} "]
        for index, (start, stop, text) in enumerate(intervals, 1):
            escaped = text.replace('"', '""')
            lines += [f"        intervals [{index}]:", f"            xmin = {start} ", f"            xmax = {stop} ",
                      f'            text = "{escaped}" ']
    return "\n".join(lines) + "\n"


def annotation_textgrid(words: Sequence[Word], pause: float = 0.2) -> str:
    """Word and phone tiers for the given words, with pauses (and their own phones) between words."""
    word_tier: list[tuple[float, float, str]] = [(0.0, pause, "")]
    phone_tier: list[tuple[float, float, str]] = [(0.0, pause, "sil")]
    time = pause
    for text, phones in words:
        start = time
        for label, duration in phones:
            phone_tier.append((round(time, 3), round(time + duration, 3), label))
            time += duration
        word_tier.append((round(start, 3), round(time, 3), text))
        word_tier.append((round(time, 3), round(time + pause, 3), ""))
        phone_tier.append((round(time, 3), round(time + pause, 3), "sil"))
        time += pause
    return textgrid_long({"words": word_tier, "phones": phone_tier})


def write_l2arctic_speaker(root: Path, speaker: str, utterances: dict[str, tuple[str, Sequence[Word]]]) -> Path:
    """One speaker folder: wav/ (espeak), transcript/, annotation/ TextGrids."""
    folder = root / speaker
    for sub in ("wav", "transcript", "annotation", "textgrid"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for utterance_id, (sentence, words) in utterances.items():
        espeak_wav(sentence, folder / "wav" / f"{utterance_id}.wav")
        (folder / "transcript" / f"{utterance_id}.txt").write_text(sentence + "\n", encoding="utf-8")
        (folder / "annotation" / f"{utterance_id}.TextGrid").write_text(annotation_textgrid(words), encoding="utf-8")
    return folder


def write_speechocean(root: Path, utterances: dict[str, tuple[str, str, list[dict[str, object]]]]) -> Path:
    """speechocean762 layout: train/{text,wav.scp,utt2spk}, WAVE/SPEAKERxxxx/*.WAV, resource/scores.json.

    ``utterances``: id -> (speaker, sentence, words as in scores.json).
    """
    (root / "train").mkdir(parents=True, exist_ok=True)
    (root / "resource").mkdir(parents=True, exist_ok=True)
    text, wav_scp, utt2spk, scores = [], [], [], {}
    for utterance_id, (speaker, sentence, words) in utterances.items():
        relative = f"WAVE/SPEAKER{speaker}/{utterance_id}.WAV"
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        espeak_wav(sentence.lower(), root / relative)
        text.append(f"{utterance_id} {sentence}")
        wav_scp.append(f"{utterance_id} {relative}")
        utt2spk.append(f"{utterance_id} {speaker}")
        scores[utterance_id] = {"accuracy": 8, "fluency": 8, "prosodic": 8, "total": 8, "text": sentence,
                                "words": words}
    (root / "train" / "text").write_text("\n".join(text) + "\n")
    (root / "train" / "wav.scp").write_text("\n".join(wav_scp) + "\n")
    (root / "train" / "utt2spk").write_text("\n".join(utt2spk) + "\n")
    (root / "resource" / "scores.json").write_text(json.dumps(scores))
    return root
