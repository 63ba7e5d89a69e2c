"""Raw model answers in the paper's inference-output shape, so that any run can be rescored either way.

An answers file is a JSON list of ``{audio_path, text, mis_exp_sug, speculative_mispronunciations}``
(the last being the model's raw answer), which is what the paper's inference scripts write. Records
written here also carry ``utterance_id`` and the annotation (``annotation_info``, and ``words`` for
this project's dataset files), which the project's protocol needs; the paper's protocol reads only
the four fields above.

``speculative_mispronunciations`` is the model's raw answer when the backend answers in the paper's
text format (``alm``/``openai`` with ``--answer-format text``); for any other backend it is the
feedback document written in that format, so its named words and feedback are scored as given.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from inference_daemon.backends.alm.answers import ParsedAnswer, ReportedWord, parse_text_answer, render_text_answer
from inference_daemon.backends.alm.document import build_document
from inference_daemon.datasets.l2arctic_plus import record_to_utterance
from inference_daemon.datasets.records import AnnotatedUtterance
from inference_daemon.errors import InvalidModelOutput
from inference_daemon.evaluation.scoring import Benchmark, score_document
from inference_daemon.feedback import FeedbackDocument

#: Annotation of a word that the answers file marks as mispronounced without saying which phones
#: (a paper answers file carries ``mis_exp_sug`` only): one addition of an unclear phone.
_UNKNOWN_ERROR = "sil, err, a"


def answer_record(record: Mapping[str, Any], raw_answer: str) -> dict[str, Any]:
    """The answers-file entry of one dataset record (release or project shape) and the model's raw answer."""
    entry: dict[str, Any] = {
        "audio_path": record["audio_path"],
        "text": record["text"],
        "mis_exp_sug": record.get("mis_exp_sug") or {},
        "speculative_mispronunciations": raw_answer,
    }
    for key in ("utterance_id", "annotation_info", "words"):
        if key in record:
            entry[key] = record[key]
    return entry


def document_as_text_answer(document: FeedbackDocument) -> str:
    """A feedback document written in the paper's text format (what a text-format model would answer)."""
    return render_text_answer(ParsedAnswer(words=tuple(
        ReportedWord(text=w.text, status="missing" if w.status.value == "missing" else "mispronounced",
                     explanation=w.explanation or "", suggestion=w.suggestion or "")
        for w in document.mispronounced_words
    )))


def read_answers(path: Path) -> list[dict[str, Any]]:
    """An answers file (a JSON list), checked for the four fields of the paper's shape."""
    answers = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(answers, list):
        raise ValueError(f"{path}: expected a JSON list of answers")
    for number, answer in enumerate(answers):
        missing = {"text", "mis_exp_sug", "speculative_mispronunciations"} - set(answer)
        if missing:
            raise ValueError(f"{path}: answer {number} lacks {', '.join(sorted(missing))}")
    return answers


def write_answers(answers: Sequence[Mapping[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(list(answers), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def answer_utterance(answer: Mapping[str, Any], number: int) -> AnnotatedUtterance:
    """The annotated utterance of an answers-file entry; without an annotation, ``mis_exp_sug`` names the errors."""
    record = dict(answer)
    record.setdefault("audio_path", f"answer-{number}")
    record.setdefault("utterance_id", f"{number:05d}-{Path(str(record['audio_path'])).stem}")
    if "annotation_info" not in record and "words" not in record:
        record["annotation_info"] = {word.lower(): [_UNKNOWN_ERROR] for word in answer.get("mis_exp_sug") or {}}
    return record_to_utterance(record)


def score_answers_project(answers: Sequence[Mapping[str, Any]], bertscore_model: Path | None = None
                          ) -> dict[str, Any]:
    """Score raw answers with the project's protocol, as ``run`` scores the ``alm`` backend's text answers.

    An answer the daemon would refuse (text outside the format) counts as a failure that named
    nothing; named words that are not in the sentence are dropped and counted.
    """
    benchmark = Benchmark()
    for number, answer in enumerate(answers):
        utterance = answer_utterance(answer, number)
        try:
            parsed = parse_text_answer(str(answer["speculative_mispronunciations"] or ""))
        except InvalidModelOutput:
            benchmark.add_failure(utterance)
            continue
        built = build_document(parsed, utterance.text, backend="answers", model="answers",
                               request_id=utterance.utterance_id, duration_s=0.0)
        benchmark.add(score_document(utterance, built.document, len(built.dropped_words)))
    return {"summary": {"protocol": "project", **benchmark.summary(bertscore_model)},
            "utterances": [score.to_json() for score in benchmark.scores]}
