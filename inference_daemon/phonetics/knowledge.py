"""Load the phonetics knowledge base once, and refuse it loudly when a teacher's edit broke it.

All learner-facing wording about sounds lives in ``knowledge_base.json`` beside this module, so
that text can be improved without touching code. This module turns that file into typed,
read-only objects and checks it thoroughly: every phone described, every confusion and native-
language note pointing at known sounds and patterns, every ``{placeholder}`` one the program fills.

Check an edited copy with ``python -m inference_daemon.phonetics [path/to/file.json]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from inference_daemon.pronunciation.arpabet import ARPABET_PHONES

log = logging.getLogger(__name__)

#: The phones the knowledge base describes: the feedback document's ARPAbet set, no more, no less.
PHONES: tuple[str, ...] = ARPABET_PHONES

L1_GROUPS: tuple[str, ...] = ("zh", "es", "ja", "ko", "ar", "hi", "vi", "pt", "fr", "de", "ru")

# Patterns recognised by the program from the shape of an error (not just from the two phones).
SPECIAL_PATTERNS: tuple[str, ...] = (
    "final-deletion", "cluster-reduction", "HH-deletion", "vowel-deletion", "generic-deletion",
    "epenthesis", "cluster-epenthesis", "initial-epenthesis", "G-after-NG", "generic-insertion",
    "generic-substitution", "unclear-sound", "word-stress",
)  # fmt: skip

# Articulatory features compared, in this order, to explain any substitution.
FEATURES: tuple[str, ...] = ("kind", "manner", "height", "place", "voicing", "rounding", "length", "glide")

# What the program fills into advice texts; a template may use any of them.
ADVICE_FIELDS = frozenset(
    {"word", "expected", "heard", "expected_example", "heard_example", "previous", "next", "cluster",
     "difference", "tip", "how", "syllable", "stressed_syllable", "shape"}
)  # fmt: skip
TEXT_FIELDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "unknown_sound": frozenset(),
        "unknown_how": frozenset(),
        "feature_difference": frozenset({"expected", "heard", "expected_label", "heard_label"}),
        "also": frozenset({"items"}),
        "practise_pair": frozenset({"first", "second"}),
        "nothing_to_assess": frozenset(),
        "all_missing": frozenset(),
        "all_missing_tip": frozenset(),
        "all_clear": frozenset(),
        "polish_tip": frozenset(),
        "work_on": frozenset({"words"}),
        "skipped": frozenset({"words"}),
        "work_on_and_skipped": frozenset({"words", "skipped"}),
        "skipped_tip": frozenset({"words"}),
        "word_not_heard": frozenset({"word"}),
        "word_not_heard_tip": frozenset({"word"}),
        "unclear_tip": frozenset({"words"}),
        "tip_for_words": frozenset({"words", "tip"}),
    }
)
OPENING_FIELDS = frozenset({"clear", "total", "were"})

_STRESS = re.compile(r"[0-9]+$")
_CONFUSION_KEY = re.compile(r"^([A-Z]+)->([A-Z]+)$")


class KnowledgeBaseError(ValueError):
    """The knowledge base file is inconsistent; the message lists every problem found."""


@dataclass(frozen=True)
class PhoneInfo:
    """How one ARPAbet phone is made, in words a learner understands."""

    arpabet: str
    ipa: str
    kind: str  # "vowel" or "consonant"
    example: str
    voiced: bool | None  # consonants only
    place: str  # consonants: where it is made; vowels: front, central or back
    manner: str  # consonants: stop, fricative, ...; vowels: monophthong, diphthong, r-colored
    how: str
    height: str | None = None  # vowels only
    rounded: bool | None = None  # vowels only
    tense: bool | None = None  # vowels only
    glide: str | None = None  # diphthongs only

    @property
    def slashed(self) -> str:
        """The IPA symbol between slashes, as learners' dictionaries print it: ``/θ/``."""
        return f"/{self.ipa}/"

    @property
    def is_vowel(self) -> bool:
        return self.kind == "vowel"

    def feature_values(self) -> dict[str, str | None]:
        """The value of each of :data:`FEATURES`, ``None`` where the feature does not apply."""
        return {
            "kind": self.kind,
            "manner": self.manner,
            "height": self.height,
            "place": self.place,
            "voicing": None if self.voiced is None else ("voiced" if self.voiced else "voiceless"),
            "rounding": None if self.rounded is None else ("rounded" if self.rounded else "unrounded"),
            "length": None if self.tense is None else ("tense" if self.tense else "lax"),
            "glide": self.glide,
        }


