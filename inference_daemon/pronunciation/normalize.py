"""Turn the words of a target sentence into the tokens a speaker says: "$5" is "five dollars".

Numbers (cardinals, ordinals, years, decimals, money, percentages, clock times), common
abbreviations and symbols become words; curly apostrophes become straight ones; accents are
dropped; letters of other scripts are spelled by their names. Every word of
:func:`inference_daemon.sentence.split_words` yields at least one token, and every token is
lower-case ASCII with at least one letter, so a dictionary or the grapheme-to-phoneme fallback
can always pronounce it. A token may keep inner apostrophes ("don't"), hyphens ("well-known"; the
lexicon splits it when it does not know the whole) or end in a dot (a spelled letter, ``"a."``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from num2words import num2words

from inference_daemon.sentence import split_words

# Beyond this many digits a number is read digit by digit (num2words also has an upper limit).
_MAX_CARDINAL_DIGITS = 15

_APOSTROPHES = dict.fromkeys(map(ord, "’‘ʼ′`´"), "'")
_LATIN_LETTERS_WITHOUT_DECOMPOSITION = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "th", "þ": "th", "ı": "i",
}  # fmt: skip
_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_SYMBOL_WORDS = {"&": "and", "%": "percent", "+": "plus", "@": "at", "#": "number", "=": "equals"}


@dataclass(frozen=True)
class _Currency:
    unit: str
    units: str
    subunit: str
    subunits: str


_CURRENCIES = {
    "$": _Currency("dollar", "dollars", "cent", "cents"),
    "£": _Currency("pound", "pounds", "penny", "pence"),
    "€": _Currency("euro", "euros", "cent", "cents"),
    "¥": _Currency("yen", "yen", "sen", "sen"),
}
_CURRENCY_SYMBOLS = "".join(map(re.escape, _CURRENCIES))

# Abbreviations whose reading does not depend on the words around them (keys without the final dot).
_ABBREVIATIONS = {
    "mr": ("mister",),
    "mrs": ("missus",),
    "dr": ("doctor",),
    "prof": ("professor",),
    "jr": ("junior",),
    "sr": ("senior",),
    "etc": ("et", "cetera"),
    "e.g": ("for", "example"),
    "i.e": ("that", "is"),
    "vs": ("versus",),
}

_NUMBER = r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?"
_CURRENCY_BEFORE = re.compile(rf"(?P<symbol>[{_CURRENCY_SYMBOLS}])(?P<amount>{_NUMBER})")
_CURRENCY_AFTER = re.compile(rf"(?P<amount>{_NUMBER})(?P<symbol>[{_CURRENCY_SYMBOLS}])")
_PERCENT = re.compile(rf"(?P<amount>{_NUMBER})%")
_ORDINAL = re.compile(r"(?P<number>[0-9]+)(?:st|nd|rd|th)")
_CLOCK_TIME = re.compile(r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-5][0-9])(?P<period>[ap]\.?m\.?)?")
_PLAIN_NUMBER = re.compile(_NUMBER)
_DOTTED_INITIALISM = re.compile(r"(?:[a-z]\.)+[a-z]\.?")
# Pieces of a word that matched no whole-word pattern: letters, numbers, or a single other character.
_PIECE = re.compile(r"(?P<letters>[a-z]+(?:['-][a-z]+)*)|(?P<number>[0-9]+(?:[.,:][0-9]+)*)|(?P<other>.)")


@dataclass(frozen=True)
class NormalizedWord:
    """One word of the sentence as :func:`split_words` gives it, and the tokens a speaker says."""

    text: str
    tokens: tuple[str, ...]


def normalize_sentence(sentence: str) -> list[NormalizedWord]:
    """The words of the sentence, in :func:`split_words` order, each with its spoken tokens."""
    located: list[tuple[str, bool]] = []  # (word, whether a dot follows it, as in "No.")
    for raw_token in sentence.split():
        for word in split_words(raw_token):
            end = raw_token.find(word) + len(word)
            located.append((word, raw_token[end : end + 1] == "."))
    normalized = []
    for position, (word, dotted) in enumerate(located):
        next_word = located[position + 1][0] if position + 1 < len(located) else ""
        normalized.append(NormalizedWord(word, tuple(spoken_tokens(word, next_word, dotted))))
    return normalized


def spoken_tokens(word: str, next_word: str = "", followed_by_dot: bool = False) -> list[str]:
    """The tokens a speaker says for one word; ``next_word`` and the dot resolve "No." and "St"."""
    text = _to_ascii_lower(word)
    contextual = _contextual_abbreviation(text, next_word, followed_by_dot)
    tokens = contextual or _ABBREVIATIONS.get(text) or _whole_word_pattern(text) or _pieces(text)
    return list(tokens) or _spelled_characters(word)


def straight_apostrophes(text: str) -> str:
    """The text with curly and other look-alike apostrophes replaced by ``'``."""
    return text.translate(_APOSTROPHES)


def _to_ascii_lower(word: str) -> str:
    """Lower-case, straight apostrophes, digits of any script as ASCII digits, letters as ASCII."""
    text = straight_apostrophes(unicodedata.normalize("NFKC", word)).lower()
    characters = []
    for character in text:
        if character.isascii():
            characters.append(character)
        elif unicodedata.decimal(character, None) is not None:
            characters.append(str(unicodedata.decimal(character)))
        elif not character.isalpha():
            characters.append(character)
        elif character in _LATIN_LETTERS_WITHOUT_DECOMPOSITION:
            characters.append(_LATIN_LETTERS_WITHOUT_DECOMPOSITION[character])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", character) if not unicodedata.combining(c))
            characters.append(base if base.isascii() and base else f" {_character_name_token(character)} ")
    return "".join(characters)


