"""Which sentence-level scores the card shows beside the word marks, and the one tip on the weakest.

The document's ``score`` is the accuracy of the sounds; ``fluency``, ``prosody`` and ``completeness``
say how the sentence was delivered. A learner needs one thing to change, not three numbers to
decode, so at most one tip is given, and only when a delivery score is clearly the problem:

- ``completeness`` below :data:`LOW` comes first: words left out make the other scores meaningless.
  (Accuracy counts the missing words too, so it is not compared with accuracy.)
- otherwise the lower of ``fluency`` and ``prosody`` when it is below :data:`LOW` *and* at least
  :data:`MARGIN` below the accuracy of the sounds, the mean score of the words that were read: when
  everything is low, the word-by-word tips matter more. Not the document's ``score``: the phonetic
  backend fits it to the experts' sentence accuracy, which weighs delivery too, so it sinks with a
  halting reading and would hide the very case the tip is for (on speechocean762 the tip then came
  on 0.5 % of readings; against the words' mean, 15 %).

Pure functions, no Anki.
"""

from __future__ import annotations

from dataclasses import dataclass

from .document import Feedback

#: a delivery score below this is low (the card's score colours turn red below 60 too)
LOW = 60.0
#: how far below the accuracy fluency or prosody must be before it is called the weakest
MARGIN = 10.0
FULL = 100.0

LABELS = {"accuracy": "Accuracy", "fluency": "Fluency", "prosody": "Prosody", "completeness": "Completeness"}
#: what each score measures, shown when the learner points at it
MEANINGS = {
    "accuracy": "how clearly each sound of each word was said",
    "fluency": "reading without hesitation: pace, pauses, restarts",
    "prosody": "rhythm and intonation: stressed and reduced words, the voice rising and falling",
    "completeness": "how much of the sentence was read",
}
TIPS = {
    "fluency": "Try reading the whole sentence in one go, without stopping between words.",
    "prosody": "Let your voice rise and fall: stress the key words and say small words like 'a', 'the', "
               "'to' lightly.",
    "completeness": "Some words were not read — read to the end of the sentence.",
}


@dataclass(frozen=True)
class SentenceScore:
    kind: str  # a key of LABELS
    value: float

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def meaning(self) -> str:
        return MEANINGS[self.kind]


@dataclass(frozen=True)
class DeliveryTip:
    kind: str  # fluency, prosody or completeness
    text: str

    @property
    def label(self) -> str:
        return LABELS[self.kind]


def shown_scores(feedback: Feedback) -> list[SentenceScore]:
    """Accuracy, fluency and prosody, plus completeness when something was left out; empty when the daemon
    sent none of the delivery scores (the headline score then says it all)."""
    shown = [SentenceScore(kind, value) for kind, value in (("fluency", feedback.fluency),
                                                            ("prosody", feedback.prosody)) if value is not None]
    if feedback.completeness is not None and feedback.completeness < FULL:
        shown.append(SentenceScore("completeness", feedback.completeness))
    return [SentenceScore("accuracy", feedback.score), *shown] if shown else []


def sounds_accuracy(feedback: Feedback) -> float:
    """The mean score of the words that were read (the document's score when none was)."""
    read = [word.score for word in feedback.words if word.status != "missing"]
    return sum(read) / len(read) if read else feedback.score


def delivery_tip(feedback: Feedback) -> DeliveryTip | None:
    """The one tip on the weakest delivery score when it is clearly low (see the module's rules), else None."""
    if feedback.completeness is not None and feedback.completeness < LOW:
        return DeliveryTip("completeness", TIPS["completeness"])
    known = [(value, kind) for kind, value in (("fluency", feedback.fluency), ("prosody", feedback.prosody))
             if value is not None]
    if not known:
        return None
    value, kind = min(known)  # on a tie fluency comes first: pauses are the easier thing to change
    if value < LOW and value <= sounds_accuracy(feedback) - MARGIN:
        return DeliveryTip(kind, TIPS[kind])
    return None
