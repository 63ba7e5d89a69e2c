"""Turn a feedback document into the HTML shown on the card: marked words, tips, scores and players.

Pure functions, no Anki: the HTML carries classes only, and :data:`FEEDBACK_CSS` (added to the
practice note type and to every reviewed card) styles them for light and night mode.
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape

from .document import Feedback, PhoneError, WordResult
from .phones import heard_stress, ipa_symbols, to_ipa
from .sentence_scores import delivery_tip, shown_scores
from .stress import stress_note

FEEDBACK_CSS = """
.pc-feedback { --pc-bad: #b71c1c; --pc-missing: #9a4d00; --pc-good: #1b5e20; --pc-mid: #8a6d00;
  --pc-tip-bg: #fffdf3; --pc-tip-fg: #1f1f1f; --pc-tip-border: #d9cfa8; --pc-muted: #5f5f5f;
  --pc-panel: rgba(0, 0, 0, 0.04);
  text-align: left; max-width: 42em; margin: 1em auto; padding: 0.8em 1em; border-radius: 10px;
  background: var(--pc-panel); font-size: 0.8em; line-height: 1.45; }
.nightMode .pc-feedback, .night_mode .pc-feedback { --pc-bad: #ff8a80; --pc-missing: #ffc25c;
  --pc-good: #8fd694; --pc-mid: #ffe082; --pc-tip-bg: #2f3136; --pc-tip-fg: #f1f1f1;
  --pc-tip-border: #5b5e66; --pc-muted: #b5b5b5; --pc-panel: rgba(255, 255, 255, 0.06); }
.pc-head { display: flex; align-items: center; gap: 0.7em; flex-wrap: wrap; }
.pc-score { font-size: 1.6em; font-weight: 700; min-width: 2.2em; text-align: center; }
.pc-score-good { color: var(--pc-good); } .pc-score-mid { color: var(--pc-mid); }
.pc-score-low { color: var(--pc-bad); }
.pc-date, .pc-meta { color: var(--pc-muted); font-size: 0.85em; }
.pc-date { margin-left: auto; }
.pc-scores { display: flex; flex-wrap: wrap; gap: 0.3em 1.4em; margin: 0.5em 0 0; }
.pc-subscore { display: inline-flex; align-items: center; gap: 0.4em; cursor: help; }
.pc-subscore b { min-width: 1.5em; text-align: right; }
.pc-meter { display: inline-block; width: 3.2em; height: 0.4em; border-radius: 0.2em;
  background: var(--pc-tip-border); overflow: hidden; }
.pc-meter span { display: block; height: 100%; background: currentColor; }
.pc-delivery-tip { margin: 0.5em 0 0; padding: 0.3em 0.6em; border-radius: 6px; color: var(--pc-tip-fg);
  background: var(--pc-tip-bg); border: 1px solid var(--pc-tip-border); }
.pc-stress-vowel { text-decoration: underline; text-decoration-thickness: 2px; text-underline-offset: 0.18em; }
.pc-sentence { font-size: 1.35em; margin: 1.3em 0 0.5em; }  /* room above for the word tip */
.pc-word { position: relative; }
.pc-mispronounced { color: var(--pc-bad); font-weight: 600; text-decoration: underline wavy var(--pc-bad);
  text-underline-offset: 0.22em; cursor: help; outline: none; }
.pc-missing { color: var(--pc-missing); text-decoration: underline dashed var(--pc-missing);
  text-underline-offset: 0.22em; cursor: help; outline: none; }
.pc-tip { display: none; position: absolute; left: 0; bottom: 1.7em; z-index: 20; white-space: nowrap;
  font-size: 0.7em; font-weight: 400; padding: 0.35em 0.6em; border-radius: 6px; color: var(--pc-tip-fg);
  background: var(--pc-tip-bg); border: 1px solid var(--pc-tip-border); text-decoration: none; }
.pc-word:hover .pc-tip, .pc-word:focus .pc-tip { display: block; }
.pc-errors, .pc-tips { margin: 0.4em 0; padding-left: 1.3em; }
.pc-errors li { margin: 0.25em 0; }
.pc-errors .pc-note { color: var(--pc-muted); }
.pc-try { display: block; }
.pc-warning { border-left: 3px solid var(--pc-missing); padding-left: 0.6em; margin: 0 0 0.6em; }
.pc-audio { display: flex; flex-wrap: wrap; gap: 0.4em 1.4em; align-items: center; margin-top: 0.6em; }
.pc-audio .replay-button svg { width: 1.6em; height: 1.6em; }
.pc-play { display: inline-flex; align-items: center; gap: 0.35em; }
.pc-key { font-size: 0.85em; color: var(--pc-muted); border: 1px solid var(--pc-tip-border); border-radius: 4px;
  padding: 0 0.35em; }
"""


PLAY_MESSAGE_PREFIX = "pronunciation_coach:play:"
#: shown for a missing word when the daemon gave no explanation or tip of its own
MISSING_EXPLANATION = "not heard in your recording"
MISSING_SUGGESTION = "say every word, short ones included; read the sentence once slowly, then at your normal pace."


def score_band(score: float, needs_work: bool = False) -> str:
    """``good`` from 80, ``mid`` from 60, else ``low``; a reading with words to work on is never ``good``,
    so the colour never says "well done" on a card that is about to count as a lapse."""
    band = "good" if score >= 80 else "mid" if score >= 60 else "low"
    return "mid" if needs_work and band == "good" else band


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary_line(feedback: Feedback) -> str:
    """One line for the status bar and tooltips, e.g. ``Score 72/100 · work on: think``."""
    words = [word.text for word in feedback.words_needing_work]
    verdict = "work on: " + ", ".join(words) if words else "every word was clear"
    return f"Score {feedback.score:.0f}/100 · {verdict}"


def summary_without_warnings(feedback: Feedback) -> str:
    """The daemon's summary minus the warnings it repeats (they are shown once, above the score)."""
    summary = feedback.summary
    for warning in feedback.warnings:
        summary = summary.replace(warning, "")
    return " ".join(summary.split())


def replay_button(media_file: str) -> str:
    """A play button that looks like Anki's own (same classes and icon) and plays through Anki's player."""
    message = escape(json.dumps(PLAY_MESSAGE_PREFIX + media_file))
    return (f'<a class="replay-button soundLink pc-replay" href="#" draggable="false" '
            f"onclick='pycmd({message}); return false;' data-pc-file=\"{escape(media_file)}\">"
            '<svg class="playImage" viewBox="0 0 64 64" version="1.1"><circle cx="32" cy="32" r="29" />'
            '<path d="M56.502,32.301l-37.502,20.101l0.329,-40.804l37.173,20.703Z" /></svg></a>')


def render_feedback(feedback: Feedback, *, assessed_at: datetime, recording_file: str | None = None,
                    reference_file: str | None = None) -> str:
    """The Feedback field's HTML; every text from the daemon is escaped.

    Warnings come first because they qualify everything under them ("the scores below are not
    reliable"); the backend and model stay out of sight (data attributes, for bug reports).
    """
    needing_work = feedback.words_needing_work
    headline = f"{_plural(len(needing_work), 'word')} to work on" if needing_work else "Every word was clear"
    parts = [
        f'<div class="pc-feedback" data-pc-score="{feedback.score:.0f}" data-pc-backend="{escape(feedback.backend)}" '
        f'data-pc-model="{escape(feedback.model)}">',
        *(f'<div class="pc-warning">{escape(warning)}</div>' for warning in feedback.warnings),
        '<div class="pc-head">'
        f'<span class="pc-score pc-score-{score_band(feedback.score, bool(needing_work))}">{feedback.score:.0f}</span>'
        f"<span>Pronunciation score · {headline}</span>"
        f'<span class="pc-date">{escape(assessed_at.strftime("%Y-%m-%d %H:%M"))}</span></div>',
        _sentence_scores_html(feedback, bool(needing_work)),
        f'<div class="pc-sentence">{_marked_sentence(feedback)}</div>',
    ]
    if needing_work:
        parts.append('<ul class="pc-errors">' + "".join(_error_item(word) for word in needing_work) + "</ul>")
    if summary := summary_without_warnings(feedback):
        parts.append(f'<div class="pc-summary">{escape(summary)}</div>')
    if feedback.suggestions:
        parts.append('<ul class="pc-tips">' + "".join(f"<li>{escape(tip)}</li>" for tip in feedback.suggestions)
                     + "</ul>")
    players = []
    if recording_file:
        players.append(f'<span class="pc-play">{replay_button(recording_file)} Your recording '
                       '<span class="pc-key" title="Anki\'s replay-your-voice key">V</span></span>')
    if reference_file:
        players.append(f'<span class="pc-play">{replay_button(reference_file)} Reference</span>')
    if players:
        parts.append('<div class="pc-audio">' + "".join(players) + "</div>")
    parts.append("</div>")
    return "".join(parts)


def _sentence_scores_html(feedback: Feedback, needs_work: bool) -> str:
    """Accuracy, fluency and prosody side by side (number in its band's colour and a small bar), then the
    one tip on the weakest when it is clearly low; nothing for a daemon that sent no delivery scores."""
    scores = shown_scores(feedback)
    if not scores:
        return ""
    items = []
    for shown in scores:
        band = score_band(shown.value, needs_work and shown.kind == "accuracy")
        items.append(
            f'<span class="pc-subscore" data-pc-kind="{shown.kind}" title="{escape(shown.label)}: '
            f'{escape(shown.meaning)}">{escape(shown.label)} <b class="pc-score-{band}">{shown.value:.0f}</b>'
            f'<span class="pc-meter pc-score-{band}"><span style="width: {shown.value:.0f}%"></span></span></span>')
    html = '<div class="pc-scores">' + "".join(items) + "</div>"
    if tip := delivery_tip(feedback):
        html += (f'<div class="pc-delivery-tip" data-pc-kind="{tip.kind}"><b>{escape(tip.label)}:</b> '
                 f"{escape(tip.text)}</div>")
    return html


def _marked_sentence(feedback: Feedback) -> str:
    """The sentence as typed, each assessed word wrapped; words are found in order inside the tokens."""
    pending = list(feedback.words)
    rendered = []
    for token in feedback.text.split():
        if pending and (at := token.find(pending[0].text)) >= 0:
            word = pending.pop(0)
            end = at + len(word.text)
            rendered.append(escape(token[:at]) + _word_html(word) + escape(token[end:]))
        else:
            rendered.append(escape(token))
    if pending:  # the words do not follow the text: show the words alone rather than a half-marked sentence
        return " ".join(_word_html(word) for word in feedback.words)
    return " ".join(rendered)


def _heard_differently(word: WordResult) -> bool:
    """Whether the heard phones are worth showing: a word whose only error is its stress was heard as expected."""
    if not word.heard_phones:
        return False
    return word.has_phone_errors or word.stress_error is None or list(word.heard_phones) != list(word.expected_phones)


def _expected_ipa(word: WordResult, stress: PhoneError | None) -> str:
    """The expected phones in IPA; with a stress error, the vowel that should carry the stress is underlined."""
    if stress is None or not 0 <= stress.position < len(word.expected_phones):
        return escape(to_ipa(word.expected_phones, word.expected_stress))
    symbols = ipa_symbols(word.expected_phones, word.expected_stress)
    before, vowel, after = (symbols[:stress.position], symbols[stress.position], symbols[stress.position + 1:])
    return (f'/{escape("".join(before))}<span class="pc-stress-vowel" title="should carry the stress">'
            f'{escape(vowel)}</span>{escape("".join(after))}/')


def _heard_ipa(word: WordResult) -> str:
    """The heard phones in IPA, their reduced vowels taken from the expected stress (or the stress heard)."""
    heard = word.heard_phones or ()
    stress = word.stress_error
    digits = heard_stress(word.expected_phones, word.expected_stress, heard,
                          stress.stressed_position if stress is not None else None)
    return to_ipa(heard, digits)


def _word_html(word: WordResult) -> str:
    if not word.needs_work:
        return f'<span class="pc-word">{escape(word.text)}</span>'
    stress = word.stress_error
    notes = [f"expected {escape(to_ipa(word.expected_phones, word.expected_stress))}"]
    if _heard_differently(word):
        notes.append(f"heard {escape(_heard_ipa(word))}")
    elif word.status == "missing":
        notes.append("not heard")
    elif stress:  # only the stress was wrong: the sounds are not the point
        notes = []
    if stress:
        notes.append(escape(stress_note(stress, word.expected_phones)))
    tip = " · ".join(notes)
    return (f'<span class="pc-word pc-{escape(word.status)}" tabindex="0">{escape(word.text)}'
            f'<span class="pc-tip">{tip}</span></span>')


def _error_item(word: WordResult) -> str:
    stress = word.stress_error
    notes = []
    if _heard_differently(word):
        notes.append(f"heard {escape(_heard_ipa(word))}")
    if stress:
        notes.append(escape(stress_note(stress, word.expected_phones)))
    heard = f' <span class="pc-note">({"; ".join(notes)})</span>' if notes else ""
    missing = word.status == "missing"
    explanation = word.explanation or (MISSING_EXPLANATION if missing else None)
    suggestion = word.suggestion or (MISSING_SUGGESTION if missing else None)
    explained = f" — {escape(explanation)}" if explanation else ""
    tip = f'<span class="pc-try">Try: {escape(suggestion)}</span>' if suggestion else ""
    return f"<li><b>{escape(word.text)}</b> {_expected_ipa(word, stress)}{heard}{explained}{tip}</li>"