def _character_name_token(character: str) -> str:
    """A letter of another script, spelled by its Unicode name: "б" is "be", "ω" is "omega"."""
    name = unicodedata.name(character, "").lower().split()
    for keyword in ("letter", "syllable", "character"):
        if keyword in name and name.index(keyword) + 1 < len(name):
            return name[name.index(keyword) + 1]
    return name[0] if name else ""


def _contextual_abbreviation(text: str, next_word: str, followed_by_dot: bool) -> tuple[str, ...]:
    if text == "no" and followed_by_dot and next_word[:1].isdigit():
        return ("number",)
    if text == "st":
        return ("saint",) if next_word[:1].isupper() else ("street",)
    return ()


def _whole_word_pattern(text: str) -> list[str]:
    """Tokens for a word that is entirely a number, an amount, a time or a dotted initialism."""
    if match := _CURRENCY_BEFORE.fullmatch(text) or _CURRENCY_AFTER.fullmatch(text):
        return _money(match["amount"], _CURRENCIES[match["symbol"]])
    if match := _PERCENT.fullmatch(text):
        return [*_number(match["amount"]), "percent"]
    if match := _ORDINAL.fullmatch(text):
        return _ordinal(match["number"])
    if (match := _CLOCK_TIME.fullmatch(text)) and int(match["hour"]) <= 24:
        period = [f"{letter}." for letter in match["period"] if letter.isalpha()] if match["period"] else []
        return [*_clock_time(int(match["hour"]), int(match["minute"])), *period]
    if _PLAIN_NUMBER.fullmatch(text):
        return _number(text)
    if _DOTTED_INITIALISM.fullmatch(text):
        return [f"{letter}." for letter in text if letter.isalpha()]
    return []


def _pieces(text: str) -> list[str]:
    """Tokens for a word mixing letters, numbers and symbols ("covid-19", "R&D", "mp3")."""
    tokens: list[str] = []
    for piece in _PIECE.finditer(text):
        if piece["letters"]:
            tokens.append(piece["letters"])
        elif piece["number"]:
            tokens.extend(_whole_word_pattern(piece["number"]) or _digit_groups(piece["number"]))
        elif piece["other"] in _SYMBOL_WORDS:
            tokens.append(_SYMBOL_WORDS[piece["other"]])
        elif piece["other"] in _CURRENCIES:
            tokens.append(_CURRENCIES[piece["other"]].units)
    return tokens


def _spelled_characters(word: str) -> list[str]:
    """Last resort for a word no rule reads ("௰"): each letter or number named on its own."""
    names = [_character_name_token(character) for character in word if character.isalnum()]
    return _pieces(" ".join(names)) or ["symbol"]


def _words(text: str) -> list[str]:
    """num2words output split into tokens: "twenty-one, and" becomes ["twenty", "one", "and"]."""
    return re.findall(r"[a-z]+", text.lower())


def _cardinal(digits: str) -> list[str]:
    if len(digits) > _MAX_CARDINAL_DIGITS:
        return [_DIGIT_WORDS[int(digit)] for digit in digits]
    return _words(num2words(int(digits)))


def _number(text: str) -> list[str]:
    """A cardinal, a year ("1999" is "nineteen ninety nine") or a decimal ("3.50" keeps its zero)."""
    whole, _, fraction = text.replace(",", "").partition(".")
    if fraction:
        return [*_cardinal(whole), "point", *(_DIGIT_WORDS[int(digit)] for digit in fraction)]
    if len(whole) > 1 and whole.startswith("0"):
        return [_DIGIT_WORDS[int(digit)] for digit in whole]
    if len(whole) == 4 and "," not in text and 1000 <= int(whole) <= 2099:
        return _words(num2words(int(whole), to="year"))
    return _cardinal(whole)


def _ordinal(digits: str) -> list[str]:
    if len(digits) > _MAX_CARDINAL_DIGITS:
        return [*_cardinal(digits[:-1]), *_words(num2words(int(digits[-1]), to="ordinal"))]
    return _words(num2words(int(digits), to="ordinal"))


def _money(amount: str, currency: _Currency) -> list[str]:
    """ "$5.50" is "five dollars and fifty cents"; amounts without two-digit cents read as numbers."""
    whole, _, fraction = amount.replace(",", "").partition(".")
    if fraction and len(fraction) != 2:
        return [*_number(amount), currency.units]
    tokens: list[str] = []
    if int(whole) or not fraction or not int(fraction):
        tokens = [*_cardinal(whole), currency.unit if int(whole) == 1 else currency.units]
    if fraction and int(fraction):
        cents = [*_cardinal(fraction), currency.subunit if int(fraction) == 1 else currency.subunits]
        tokens = [*tokens, "and", *cents] if tokens else cents
    return tokens


def _clock_time(hour: int, minute: int) -> list[str]:
    """ "10:30" is "ten thirty", "10:05" "ten oh five", "10:00" "ten o'clock"."""
    hour_words = _cardinal(str(hour))
    if minute == 0:
        return [*hour_words, "o'clock"]
    if minute < 10:
        return [*hour_words, "oh", _DIGIT_WORDS[minute]]
    return [*hour_words, *_cardinal(str(minute))]


def _digit_groups(text: str) -> list[str]:
    """A run like "1.2.3" or "3:2:1" that is no single number: each group read as a number."""
    return [token for group in re.findall("[0-9]+", text) for token in _number(group)]
