"""Turn phone errors into an explanation and a suggestion that a learner can act on.

Teacher-written advice from the knowledge base is used for the confusions and patterns it knows
(TH heard as S, a dropped final consonant, a vowel added after one, ...). Any other substitution,
deletion or insertion is explained from the articulatory features of the phones involved, so every
error, even one naming a phone outside ARPAbet, gets sensible words and never an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from inference_daemon.feedback import ErrorType, PhoneError, WordFeedback, WordStatus
from inference_daemon.phonetics.knowledge import (
    AdviceText,
    KnowledgeBase,
    PhoneInfo,
    differing_features,
    load_knowledge_base,
    normalize_phone,
)
from inference_daemon.phonetics.syllables import ordinal, stress_shape
from inference_daemon.pronunciation import ARPABET_PHONES, TargetWord, arpabet_to_ipa
from inference_daemon.pronunciation.arpabet import VOWELS
from inference_daemon.pronunciation.stress import shown_stress, vowel_positions

# Patterns whose wording is assembled from features rather than written for the case.
GENERIC_PATTERNS = frozenset({"generic-substitution", "generic-deletion", "generic-insertion", "unclear-sound"})

# How many articulatory differences a generic suggestion turns into instructions.
_MAX_TIPS = 2
# How many further errors of one word the explanation mentions after the main one.
_MAX_ALSO = 2


@dataclass(frozen=True)
class Advice:
    """What to tell the learner about one phone error."""

    explanation: str
    suggestion: str
    minimal_pair: tuple[str, str] | None
    pattern: str  # stable id: a confusion such as "TH->S", or a pattern such as "final-deletion"
    brief: str  # a short clause for when several errors share one sentence
    l1_note: str | None = None  # what speakers of the learner's first language typically do

    @property
    def is_specific(self) -> bool:
        return self.pattern not in GENERIC_PATTERNS


@dataclass(frozen=True)
class _Situation:
    """One error placed in its word: phones normalised, neighbours known."""

    type: ErrorType
    expected: str  # "" when the error names none and the position is outside the word
    heard: str
    position: int
    phones: tuple[str, ...]
    stressed_position: int | None = None  # a stress error's vowel that carried the stress

    @classmethod
    def of(cls, error: PhoneError, expected_phones: Sequence[str]) -> _Situation:
        phones = tuple(normalize_phone(phone) for phone in expected_phones)
        expected = normalize_phone(error.expected)
        if not expected and error.type is not ErrorType.insertion and error.position < len(phones):
            expected = phones[error.position]
        return cls(error.type, expected, normalize_phone(error.heard), error.position, phones,
                   error.stressed_position)

    def phone_at(self, index: int) -> str:
        return self.phones[index] if 0 <= index < len(self.phones) else ""

    @property
    def previous(self) -> str:
        return self.phone_at(self.position - 1)

    @property
    def following(self) -> str:
        # An insertion comes before the phone at its position; other errors are that phone.
        offset = 0 if self.type is ErrorType.insertion else 1
        return self.phone_at(self.position + offset)


def advise_error(
    error: PhoneError, word: str, expected_phones: list[str], native_language: str | None = None
) -> Advice:
    """Explanation, suggestion and minimal pair for one error in ``word``."""
    knowledge = load_knowledge_base()
    situation = _Situation.of(error, expected_phones)
    pattern = _classify(knowledge, situation)
    text = knowledge.confusions.get(pattern) or knowledge.patterns[pattern]
    context = _context(knowledge, situation, word)
    default_brief = {
        ErrorType.substitution: "generic-substitution",
        ErrorType.deletion: "generic-deletion",
        ErrorType.insertion: "generic-insertion",
        ErrorType.stress: "word-stress",
    }[situation.type]
    brief = text.brief or knowledge.patterns[default_brief].brief or ""
    return Advice(
        explanation=_sentence_case(text.explanation.format(**context)),
        suggestion=_sentence_case(text.suggestion.format(**context)),
        minimal_pair=_minimal_pair(knowledge, pattern, text, situation),
        pattern=pattern,
        brief=brief.format(**context),
        l1_note=native_language_note(knowledge, pattern, native_language),
    )


def advise_word(
    word: str, expected_phones: list[str], errors: list[PhoneError], native_language: str | None = None
) -> tuple[str | None, str | None]:
    """(explanation, suggestion) for one word of the feedback document; (None, None) without errors.

    The most important error leads (a known confusion before a generically explained one, then in
    word order); up to two more are mentioned briefly. The suggestion targets the leading error,
    with its minimal pair and, when the learner's first language explains it, a note about that.
    """
    if not errors:
        return None, None
    texts = load_knowledge_base().texts
    if is_word_not_heard(expected_phones, errors):
        # Advice per deleted phone would read "you skipped the vowel... and /ʃ/ was missing": the
        # learner skipped the word, and that is what to say.
        return (_sentence_case(texts["word_not_heard"].format(word=word)),
                _sentence_case(texts["word_not_heard_tip"].format(word=word)))
    ranked = rank_advice([advise_error(error, word, expected_phones, native_language) for error in errors])
    lead, others = ranked[0], ranked[1 : 1 + _MAX_ALSO]
    explanation = lead.explanation
    if others:
        explanation += " " + texts["also"].format(items=english_list([advice.brief for advice in others]))
    suggestion = with_minimal_pair(lead.suggestion, lead.minimal_pair)
    if lead.l1_note is not None:
        suggestion += " " + lead.l1_note
    return explanation, suggestion


def is_word_not_heard(expected_phones: Sequence[str], errors: Sequence[PhoneError]) -> bool:
    """Every expected phone of the word deleted: nothing of it was heard (a skipped word)."""
    deleted = {error.position for error in errors if error.type is ErrorType.deletion}
    return bool(expected_phones) and deleted >= set(range(len(expected_phones)))


def not_heard_word(target: TargetWord) -> WordFeedback:
    """The feedback on a word of the sentence that was not heard at all: every phone deleted, score
    0, the not-heard advice (a backend that found nothing of the word reports it so)."""
    errors = [PhoneError(type=ErrorType.deletion, expected=p, position=i) for i, p in enumerate(target.phones)]
    explanation, suggestion = advise_word(target.text, target.phones, errors)
    return WordFeedback(
        index=target.index, text=target.text, score=0.0, status=WordStatus.missing, expected_phones=target.phones,
        expected_stress=shown_stress(target.tokens, target.phones), heard_phones=[], errors=errors,
        explanation=explanation, suggestion=suggestion,
    )


def rank_advice(advice: list[Advice]) -> list[Advice]:
    """Specific advice before generic, otherwise in word order; repeated advice only once."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for item in advice:
        if (item.pattern, item.explanation) not in seen:
            seen.add((item.pattern, item.explanation))
            unique.append(item)
    return sorted(unique, key=lambda item: not item.is_specific)