@dataclass(frozen=True)
class FeatureText:
    """How to describe one feature value ('voiced: your throat buzzes') and how to produce it."""

    label: str
    tip: str


@dataclass(frozen=True)
class AdviceText:
    """The teacher-written texts for one confusion or pattern."""

    explanation: str
    suggestion: str
    minimal_pair: tuple[str, str] | None
    brief: str | None = None  # a short clause used when several errors share one sentence


@dataclass(frozen=True)
class NativeLanguage:
    """What speakers of one first language typically find hard, keyed by pattern id."""

    code: str
    name: str
    notes: Mapping[str, str]


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole validated knowledge base, read-only."""

    phones: Mapping[str, PhoneInfo]
    features: Mapping[str, Mapping[str, FeatureText]]
    confusions: Mapping[str, AdviceText]  # "TH->S": said S where TH belongs
    patterns: Mapping[str, AdviceText]  # the SPECIAL_PATTERNS
    final_deletion_pairs: Mapping[str, tuple[str, str]]
    native_languages: Mapping[str, NativeLanguage]
    texts: Mapping[str, str]
    score_openings: tuple[tuple[float, str], ...]  # highest threshold first

    def pattern_ids(self) -> frozenset[str]:
        return frozenset(self.confusions) | frozenset(self.patterns)


def normalize_phone(phone: str | None) -> str:
    """``"th"``, ``" AH0 "`` -> ``"TH"``, ``"AH"``; ``None`` -> ``""``. Unknown phones pass through."""
    if phone is None:
        return ""
    return _STRESS.sub("", phone.strip().upper())


def phone_info(phone: str) -> PhoneInfo:
    """Articulation of one ARPAbet phone (any case, stress digits allowed); ValueError if unknown."""
    info = load_knowledge_base().phones.get(normalize_phone(phone))
    if info is None:
        raise ValueError(f"{phone!r} is not one of the 39 ARPAbet phones")
    return info


def knowledge_base_path() -> Path:
    """Where the knowledge base shipped with the package lives."""
    return Path(str(resources.files(__package__ or "inference_daemon.phonetics") / "knowledge_base.json"))


@cache
def load_knowledge_base() -> KnowledgeBase:
    """The packaged knowledge base, read and validated on first use, then kept."""
    path = knowledge_base_path()
    knowledge = read_knowledge_base(path)
    log.debug("loaded phonetics knowledge base from %s", path)
    return knowledge


def read_knowledge_base(path: Path) -> KnowledgeBase:
    """Read and validate a knowledge base file; raises :class:`KnowledgeBaseError`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise KnowledgeBaseError(f"{path}: cannot read the knowledge base: {error}") from error
    return parse_knowledge_base(data)


