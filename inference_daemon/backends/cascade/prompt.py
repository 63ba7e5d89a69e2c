"""What the cascade's LLM is asked: the target, the normalised transcript and the alignment, after one example.

The answer formats are the ``alm`` ones (:mod:`inference_daemon.backends.alm.answers`), so one
parser validates every model's answer; the example answer is written by that module's renderers,
so it is exactly what the parser accepts.
"""

from __future__ import annotations

from inference_daemon.backends.alm.answers import (
    JsonAnswer,
    JsonWord,
    ParsedAnswer,
    ReportedWord,
    render_json_answer,
    render_text_answer,
)
from inference_daemon.backends.alm.prompt import AnswerFormat
from inference_daemon.backends.cascade.word_alignment import Alignment, WordAlignment
from inference_daemon.feedback import ErrorType, PhoneError, WordStatus

SYSTEM_PROMPT = (
    "You are a pronunciation teacher for learners of English. A speech recogniser transcribed a learner "
    "reading a sentence aloud. You compare the transcript with the sentence and point out each word the "
    "learner mispronounced or left out, naming the sounds in ARPAbet. The recogniser tends to write the "
    "intended word even when it was said imperfectly, so a word it heard differently was very likely "
    "mispronounced."
)

_FORMAT_INSTRUCTIONS = {
    AnswerFormat.json: (
        "Answer with one JSON object: the overall score from 0 to 100, the words with a problem in sentence "
        "order, written exactly as in the sentence (each with its status, mispronounced or missing, its score, "
        "the ARPAbet phones heard, an explanation of the issue and a suggestion), and a one-sentence summary."
    ),
    AnswerFormat.text: (
        "For each mispronounced word write one line 'word: <word> issue: <what was wrong, in ARPAbet> "
        "suggestion: <how to fix it>'. If every word was pronounced well, answer exactly 'No Problem'."
    ),
}

_EXAMPLE_SENTENCE = "I think so."
_EXAMPLE_TRANSCRIPT = "i sink so"
_EXAMPLE_ALIGNMENT = (
    '1. "I" (AY): heard as expected\n'
    '2. "think" (TH IH NG K): heard "sink" (S IH NG K); TH heard as S\n'
    '3. "so" (S OW): heard as expected'
)
_EXAMPLE_EXPLANATION = "The TH at the start sounded like S, so think became sink."
_EXAMPLE_SUGGESTION = "Put the tip of your tongue between your teeth and blow gently for TH."
_EXAMPLE_ANSWERS = {
    AnswerFormat.json: render_json_answer(JsonAnswer(
        score=80,
        words=[JsonWord(text="think", status="mispronounced", score=50, heard_phones=["S", "IH", "NG", "K"],
                        explanation=_EXAMPLE_EXPLANATION, suggestion=_EXAMPLE_SUGGESTION)],
        summary="Clear reading; work on the TH sound in think.",
    )),
    AnswerFormat.text: render_text_answer(ParsedAnswer(words=(
        ReportedWord(text="think", status="mispronounced", explanation="TH was said as S",
                     suggestion=_EXAMPLE_SUGGESTION),
    ))),
}


def build_messages(sentence: str, transcript: str, alignment: Alignment, answer_format: AnswerFormat,
                   native_language: str | None = None) -> list[dict[str, str]]:
    """The chat for one reading: system prompt, the worked example, then this reading."""
    example = _user_turn(_EXAMPLE_SENTENCE, _EXAMPLE_TRANSCRIPT, _EXAMPLE_ALIGNMENT, answer_format, None)
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": example},
        {"role": "assistant", "content": _EXAMPLE_ANSWERS[answer_format]},
        {"role": "user", "content": _user_turn(sentence, transcript, describe_alignment(alignment), answer_format,
                                               native_language)},
    ]


def describe_alignment(alignment: Alignment) -> str:
    """One numbered line per target word, then the extra words heard, in plain words and ARPAbet."""
    lines = [f"{word.target.index + 1}. {_describe_word(word)}" for word in alignment.words]
    texts = [word.target.text for word in alignment.words]
    for insertion in alignment.insertions:
        heard = " ".join(insertion.tokens)
        where = f'before "{texts[insertion.before]}"' if insertion.before < len(texts) else "at the end"
        lines.append(f'Extra words heard {where}: "{heard}"')
    return "\n".join(lines)


def _user_turn(sentence: str, transcript: str, alignment: str, answer_format: AnswerFormat,
               native_language: str | None) -> str:
    lines = [
        f"Sentence: {sentence}",
        f"Transcript (lower case, no punctuation, numbers spelled out): {transcript or '(nothing heard)'}",
        "Alignment of the transcript with the sentence:",
        alignment,
    ]
    if native_language:
        lines.append(f"The learner's first language (ISO 639-1): {native_language}.")
    lines.append(_FORMAT_INSTRUCTIONS[answer_format])
    return "\n".join(lines)


def _describe_word(word: WordAlignment) -> str:
    expected = " ".join(word.target.phones)
    head = f'"{word.target.text}" ({expected})'
    if word.status is WordStatus.ok:
        return f"{head}: heard as expected"
    if word.status is WordStatus.missing:
        return f"{head}: not heard"
    heard = f'heard "{" ".join(word.heard_tokens)}" ({" ".join(word.heard_phones)})'
    differences = "; ".join(_describe_error(error) for error in word.errors)
    return f"{head}: {heard}; {differences}" if differences else f"{head}: {heard}"


def _describe_error(error: PhoneError) -> str:
    if error.type is ErrorType.substitution:
        return f"{error.expected} heard as {error.heard}"
    if error.type is ErrorType.deletion:
        return f"{error.expected} not heard"
    return f"extra {error.heard}"
