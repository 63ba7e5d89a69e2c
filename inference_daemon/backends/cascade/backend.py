"""The ``cascade`` backend: a speech recogniser transcribes, a text LLM compares and explains (the paper's baseline).

Per request: the recogniser's transcript (:mod:`.asr`), aligned with the target sentence word by
word and phone by phone (:mod:`.word_alignment`). Without an LLM the alignment is the verdict, with
the phonetics knowledge base's explanations and suggestions. With an LLM (:mod:`.llm`), the LLM
gets the sentence, the normalised transcript and the alignment (:mod:`.prompt`) and answers in the
``alm`` answer format, validated by the same parser; an invalid answer is a 502 with the raw text
logged. Either way the words carry the recogniser's timings where it gave them.

A recogniser trained to write correct words hides many mispronunciations (it hears the word the
learner meant): see ``docs/cascade.md``.
"""

from __future__ import annotations

import argparse
import logging
import os

from inference_daemon.backends.alm.document import build_document, phone_errors
from inference_daemon.backends.alm.prompt import AnswerFormat, parse_answer
from inference_daemon.backends.base import AssessmentRequest, Backend, BackendInfo
from inference_daemon.backends.cascade.asr import (
    CTranslate2Recognizer,
    LocalRecognizer,
    SpeechRecognizer,
    TranscriptionServer,
    is_ctranslate2_whisper,
)
from inference_daemon.backends.cascade.llm import ChatModel, ChatServer, LocalChatModel
from inference_daemon.backends.cascade.prompt import build_messages
from inference_daemon.backends.cascade.transcript import Transcript
from inference_daemon.backends.cascade.word_alignment import Alignment, Insertion, WordAlignment, align_words
from inference_daemon.errors import InvalidModelOutput
from inference_daemon.feedback import FeedbackDocument, WordFeedback, WordStatus
from inference_daemon.phonetics import advise_word, summarize
from inference_daemon.pronunciation import target_words
from inference_daemon.pronunciation.stress import shown_stress

log = logging.getLogger(__name__)

VERSION = "1"
NOTHING_HEARD_WARNING = "The speech recogniser heard no words in the recording, so every word is marked missing."
ASR_API_KEY_VARIABLE = "PRONUNCIATION_COACH_ASR_API_KEY"
LLM_API_KEY_VARIABLE = "PRONUNCIATION_COACH_LLM_API_KEY"


