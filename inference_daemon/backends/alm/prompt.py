"""The one prompt of the audio-language models, shared by inference, dataset building and tuning.

Serving (the ``alm`` and ``openai`` backends), the dataset tools and the tuning tools all build the
conversation and the expected answer here, so a tuned model is always asked exactly what it was
trained on. A prompt is a system message plus one user turn holding the recording and the
instruction; each model family places the recording its own way (see :data:`AUDIO_PLACEHOLDER`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from inference_daemon.backends.alm.answers import (
    ParsedAnswer,
    answer_json_schema,
    parse_json_answer,
    parse_text_answer,
)

#: Where the recording goes in the user turn, for families that splice audio embeddings into text.
AUDIO_PLACEHOLDER = "<|recording|>"

#: The schema's name in :func:`openai_response_format`.
RESPONSE_SCHEMA_NAME = "pronunciation_feedback"

SYSTEM_PROMPT = (
    "You are a pronunciation teacher for learners of English. You listen to a learner reading a "
    "sentence aloud and point out each word they mispronounced, naming the sounds in ARPAbet."
)


class AnswerFormat(str, Enum):
    """How the model writes its answer."""

    json = "json"
    text = "text"


_FORMAT_INSTRUCTIONS = {
    AnswerFormat.json: (
        "Answer with one JSON object: the overall score from 0 to 100, the words with a problem in "
        "sentence order (each with its status, score, the ARPAbet phones you heard, an explanation of "
        "the issue and a suggestion), and a one-sentence summary."
    ),
    AnswerFormat.text: (
        "For each mispronounced word write one line 'word: <word> issue: <what was wrong, in ARPAbet> "
        "suggestion: <how to fix it>'. If every word was pronounced well, answer exactly 'No Problem'."
    ),
}


@dataclass(frozen=True)
class Prompt:
    """The conversation for one recording: the recording comes first in the user turn, then ``instruction``."""

    system: str
    instruction: str
    answer_format: AnswerFormat

    def chat_messages(self, audio_part: dict[str, Any]) -> list[dict[str, Any]]:
        """OpenAI/transformers-style messages, with ``audio_part`` as the recording's content part."""
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": [audio_part, {"type": "text", "text": self.instruction}]},
        ]

    def chat_messages_with_placeholder(self) -> list[dict[str, str]]:
        """Plain-text messages with :data:`AUDIO_PLACEHOLDER` where the recording goes (speech LLM)."""
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": f"{AUDIO_PLACEHOLDER}\n{self.instruction}"},
        ]


def build_prompt(sentence: str, answer_format: AnswerFormat, native_language: str | None = None) -> Prompt:
    """The prompt for a learner's reading of ``sentence`` (already validated)."""
    lines = [f"Ground Truth: {sentence}"]
    if native_language:
        lines.append(f"The learner's first language (ISO 639-1): {native_language}.")
    lines.append(_FORMAT_INSTRUCTIONS[answer_format])
    return Prompt(system=SYSTEM_PROMPT, instruction="\n".join(lines), answer_format=answer_format)


def response_schema(sentence: str) -> dict[str, Any]:
    """JSON Schema that constrains a ``json`` answer about ``sentence``."""
    return answer_json_schema(sentence)


def openai_response_format(sentence: str) -> dict[str, Any]:
    """The ``response_format`` that has an OpenAI-compatible server constrain a ``json`` answer about ``sentence``."""
    return {
        "type": "json_schema",
        "json_schema": {"name": RESPONSE_SCHEMA_NAME, "schema": response_schema(sentence), "strict": True},
    }


def parse_answer(raw: str, answer_format: AnswerFormat) -> ParsedAnswer:
    """Parse a model's answer; raises :class:`~inference_daemon.errors.InvalidModelOutput` when invalid."""
    return parse_json_answer(raw) if answer_format is AnswerFormat.json else parse_text_answer(raw)
