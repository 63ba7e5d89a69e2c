"""Phonetics knowledge for every backend and the dataset tools: how English sounds are made, why a
learner's sound differed, what to do about it, and how to sum up a reading.

The wording lives in ``knowledge_base.json`` so that teachers can improve it without touching code;
check an edited file with ``python -m inference_daemon.phonetics``.
"""

from inference_daemon.phonetics.advice import Advice, advise_error, advise_word, not_heard_word
from inference_daemon.phonetics.knowledge import (
    PHONES,
    KnowledgeBaseError,
    PhoneInfo,
    load_knowledge_base,
    normalize_phone,
    phone_info,
)
from inference_daemon.phonetics.summary import summarize

__all__ = [
    "PHONES",
    "Advice",
    "KnowledgeBaseError",
    "PhoneInfo",
    "advise_error",
    "advise_word",
    "load_knowledge_base",
    "normalize_phone",
    "not_heard_word",
    "phone_info",
    "summarize",
]