class CascadeBackend(Backend):
    """Speech recogniser + word alignment (+ optional text LLM)."""

    name = "cascade"

    def __init__(self, recognizer: SpeechRecognizer, chat_model: ChatModel | None = None,
                 answer_format: AnswerFormat = AnswerFormat.json) -> None:
        self.recognizer = recognizer
        self.chat_model = chat_model
        self.answer_format = answer_format
        self._loaded = False

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("cascade backend (speech recogniser + optional LLM)")
        group.add_argument("--asr-model", required=True,
                           help="transformers speech-recognition checkpoint (PATH_OR_ID, e.g. "
                                "openai/whisper-small.en), a CTranslate2 Whisper folder, or tiny.en for the "
                                "Whisper bundled with the daemon (offline, CPU); with --asr-url, the model name "
                                "sent to that server")
        group.add_argument("--asr-url", default=None,
                           help="OpenAI-compatible server root (e.g. http://127.0.0.1:8000/v1) to transcribe "
                                "with instead of a local checkpoint; API key from $" + ASR_API_KEY_VARIABLE)
        group.add_argument("--llm-model", default=None,
                           help="LLM: the model name on --llm-url, or a local transformers causal LM "
                                "(PATH_OR_ID); without it the alignment alone gives the feedback")
        group.add_argument("--llm-url", default=None,
                           help="OpenAI-compatible server root (Ollama: http://127.0.0.1:11434/v1); "
                                "API key from $" + LLM_API_KEY_VARIABLE)
        group.add_argument("--llm-answer-format", choices=[f.value for f in AnswerFormat],
                           default=AnswerFormat.json.value,
                           help="json: the feedback fields, schema-constrained (default); text: the paper's "
                                "'word: ... issue: ... suggestion: ...' lines")
        group.add_argument("--device", default="auto", help="torch device of local models: auto, cpu, cuda, cuda:1")
        group.add_argument("--asr-max-new-tokens", type=int, default=128,
                           help="longest transcript a local Whisper may write, in tokens")
        group.add_argument("--llm-max-new-tokens", type=int, default=1024, help="longest LLM answer, in tokens")
        group.add_argument("--server-timeout", type=float, default=60.0,
                           help="seconds to wait for an ASR or LLM server (default: %(default)s)")

    @classmethod
    def from_arguments(cls, args: argparse.Namespace) -> CascadeBackend:
        recognizer: SpeechRecognizer
        if args.asr_url:
            recognizer = TranscriptionServer(args.asr_url, args.asr_model, os.environ.get(ASR_API_KEY_VARIABLE),
                                             args.server_timeout)
        elif is_ctranslate2_whisper(args.asr_model):
            recognizer = CTranslate2Recognizer(args.asr_model)
        else:
            recognizer = LocalRecognizer(args.asr_model, args.device, args.asr_max_new_tokens)
        chat_model: ChatModel | None = None
        if args.llm_url:
            if not args.llm_model:
                raise ValueError("--llm-url needs --llm-model, the model name on that server")
            chat_model = ChatServer(args.llm_url, args.llm_model, os.environ.get(LLM_API_KEY_VARIABLE),
                                    args.server_timeout, args.llm_max_new_tokens)
        elif args.llm_model:
            chat_model = LocalChatModel(args.llm_model, args.device, args.llm_max_new_tokens)
        return cls(recognizer, chat_model, AnswerFormat(args.llm_answer_format))

    @property
    def loaded(self) -> bool:
        return self._loaded

    def load(self) -> None:
        target_words("warm up the lexicon")
        self.recognizer.load()
        if self.chat_model is not None:
            self.chat_model.load()
        self._loaded = True

    @property
    def model(self) -> str:
        llm = f" + {self.chat_model.model}" if self.chat_model is not None else ""
        return f"{self.recognizer.model}{llm}"

    def describe(self) -> BackendInfo:
        return BackendInfo(
            name=self.name,
            model=self.model,
            version=VERSION,
            device=self.recognizer.device,
            details={
                "asr": self.recognizer.model,
                "llm": self.chat_model.model if self.chat_model is not None else None,
                "answer_format": self.answer_format.value if self.chat_model is not None else None,
                "limits": "judges words from a transcript: mispronunciations the recogniser still "
                          "understood are not detected",
            },
        )

    def assess(self, request: AssessmentRequest) -> FeedbackDocument:
        transcript = self.recognizer.transcribe(request.audio)
        targets = target_words(request.text)
        alignment = align_words(targets, transcript.pronounced_words())
        log.info("request %s: heard %r", request.request_id, transcript.text)
        if self.chat_model is None:
            return self._alignment_document(request, transcript, alignment)
        return self._llm_document(request, transcript, alignment, self.chat_model)

    def _alignment_document(self, request: AssessmentRequest, transcript: Transcript,
                            alignment: Alignment) -> FeedbackDocument:
        words = [self._word_feedback(word, transcript, request.native_language) for word in alignment.words]
        score = round(sum(word.score for word in words) / len(words), 1)
        summary, suggestions = summarize(words, score, request.native_language)
        extra = _insertions_sentence(alignment)
        return FeedbackDocument(
            request_id=request.request_id, text=request.text, backend=self.name, model=self.model,
            duration_s=request.duration_s, processing_s=0.0, score=score, words=words,
            summary=f"{summary} {extra}" if extra else summary,
            suggestions=suggestions, warnings=_warnings(transcript),
        )

    def _word_feedback(self, word: WordAlignment, transcript: Transcript, native_language: str | None) -> WordFeedback:
        start, end = _times(word, transcript)
        expected = word.target.phones
        explanation = suggestion = None
        if word.status is not WordStatus.ok:
            heard_note = (f"The recogniser heard “{' '.join(word.heard_tokens)}”." if word.heard_tokens
                          else "The recogniser heard nothing for this word.")
            advice, suggestion = advise_word(word.target.text, expected, list(word.errors), native_language)
            if word.status is WordStatus.missing and advice:
                explanation = advice  # "'x' was not heard...": the heard note would say it twice
            else:
                explanation = f"{heard_note} {advice}" if advice else heard_note
        return WordFeedback(
            index=word.target.index, text=word.target.text, start=start, end=end,
            score=_word_score(word), status=word.status, expected_phones=expected,
            expected_stress=shown_stress(word.target.tokens, expected),
            heard_phones=list(word.heard_phones), errors=list(word.errors),
            explanation=explanation, suggestion=suggestion,
        )

    def _llm_document(self, request: AssessmentRequest, transcript: Transcript, alignment: Alignment,
                      chat_model: ChatModel) -> FeedbackDocument:
        messages = build_messages(request.text, transcript.normalized(), alignment, self.answer_format,
                                  request.native_language)
        raw = chat_model.complete(messages, request.text, self.answer_format)
        try:
            answer = parse_answer(raw, self.answer_format)
        except InvalidModelOutput:
            log.warning("request %s: invalid LLM answer: %r", request.request_id, raw)
            raise
        built = build_document(answer, request.text, backend=self.name, model=self.model,
                               request_id=request.request_id, duration_s=request.duration_s)
        if built.dropped_words:
            log.info("request %s: the LLM named words not in the sentence: %s", request.request_id,
                     ", ".join(built.dropped_words))
        words = [
            _with_alignment_evidence(word, aligned, transcript)
            for word, aligned in zip(built.document.words, alignment.words, strict=True)
        ]
        return built.document.model_copy(update={"words": words, "warnings": _warnings(transcript)})


