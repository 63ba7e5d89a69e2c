"""Expected pronunciations of target sentences, shared by every backend and the dataset tools.

``target_words(sentence)`` gives each word of :func:`inference_daemon.sentence.split_words` its
spoken tokens and ARPAbet phones; :func:`ipa_to_arpabet` and :func:`arpabet_to_ipa` connect the
ARPAbet of the feedback document with models that speak IPA.
"""

from __future__ import annotations

from inference_daemon.pronunciation.arpabet import ARPABET_PHONES, strip_stress
from inference_daemon.pronunciation.ipa import arpabet_to_ipa, ipa_to_arpabet
from inference_daemon.pronunciation.lexicon import Lexicon, TargetWord


def target_words(sentence: str) -> list[TargetWord]:
    """The words of the sentence with their pronunciations, from the process-wide :class:`Lexicon`."""
    return Lexicon.default().target_words(sentence)


__all__ = [
    "ARPABET_PHONES",
    "Lexicon",
    "TargetWord",
    "arpabet_to_ipa",
    "ipa_to_arpabet",
    "strip_stress",
    "target_words",
]
