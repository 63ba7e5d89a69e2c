"""Training examples: a recording, the prompt the daemon would send for it, and the answer to learn.

One example per utterance and answer format. The prompt comes from the ``alm`` backend's prompt
module exactly as serving builds it, so a model is tuned on the conversation it will be asked.
With the paper's tuning prompt (``PromptStyle.paper_tuned``, ``--preset paper``) the answer is laid
out as in the paper's fine-tuning data (:func:`~inference_daemon.training.targets.paper_text_target`).
``write_examples`` also stores the examples as chat messages (JSON lines, the recording marked by
the prompt module's placeholder) for other tuning frameworks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference_daemon.backends.alm.prompt import AUDIO_PLACEHOLDER, AnswerFormat, Prompt, PromptStyle, build_prompt
from inference_daemon.training.dataset_file import DatasetItem
from inference_daemon.training.targets import paper_text_target, target


@dataclass(frozen=True)
class TrainingExample:
    example_id: str
    audio_path: str
    sentence: str
    native_language: str | None
    answer_format: AnswerFormat
    answer: str
    prompt_style: PromptStyle = PromptStyle.project

    @property
    def prompt(self) -> Prompt:
        return build_prompt(self.sentence, self.answer_format, self.native_language, self.prompt_style)

    def chat_record(self) -> dict[str, Any]:
        """The example as chat messages with the recording's placeholder, plus the audio path."""
        messages = [*self.prompt.chat_messages_with_placeholder(), {"role": "assistant", "content": self.answer}]
        return {"id": self.example_id, "audio": self.audio_path, "audio_placeholder": AUDIO_PLACEHOLDER,
                "answer_format": self.answer_format.value, "prompt_style": self.prompt_style.value,
                "messages": messages}


def training_examples(items: Iterable[DatasetItem], formats: Sequence[AnswerFormat] = tuple(AnswerFormat),
                      native_language_in_prompt: bool = True,
                      prompt_style: PromptStyle = PromptStyle.project) -> list[TrainingExample]:
    """One example per item and format; the first language goes into the prompt when known and wanted.

    The paper's prompts know only the text format (ValueError for another) and no first language.
    """
    if prompt_style is not PromptStyle.project and set(formats) != {AnswerFormat.text}:
        raise ValueError("the paper's prompts ask for the text answer format only: --formats text")
    examples = []
    for item in items:
        utterance = item.utterance
        language = item.native_language if native_language_in_prompt else None
        for answer_format in formats:
            if prompt_style is PromptStyle.paper_tuned:
                record = item.record if item.record is not None else utterance.to_release()
                answer = paper_text_target(record.get("mis_exp_sug") or {})
            else:
                answer = target(utterance, item.native_language, answer_format)
            examples.append(TrainingExample(
                example_id=f"{utterance.utterance_id}:{answer_format.value}",
                audio_path=utterance.audio_path,
                sentence=utterance.text,
                native_language=language,
                answer_format=answer_format,
                answer=answer,
                prompt_style=prompt_style,
            ))
    return examples


def write_examples(examples: Iterable[TrainingExample], path: Path) -> int:
    """Write examples as JSON lines of chat messages; returns how many were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for example in examples:
            out.write(json.dumps(example.chat_record(), ensure_ascii=False) + "\n")
            count += 1
    return count