def with_minimal_pair(suggestion: str, pair: tuple[str, str] | None) -> str:
    """The suggestion, followed by its minimal pair to practise unless it already quotes both words."""
    if pair is None or all(f"'{word}'" in suggestion for word in pair):
        return suggestion
    practise = load_knowledge_base().texts["practise_pair"].format(first=pair[0], second=pair[1])
    return f"{suggestion} {practise}"


def native_language_note(knowledge: KnowledgeBase, pattern: str, native_language: str | None) -> str | None:
    """The knowledge base's note on ``pattern`` for speakers of ``native_language`` (ISO 639-1, e.g. "zh-CN")."""
    if not native_language:
        return None
    code = native_language.strip().lower().replace("_", "-").split("-")[0]
    language = knowledge.native_languages.get(code)
    return None if language is None else language.notes.get(pattern)


def english_list(items: Sequence[str]) -> str:
    """Join clauses in English: "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _classify(knowledge: KnowledgeBase, situation: _Situation) -> str:
    phones = knowledge.phones
    if situation.type is ErrorType.stress:
        return "word-stress"
    if situation.type is ErrorType.substitution:
        confusion = f"{situation.expected}->{situation.heard}"
        if confusion in knowledge.confusions:
            return confusion
        known = situation.expected in phones and situation.heard in phones
        return "generic-substitution" if known and situation.expected != situation.heard else "unclear-sound"
    if situation.type is ErrorType.deletion:
        return _classify_deletion(knowledge, situation)
    return _classify_insertion(knowledge, situation)


def _is_consonant(knowledge: KnowledgeBase, phone: str) -> bool:
    info = knowledge.phones.get(phone)
    return info is not None and not info.is_vowel


def _is_vowel(knowledge: KnowledgeBase, phone: str) -> bool:
    info = knowledge.phones.get(phone)
    return info is not None and info.is_vowel


def _classify_deletion(knowledge: KnowledgeBase, situation: _Situation) -> str:
    expected = situation.expected
    if expected == "HH":
        return "HH-deletion"
    if _is_vowel(knowledge, expected):
        return "vowel-deletion"
    if not _is_consonant(knowledge, expected):
        return "generic-deletion"
    if situation.position == len(situation.phones) - 1:
        return "final-deletion"
    if _is_consonant(knowledge, situation.previous) or _is_consonant(knowledge, situation.following):
        return "cluster-reduction"
    return "generic-deletion"


def _classify_insertion(knowledge: KnowledgeBase, situation: _Situation) -> str:
    heard, previous, following = situation.heard, situation.previous, situation.following
    if heard == "G" and previous == "NG":
        return "G-after-NG"
    if _is_vowel(knowledge, heard):
        if _is_consonant(knowledge, previous) and situation.position >= len(situation.phones):
            return "epenthesis"
        if _is_consonant(knowledge, previous) and _is_consonant(knowledge, following):
            return "cluster-epenthesis"
        if situation.position == 0 and following == "S" and _is_consonant(knowledge, situation.phone_at(1)):
            return "initial-epenthesis"
    return "generic-insertion"


def _context(knowledge: KnowledgeBase, situation: _Situation, word: str) -> dict[str, str]:
    """Every placeholder an advice text may use (see ``knowledge.ADVICE_FIELDS``)."""
    expected = knowledge.phones.get(situation.expected)
    heard = knowledge.phones.get(situation.heard)
    difference, tip = _feature_comparison(knowledge, expected, heard)
    return {
        "word": word,
        "expected": _display(knowledge, situation.expected),
        "heard": _display(knowledge, situation.heard),
        "expected_example": expected.example if expected else word,
        "heard_example": heard.example if heard else word,
        "previous": _display(knowledge, situation.previous),
        "next": _display(knowledge, situation.following),
        "cluster": _cluster(knowledge, situation),
        "difference": difference,
        "tip": tip,
        "how": expected.how if expected else knowledge.texts["unknown_how"],
        **_stress_context(situation, word),
    }


def _stress_context(situation: _Situation, word: str) -> dict[str, str]:
    """The stress placeholders: which syllable should carry the stress, which did, and the word's shape.
    Empty-safe for other errors (their texts do not use these fields)."""
    nuclei = vowel_positions(situation.phones)
    syllable = nuclei.index(situation.position) if situation.position in nuclei else 0
    stressed = situation.stressed_position
    heard = nuclei.index(stressed) if stressed is not None and stressed in nuclei else syllable
    shape = stress_shape(word, len(nuclei), syllable)
    return {
        "syllable": ordinal(syllable),
        "stressed_syllable": ordinal(heard),
        "shape": shape if shape is not None else _stressed_ipa(situation.phones, situation.position),
    }


def _stressed_ipa(phones: Sequence[str], vowel: int) -> str:
    """The pronunciation in IPA with the stress mark before the stressed syllable (its vowel and the
    consonant before it): what a learner's dictionary shows when the spelling cannot be split."""
    if not 0 <= vowel < len(phones) or any(phone not in ARPABET_PHONES for phone in phones):
        return "its dictionary pronunciation"
    onset = vowel - 1 if vowel > 0 and phones[vowel - 1] not in VOWELS else vowel
    # An unstressed AH is a schwa; ARPAbet without stress digits writes both as AH.
    symbols = ["ə" if phone == "AH" and i != vowel else arpabet_to_ipa(phone)[0] for i, phone in enumerate(phones)]
    return "/" + "".join(symbols[:onset]) + "ˈ" + "".join(symbols[onset:]) + "/"


