"""Feedback documents as the daemon makes them (its own pydantic models), for the add-on's tests."""

from __future__ import annotations

from typing import Any

from inference_daemon.feedback import ErrorType, FeedbackDocument, PhoneError, WordFeedback, WordStatus


def daemon_document(**changes: Any) -> dict[str, Any]:
    """For "I think so.": "think" mispronounced, "so" missing; ``changes`` replace top-level fields."""
    words = [
        WordFeedback(index=0, text="I", score=96, status=WordStatus.ok, expected_phones=["AY"]),
        WordFeedback(index=1, text="think", score=31, status=WordStatus.mispronounced,
                     expected_phones=["TH", "IH", "NG", "K"], heard_phones=["S", "IH", "NG", "K"],
                     errors=[PhoneError(type=ErrorType.substitution, expected="TH", heard="S", position=0)],
                     explanation="You said /s/ instead of /θ/.", suggestion="Put your tongue between your teeth."),
        WordFeedback(index=2, text="so", score=0, status=WordStatus.missing, expected_phones=["S", "OW"]),
    ]
    doc = FeedbackDocument(request_id="r1", text="I think so.", backend="phonetic", model="m", duration_s=1.2,
                           processing_s=0.1, score=64, words=words, summary="Mind the th.",
                           suggestions=["Practise /θ/."])
    return {**doc.model_dump(mode="json"), **changes}


def stress_document(**changes: Any) -> dict[str, Any]:
    """For "I like bananas.": "bananas" said with every sound right but stressed on the first syllable.

    Built as JSON, the way the add-on receives it, and checked against the daemon's own model so that
    the two sides of the contract cannot drift apart.
    """
    data = daemon_document(text="I like bananas.", score=82, summary="Mind the stress of bananas.", suggestions=[])
    bananas = ["B", "AH", "N", "AE", "N", "AH", "Z"]
    data["words"] = [
        data["words"][0],
        {"index": 1, "text": "like", "score": 94, "status": "ok", "expected_phones": ["L", "AY", "K"],
         "heard_phones": ["L", "AY", "K"], "errors": []},
        {"index": 2, "text": "bananas", "score": 58, "status": "mispronounced", "expected_phones": bananas,
         "expected_stress": "010", "heard_phones": bananas,
         "errors": [{"type": "stress", "expected": "AE", "heard": "AH", "position": 3, "stressed_position": 1}],
         "explanation": "You stressed the first syllable: BA-na-nas.",
         "suggestion": "Stress the second syllable: ba-NA-nas."},
    ]
    document = {**data, **changes}
    FeedbackDocument.model_validate(document)
    return document