def parse_knowledge_base(data: Any) -> KnowledgeBase:
    """Build a :class:`KnowledgeBase` from decoded JSON, collecting every problem before failing."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise KnowledgeBaseError("the knowledge base must be a JSON object")
    features = _parse_features(_section(data, "features", problems), problems)
    phones = _parse_phones(_section(data, "phones", problems), features, problems)
    confusions = _parse_confusions(_section(data, "confusions", problems), problems)
    patterns = _parse_patterns(_section(data, "patterns", problems), problems)
    final_pairs = _parse_final_pairs(_section(data, "final_deletion_pairs", problems), phones, problems)
    pattern_ids = frozenset(confusions) | frozenset(patterns)
    languages = _parse_languages(_section(data, "l1", problems), pattern_ids, problems)
    texts = _parse_texts(_section(data, "texts", problems), problems)
    openings = _parse_openings(data.get("score_openings"), problems)
    if problems:
        raise KnowledgeBaseError("invalid phonetics knowledge base:\n  " + "\n  ".join(problems))
    return KnowledgeBase(
        phones=MappingProxyType(phones),
        features=MappingProxyType(features),
        confusions=MappingProxyType(confusions),
        patterns=MappingProxyType(patterns),
        final_deletion_pairs=MappingProxyType(final_pairs),
        native_languages=MappingProxyType(languages),
        texts=MappingProxyType(texts),
        score_openings=openings,
    )


def _section(data: dict[str, Any], name: str, problems: list[str]) -> dict[str, Any]:
    section = data.get(name)
    if not isinstance(section, dict):
        problems.append(f"'{name}' must be an object")
        return {}
    return section


def _text(entry: Any, key: str, where: str, problems: list[str], fields: Iterable[str] = ()) -> str:
    value = entry.get(key) if isinstance(entry, dict) else None
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: '{key}' must be a non-empty text")
        return ""
    _check_placeholders(value, frozenset(fields), f"{where}.{key}", problems)
    return value


def _check_placeholders(template: str, allowed: frozenset[str], where: str, problems: list[str]) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        problems.append(f"{where}: broken {{placeholder}}: {error}")
        return
    unknown = sorted(names - allowed)
    if unknown:
        known = ", ".join(sorted(allowed)) or "none"
        problems.append(f"{where}: unknown placeholder(s) {unknown}; allowed here: {known}")


def _parse_features(section: dict[str, Any], problems: list[str]) -> dict[str, Mapping[str, FeatureText]]:
    features: dict[str, Mapping[str, FeatureText]] = {}
    for feature in FEATURES:
        values = section.get(feature)
        if not isinstance(values, dict) or not values:
            problems.append(f"features.{feature} must be a non-empty object")
            continue
        features[feature] = MappingProxyType(
            {
                value: FeatureText(
                    label=_text(text, "label", f"features.{feature}.{value}", problems),
                    tip=_text(text, "tip", f"features.{feature}.{value}", problems),
                )
                for value, text in values.items()
            }
        )
    return features


def _parse_phones(
    section: dict[str, Any], features: Mapping[str, Mapping[str, FeatureText]], problems: list[str]
) -> dict[str, PhoneInfo]:
    missing = sorted(set(PHONES) - set(section))
    extra = sorted(set(section) - set(PHONES))
    if missing:
        problems.append(f"phones: missing {missing}")
    if extra:
        problems.append(f"phones: not ARPAbet phones {extra}")
    phones: dict[str, PhoneInfo] = {}
    for arpabet in PHONES:
        entry = section.get(arpabet)
        if isinstance(entry, dict):
            info = _parse_phone(arpabet, entry, problems)
            if info is not None:
                _check_feature_texts(info, features, problems)
                phones[arpabet] = info
    _check_phones_distinguishable(phones, problems)
    return phones


def _parse_phone(arpabet: str, entry: dict[str, Any], problems: list[str]) -> PhoneInfo | None:
    where = f"phones.{arpabet}"
    kind = entry.get("kind")
    if kind not in ("vowel", "consonant"):
        problems.append(f"{where}: 'kind' must be 'vowel' or 'consonant'")
        return None
    common = {
        "arpabet": arpabet,
        "ipa": _text(entry, "ipa", where, problems),
        "kind": kind,
        "example": _text(entry, "example", where, problems),
        "place": _text(entry, "place", where, problems),
        "manner": _text(entry, "manner", where, problems),
        "how": _text(entry, "how", where, problems),
    }
    if kind == "consonant":
        voiced = entry.get("voiced")
        if not isinstance(voiced, bool):
            problems.append(f"{where}: consonants need 'voiced': true or false")
        return PhoneInfo(voiced=voiced if isinstance(voiced, bool) else None, **common)
    rounded, tense, glide = entry.get("rounded"), entry.get("tense"), entry.get("glide")
    if not isinstance(rounded, bool) or not isinstance(tense, bool):
        problems.append(f"{where}: vowels need 'rounded' and 'tense': true or false")
    if glide is not None and not isinstance(glide, str):
        problems.append(f"{where}: 'glide' must be a text or null")
    return PhoneInfo(
        voiced=None,
        height=_text(entry, "height", where, problems),
        rounded=rounded if isinstance(rounded, bool) else None,
        tense=tense if isinstance(tense, bool) else None,
        glide=glide if isinstance(glide, str) else None,
        **common,
    )


def _check_feature_texts(
    info: PhoneInfo, features: Mapping[str, Mapping[str, FeatureText]], problems: list[str]
) -> None:
    for feature, value in info.feature_values().items():
        if value is not None and feature in features and value not in features[feature]:
            problems.append(f"phones.{info.arpabet}: features.{feature} has no text for '{value}'")


def _check_phones_distinguishable(phones: Mapping[str, PhoneInfo], problems: list[str]) -> None:
    """Every two phones must differ in a feature, so that any substitution can be explained."""
    infos = list(phones.values())
    for index, first in enumerate(infos):
        for second in infos[index + 1 :]:
            if not differing_features(first, second):
                problems.append(
                    f"phones: {first.arpabet} and {second.arpabet} have identical features, "
                    "so a confusion between them cannot be explained"
                )


def differing_features(expected: PhoneInfo, heard: PhoneInfo) -> list[str]:
    """The features (in :data:`FEATURES` order) where both phones have a value and the values differ.

    A vowel heard for a consonant, or the reverse, differs only in ``kind``: comparing lip rounding
    between them would not help a learner.
    """
    if expected.kind != heard.kind:
        return ["kind"]
    expected_values, heard_values = expected.feature_values(), heard.feature_values()
    return [
        feature
        for feature in FEATURES
        if expected_values[feature] is not None
        and heard_values[feature] is not None
        and expected_values[feature] != heard_values[feature]
    ]


def _minimal_pair(value: Any, where: str, problems: list[str]) -> tuple[str, str] | None:
    if value is None:
        return None
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(word, str) and word.strip() for word in value)
        and value[0] != value[1]
    ):
        return (value[0], value[1])
    problems.append(f"{where}: 'minimal_pair' must be null or two different words")
    return None


def _advice_text(entry: Any, where: str, problems: list[str]) -> AdviceText:
    if not isinstance(entry, dict):
        problems.append(f"{where} must be an object")
        return AdviceText("", "", None)
    brief = entry.get("brief")
    if brief is not None:
        brief = _text(entry, "brief", where, problems, ADVICE_FIELDS)
    return AdviceText(
        explanation=_text(entry, "explanation", where, problems, ADVICE_FIELDS),
        suggestion=_text(entry, "suggestion", where, problems, ADVICE_FIELDS),
        minimal_pair=_minimal_pair(entry.get("minimal_pair"), where, problems),
        brief=brief,
    )


def _parse_confusions(section: dict[str, Any], problems: list[str]) -> dict[str, AdviceText]:
    confusions: dict[str, AdviceText] = {}
    for key, entry in section.items():
        match = _CONFUSION_KEY.match(key)
        if match is None or match[1] not in PHONES or match[2] not in PHONES or match[1] == match[2]:
            problems.append(f"confusions.{key}: the key must be 'EXPECTED->HEARD' with two different phones")
            continue
        confusions[key] = _advice_text(entry, f"confusions.{key}", problems)
    return confusions


def _parse_patterns(section: dict[str, Any], problems: list[str]) -> dict[str, AdviceText]:
    missing = sorted(set(SPECIAL_PATTERNS) - set(section))
    unknown = sorted(set(section) - set(SPECIAL_PATTERNS))
    if missing:
        problems.append(f"patterns: missing {missing}")
    if unknown:
        problems.append(f"patterns: the program does not recognise {unknown}; add them as confusions instead")
    return {
        pattern: _advice_text(section[pattern], f"patterns.{pattern}", problems)
        for pattern in SPECIAL_PATTERNS
        if pattern in section
    }


def _parse_final_pairs(
    section: dict[str, Any], phones: Mapping[str, PhoneInfo], problems: list[str]
) -> dict[str, tuple[str, str]]:
    pairs: dict[str, tuple[str, str]] = {}
    for phone, value in section.items():
        where = f"final_deletion_pairs.{phone}"
        if phone not in phones or phones[phone].is_vowel:
            problems.append(f"{where}: final deletion pairs are for consonants")
            continue
        pair = _minimal_pair(value, where, problems)
        if pair is not None:
            pairs[phone] = pair
    return pairs


def _parse_languages(
    section: dict[str, Any], pattern_ids: frozenset[str], problems: list[str]
) -> dict[str, NativeLanguage]:
    missing = sorted(set(L1_GROUPS) - set(section))
    if missing:
        problems.append(f"l1: missing native languages {missing}")
    languages: dict[str, NativeLanguage] = {}
    for code, entry in section.items():
        where = f"l1.{code}"
        notes = entry.get("notes") if isinstance(entry, dict) else None
        if not isinstance(notes, dict):
            problems.append(f"{where}: needs 'name' and 'notes'")
            continue
        for pattern in sorted(set(notes) - pattern_ids):
            problems.append(f"{where}.notes: '{pattern}' is neither a confusion nor a pattern")
        languages[code] = NativeLanguage(
            code=code,
            name=_text(entry, "name", where, problems),
            notes=MappingProxyType({pattern: _text(notes, pattern, f"{where}.notes", problems) for pattern in notes}),
        )
    return languages


def _parse_texts(section: dict[str, Any], problems: list[str]) -> dict[str, str]:
    for key in sorted(set(section) - set(TEXT_FIELDS)):
        problems.append(f"texts.{key}: not used by the program")
    return {key: _text(section, key, "texts", problems, fields) for key, fields in TEXT_FIELDS.items()}


def _parse_openings(value: Any, problems: list[str]) -> tuple[tuple[float, str], ...]:
    openings: list[tuple[float, str]] = []
    if isinstance(value, list):
        for index, item in enumerate(value):
            if (
                isinstance(item, list)
                and len(item) == 2
                and isinstance(item[0], int | float)
                and isinstance(item[1], str)
                and item[1].strip()
            ):
                _check_placeholders(item[1], OPENING_FIELDS, f"score_openings[{index}]", problems)
                openings.append((float(item[0]), item[1]))
            else:
                problems.append(f"score_openings[{index}] must be [minimum score, text]")
    thresholds = [threshold for threshold, _ in openings]
    if not openings or thresholds != sorted(thresholds, reverse=True) or thresholds[-1] != 0:
        problems.append("score_openings must list [minimum score, text] from highest to 0")
    return tuple(openings)


def main(argv: list[str] | None = None) -> int:
    """Validate a knowledge base file (the packaged one by default); 0 when it is valid."""
    parser = argparse.ArgumentParser(description="Check a phonetics knowledge base file after editing it.")
    parser.add_argument("path", nargs="?", type=Path, default=knowledge_base_path(), help="JSON file to check")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        knowledge = read_knowledge_base(args.path)
    except KnowledgeBaseError as error:
        log.error("%s", error)
        return 1
    log.info(
        "%s is valid: %d phones, %d confusions, %d patterns, %d native languages",
        args.path,
        len(knowledge.phones),
        len(knowledge.confusions),
        len(knowledge.patterns),
        len(knowledge.native_languages),
    )
    return 0
