"""The one prompt of the audio-language models, shared by inference, dataset building and tuning.

Serving (the ``alm`` and ``openai`` backends), the dataset tools and the tuning tools all build the
conversation and the expected answer here, so a tuned model is always asked exactly what it was
trained on. A prompt is a system message plus one user turn holding the recording and the
instruction; each model family places the recording its own way (see :data:`AUDIO_PLACEHOLDER`).

Besides the project's own prompt (:attr:`PromptStyle.project`), the paper's prompts can be chosen
(:mod:`inference_daemon.backends.alm.paper_prompts`): the one its speech LLM was tuned with and
the zero-shot prompts of its Qwen2-Audio and GPT-4o runs, for figures comparable with the paper's.
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


class PromptStyle(str, Enum):
    """Whose words ask the question: the project's prompt, or one of the paper's."""

    project = "project"
    paper_tuned = "paper-tuned"
    """What the paper's speech LLM was tuned with (and asked at inference)."""
    paper_qwen2_audio = "paper-qwen2-audio"
    """The paper's zero-shot prompt for Qwen2-Audio: a one-shot worked example, the recording last."""
    paper_gpt4o = "paper-gpt4o"
    """The paper's zero-shot prompt for GPT-4o audio: the worked example comes with its own recording."""


#: ``--prompt-style`` values: the styles, and ``paper`` for the paper's prompt of the model's family.
PROMPT_STYLE_CHOICES = ("paper", *(style.value for style in PromptStyle))

#: Where a worked example's recording goes in a prompt's ``preamble`` (the paper's GPT-4o prompt).
EXAMPLE_PLACEHOLDER = "<|example-recording|>"


@dataclass(frozen=True)
class Prompt:
    """The conversation for one recording: ``preamble`` (if any), the recording, then ``instruction``.

    The project's prompt opens the user turn with the recording; the paper's put text before it.
    ``system`` None leaves the system message out (the paper's stage-1 prompts have none).
    """

    system: str | None
    instruction: str
    answer_format: AnswerFormat
    preamble: str | None = None

    @property
    def needs_example_recording(self) -> bool:
        return self.preamble is not None and EXAMPLE_PLACEHOLDER in self.preamble

    def _system_messages(self) -> list[dict[str, Any]]:
        return [] if self.system is None else [{"role": "system", "content": self.system}]

    def chat_messages(self, audio_part: dict[str, Any],
                      example_part: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """OpenAI/transformers-style messages, with ``audio_part`` as the recording's content part.

        ``example_part`` is the worked example's recording, for prompts that have one.
        """
        content: list[dict[str, Any]] = []
        if self.preamble is not None:
            before, marker, after = self.preamble.partition(EXAMPLE_PLACEHOLDER)
            content.append({"type": "text", "text": before})
            if marker:
                if example_part is None:
                    raise ValueError("this prompt needs the worked example's recording")
                content += [example_part, {"type": "text", "text": after}]
        content += [audio_part, {"type": "text", "text": self.instruction}]
        return [*self._system_messages(), {"role": "user", "content": content}]

    def chat_messages_with_placeholder(self) -> list[dict[str, str]]:
        """Plain-text messages with :data:`AUDIO_PLACEHOLDER` where the recording goes (speech LLM)."""
        if self.needs_example_recording:
            raise ValueError("a speech LLM takes one recording; this prompt needs a worked example's too")
        user = (f"{AUDIO_PLACEHOLDER}\n{self.instruction}" if self.preamble is None
                else f"{self.preamble}{AUDIO_PLACEHOLDER}{self.instruction}")
        return [*self._system_messages(), {"role": "user", "content": user}]


def build_prompt(sentence: str, answer_format: AnswerFormat, native_language: str | None = None,
                 style: PromptStyle = PromptStyle.project) -> Prompt:
    """The prompt for a learner's reading of ``sentence`` (already validated).

    The paper's prompts ask for the text format and know no first language: ``native_language`` is
    left out, and any other format is refused (ValueError).
    """
    if style is not PromptStyle.project:
        from inference_daemon.backends.alm.paper_prompts import paper_prompt

        return paper_prompt(sentence, answer_format, style)
    lines = [f"Ground Truth: {sentence}"]
    if native_language:
        lines.append(f"The learner's first language (ISO 639-1): {native_language}.")
    lines.append(_FORMAT_INSTRUCTIONS[answer_format])
    return Prompt(system=SYSTEM_PROMPT, instruction="\n".join(lines), answer_format=answer_format)


def resolve_prompt_style(value: str, family: str) -> PromptStyle:
    """A ``--prompt-style`` value for a model family: ``paper`` is the paper's prompt for that family.

    The paper tuned its speech LLM with one prompt and ran Qwen2-Audio and GPT-4o (an
    OpenAI-compatible server here) zero-shot with others.
    """
    if value != "paper":
        return PromptStyle(value)
    return {"speech-llm": PromptStyle.paper_tuned, "qwen2-audio": PromptStyle.paper_qwen2_audio,
            "openai": PromptStyle.paper_gpt4o}[family]


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