def _with_alignment_evidence(word: WordFeedback, aligned: WordAlignment, transcript: Transcript) -> WordFeedback:
    """The LLM's verdict on a word, with the recogniser's timing, and the alignment's phones where it gave none."""
    start, end = _times(aligned, transcript)
    update: dict[str, object] = {"start": start, "end": end}
    if word.heard_phones is None and aligned.status is not WordStatus.missing:
        update["heard_phones"] = list(aligned.heard_phones)
        if word.status is WordStatus.mispronounced:
            update["errors"] = phone_errors(word.expected_phones, list(aligned.heard_phones))
    return word.model_copy(update=update)


def _times(word: WordAlignment, transcript: Transcript) -> tuple[float | None, float | None]:
    heard = [transcript.words[index] for index in word.heard_words]
    starts = [w.start for w in heard if w.start is not None]
    ends = [w.end for w in heard if w.end is not None]
    return (min(starts) if starts else None), (max(ends) if ends else None)


def _word_score(word: WordAlignment) -> float:
    """100 for a word heard as expected, 0 for one not heard, else the share of expected phones kept."""
    if word.status is WordStatus.ok:
        return 100.0
    if word.status is WordStatus.missing:
        return 0.0
    return round(100.0 * max(0.0, 1.0 - len(word.errors) / max(len(word.target.phones), 1)), 1)


def _insertions_sentence(alignment: Alignment) -> str:
    """ 'Also heard: “um” before “cat”.' for words the learner added, or ""."""
    if not alignment.insertions:
        return ""
    texts = [word.target.text for word in alignment.words]
    return "Also heard: " + "; ".join(_insertion_phrase(insertion, texts) for insertion in alignment.insertions) + "."


def _insertion_phrase(insertion: Insertion, texts: list[str]) -> str:
    heard = " ".join(insertion.tokens)
    where = f"before “{texts[insertion.before]}”" if insertion.before < len(texts) else "at the end"
    return f"“{heard}” {where}"


def _warnings(transcript: Transcript) -> list[str]:
    return [] if transcript.words else [NOTHING_HEARD_WARNING]