def _display(knowledge: KnowledgeBase, phone: str) -> str:
    info = knowledge.phones.get(phone)
    return info.slashed if info else knowledge.texts["unknown_sound"]


def _feature_comparison(
    knowledge: KnowledgeBase, expected: PhoneInfo | None, heard: PhoneInfo | None
) -> tuple[str, str]:
    """('/b/ is voiced: ..., but /p/ is voiceless: ...', 'let your voice buzz ...') for two phones."""
    if expected is None or heard is None or expected == heard:
        return "", ""
    features = differing_features(expected, heard)[:_MAX_TIPS]
    expected_values, heard_values = expected.feature_values(), heard.feature_values()
    first = features[0]
    difference = knowledge.texts["feature_difference"].format(
        expected=expected.slashed,
        heard=heard.slashed,
        expected_label=knowledge.features[first][expected_values[first] or ""].label,
        heard_label=knowledge.features[first][heard_values[first] or ""].label,
    )
    if features == ["kind"]:
        # A vowel for a consonant or the reverse: the whole articulation is the useful instruction.
        return difference, expected.how[:1].lower() + expected.how[1:].rstrip(".")
    tips = [knowledge.features[feature][expected_values[feature] or ""].tip for feature in features]
    return difference, ", and ".join(tips)


def _cluster(knowledge: KnowledgeBase, situation: _Situation) -> str:
    """The run of consonants around the error, e.g. ``/str/`` for a sound missing from 'street'."""
    if not _is_consonant(knowledge, situation.phone_at(situation.position)):
        return _display(knowledge, situation.expected)
    start = end = situation.position
    while _is_consonant(knowledge, situation.phone_at(start - 1)):
        start -= 1
    while _is_consonant(knowledge, situation.phone_at(end + 1)):
        end += 1
    symbols = [knowledge.phones[phone].ipa for phone in situation.phones[start : end + 1] if phone in knowledge.phones]
    return f"/{''.join(symbols)}/"


def _minimal_pair(
    knowledge: KnowledgeBase, pattern: str, text: AdviceText, situation: _Situation
) -> tuple[str, str] | None:
    if pattern == "final-deletion":
        return knowledge.final_deletion_pairs.get(situation.expected, text.minimal_pair)
    return text.minimal_pair


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]
