"""CTC forced alignment, CTC-GOP and phone-sequence alignment on hand-built posteriors with known answers.

The posteriors are written frame by frame: each frame puts most of its probability on one token
(blank or a phone), so the right alignment, the right verdict on each phone and the right edit
operations are known in advance.
"""

from __future__ import annotations

import numpy as np
import pytest

from inference_daemon.backends.ctc.analysis import analyse, choose_pronunciations
from inference_daemon.backends.ctc.forced_align import (
    BLANK_FRAME,
    AlignmentImpossible,
    state_spans,
    viterbi_path,
)
from inference_daemon.backends.ctc.free_decode import (
    AlignedPair,
    align_phone_sequences,
    greedy_tokens,
    hearing_by_word,
)
from inference_daemon.backends.ctc.gop import Window, ctc_log_likelihoods, word_gop
from inference_daemon.backends.ctc.phone_map import PhoneInventory, build_inventory

BLANK = 0
# A toy model: token 0 is the blank, then one token per phone.
TOKENS = {"<pad>": 0, "k": 1, "æ": 2, "t": 3, "s": 4, "ɪ": 5, "p": 6, "ə": 7}
PHONE_OF = {"K": 1, "AE": 2, "T": 3, "S": 4, "IH": 5, "P": 6, "AH": 7}


def posteriors(frames: list[str | None], confidence: float = 0.9) -> np.ndarray:
    """Log-posteriors where each frame gives ``confidence`` to its phone (``None``: blank)."""
    probs = np.full((len(frames), len(TOKENS)), (1 - confidence) / (len(TOKENS) - 1))
    for frame, phone in enumerate(frames):
        probs[frame, BLANK if phone is None else PHONE_OF[phone]] = confidence
    return np.log(probs)


@pytest.fixture(scope="module")
def inventory() -> PhoneInventory:
    return build_inventory(TOKENS, blank_ids=[BLANK])


def states(inventory: PhoneInventory, phones: list[str]) -> list[frozenset[int]]:
    return [state for phone in phones for state in inventory.units[phone]]


# --- forced alignment ------------------------------------------------------------------------------


def test_viterbi_puts_each_phone_on_the_frames_that_emit_it(inventory: PhoneInventory) -> None:
    log_probs = posteriors([None, "K", "K", None, "AE", None, None, "T", None])
    path = viterbi_path(log_probs, states(inventory, ["K", "AE", "T"]), inventory.blank)
    assert list(path) == [BLANK_FRAME, 0, 0, BLANK_FRAME, 1, BLANK_FRAME, BLANK_FRAME, 2, BLANK_FRAME]
    spans = state_spans(path, 3)
    assert [(s.first, s.last) for s in spans] == [(1, 2), (4, 4), (7, 7)]


def test_repeated_phone_is_aligned_to_two_peaks_separated_by_blank(inventory: PhoneInventory) -> None:
    log_probs = posteriors([None, "T", None, None, "T", None])
    path = viterbi_path(log_probs, states(inventory, ["T", "T"]), inventory.blank)
    spans = state_spans(path, 2)
    assert (spans[0].first, spans[1].first) == (1, 4)


def test_repeated_phone_without_a_blank_between_cannot_fit_two_frames(inventory: PhoneInventory) -> None:
    with pytest.raises(AlignmentImpossible):
        viterbi_path(posteriors(["T", "T"]), states(inventory, ["T", "T"]), inventory.blank)


def test_deleted_phone_still_gets_a_frame_in_order(inventory: PhoneInventory) -> None:
    log_probs = posteriors([None, "K", None, None, "T", None])
    spans = state_spans(viterbi_path(log_probs, states(inventory, ["K", "AE", "T"]), inventory.blank), 3)
    assert spans[0].last < spans[1].first <= spans[1].last < spans[2].first


# --- CTC likelihoods and GOP -----------------------------------------------------------------------


def test_ctc_likelihood_sums_every_path() -> None:
    # Two frames, one label: paths "a a", "_ a", "a _" -> p(a)^2 + 2 p(_) p(a).
    probs = np.array([[0.3, 0.7], [0.6, 0.4]])
    expected = 0.7 * 0.4 + 0.3 * 0.4 + 0.7 * 0.6
    likelihood = ctc_log_likelihoods(np.log(probs), [[frozenset({1})]], frozenset({0}))
    assert likelihood[0] == pytest.approx(np.log(expected))


def test_ctc_likelihood_stays_finite_when_the_expected_phone_is_far_below_the_best() -> None:
    # The model is sure of the blank (log 0) and gives the phone log -2000: unlikely, not impossible.
    log_probs = np.array([[0.0, -2000.0], [0.0, -2000.0], [0.0, -2000.0]])
    likelihood = ctc_log_likelihoods(log_probs, [[frozenset({1})], []], frozenset({0}))
    assert np.isfinite(likelihood[0]) and likelihood[0] < likelihood[1]


def test_correct_phones_win_their_gop(inventory: PhoneInventory) -> None:
    log_probs = posteriors([None, "K", None, "AE", None, "T", None])
    verdict = word_gop(log_probs, ["K", "AE", "T"], inventory.units, inventory.blank)
    assert all(phone.margin < 0 for phone in verdict.phones)
    assert all(np.exp(phone.gop) > 0.8 for phone in verdict.phones)
    assert verdict.deletion_margin < 0


def test_substituted_phone_names_what_was_heard(inventory: PhoneInventory) -> None:
    log_probs = posteriors([None, "K", None, "IH", "IH", None, "T", None])
    verdict = word_gop(log_probs, ["K", "AE", "T"], inventory.units, inventory.blank)
    k, ae, t = verdict.phones
    assert ae.competitor == "IH" and ae.margin > 0 and np.exp(ae.gop) < 0.1
    assert k.margin < 0 and t.margin < 0


def test_second_pass_keeps_one_error_from_dragging_down_its_neighbours(inventory: PhoneInventory) -> None:
    log_probs = posteriors([None, "K", None, "IH", None, "T", None])
    verdict = word_gop(log_probs, ["K", "AE", "T"], inventory.units, inventory.blank)
    assert np.exp(verdict.phones[0].gop) > 0.8
    assert np.exp(verdict.phones[2].gop) > 0.8


def test_a_phone_heard_inserted_is_kept_in_every_hypothesis(inventory: PhoneInventory) -> None:
    log_probs = posteriors([None, "K", None, "AE", None, "T", None, "AH", None])
    window = Window(insertions=((3, inventory.units["AH"]),))
    verdict = word_gop(log_probs, ["K", "AE", "T"], inventory.units, inventory.blank, window)
    assert all(phone.margin < 0 and np.exp(phone.gop) > 0.8 for phone in verdict.phones)


def test_insertions_that_do_not_fit_the_window_are_left_out(inventory: PhoneInventory) -> None:
    log_probs = posteriors([None, "K", None, "AE", None, "T", None])
    window = Window(insertions=tuple((3, inventory.units["AH"]) for _ in range(4)))
    verdict = word_gop(log_probs, ["K", "AE", "T"], inventory.units, inventory.blank, window)
    assert all(phone.margin < 0 for phone in verdict.phones)


def test_deleted_phone_is_heard_as_a_deletion(inventory: PhoneInventory) -> None:
    log_probs = posteriors([None, "K", None, None, None, "T", None])
    verdict = word_gop(log_probs, ["K", "AE", "T"], inventory.units, inventory.blank)
    assert verdict.phones[1].competitor is None and verdict.phones[1].margin > 0
    assert verdict.phones[0].margin < 0 and verdict.phones[2].margin < 0


def test_word_with_no_frames_of_its_own_is_likelier_deleted(inventory: PhoneInventory) -> None:
    # "sit" then "cat", but only "sit" was said: "cat" has only blank frames after it.
    log_probs = posteriors([None, "S", None, "IH", None, "T", None, None, None, None, None])
    analysis = analyse(log_probs, inventory, [["S", "IH", "T"], ["K", "AE", "T"]])
    said, skipped = analysis.words
    assert said.deletion_margin < 0 and skipped.deletion_margin > 0


# --- free decoding and phone-sequence alignment -----------------------------------------------------


def test_greedy_decoding_merges_repeats_and_drops_blanks() -> None:
    log_probs = posteriors([None, "K", "K", None, "K", "AE", None])
    tokens = greedy_tokens(log_probs, frozenset({BLANK}))
    assert [(t.token_id, t.first, t.last) for t in tokens] == [(1, 1, 2), (1, 4, 4), (2, 5, 5)]


@pytest.mark.parametrize(
    ("heard", "pairs"),
    [
        (["K", "AE", "T"], [(0, 0), (1, 1), (2, 2)]),
        (["K", "IH", "T"], [(0, 0), (1, 1), (2, 2)]),
        (["K", "T"], [(0, 0), (1, None), (2, 1)]),
        (["K", "AE", "T", "S"], [(0, 0), (1, 1), (2, 2), (None, 3)]),
        (["S", "K", "AE", "T"], [(None, 0), (0, 1), (1, 2), (2, 3)]),
    ],
    ids=["match", "substitution", "deletion", "insertion-after", "insertion-before"],
)
def test_phone_sequences_align_by_edit_distance(heard: list[str], pairs: list[tuple[int | None, int | None]]
                                                ) -> None:
    assert align_phone_sequences(["K", "AE", "T"], heard) == [AlignedPair(e, h) for e, h in pairs]


def test_heard_phones_are_split_into_words_with_insertions_after_the_word() -> None:
    hearings = hearing_by_word([["K", "AE", "T"], ["S", "IH", "T"]], ["K", "AE", "T", "AH", "S", "T"])
    cat, sit = hearings
    assert cat.heard == ["K", "AE", "T", "AH"] and cat.insertions == [(3, "AH")]
    assert sit.heard == ["S", "T"] and sit.insertions == []


# --- the whole analysis -----------------------------------------------------------------------------


def test_analysis_marks_the_substitution_in_the_right_word(inventory: PhoneInventory) -> None:
    log_probs = posteriors([None, "K", None, "AE", None, "T", None, None, "S", None, "AE", None, "T", None])
    analysis = analyse(log_probs, inventory, [["K", "AE", "T"], ["S", "IH", "T"]])
    assert analysis.aligned
    cat, sit = analysis.words
    assert all(p.gop is not None and p.gop.margin < 0 for p in cat.phones)
    wrong = sit.phones[1].gop
    assert wrong is not None and wrong.competitor == "AE" and wrong.margin > 0
    assert sit.heard == ["S", "AE", "T"]
    assert cat.start is not None and cat.end is not None and sit.start is not None
    assert cat.start < cat.end <= sit.start


def test_the_pronunciation_variant_that_was_said_is_chosen(inventory: PhoneInventory) -> None:
    log_probs = posteriors([None, "S", None, "IH", None, "T", None, None, "K", None, "IH", None, "T", None])
    options = [[["S", "IH", "T"]], [["K", "AE", "T"], ["K", "IH", "T"]]]
    assert choose_pronunciations(log_probs, inventory, options) == [["S", "IH", "T"], ["K", "IH", "T"]]
    options = [[["S", "IH", "T"]], [["K", "IH", "T"], ["K", "AE", "T"]]]
    assert choose_pronunciations(log_probs, inventory, options)[1] == ["K", "IH", "T"]


def test_analysis_reports_an_inserted_vowel_after_the_word(inventory: PhoneInventory) -> None:
    log_probs = posteriors([None, "K", None, "AE", None, "T", None, "AH", None, None, "S", None, "IH", None, "T"])
    analysis = analyse(log_probs, inventory, [["K", "AE", "T"], ["S", "IH", "T"]])
    cat, sit = analysis.words
    assert cat.insertions == [(3, "AH")] and cat.heard == ["K", "AE", "T", "AH"]
    assert sit.insertions == [] and sit.heard == ["S", "IH", "T"]
    assert all(p.gop is not None and p.gop.margin < 0 for word in analysis.words for p in word.phones)


def test_analysis_of_a_recording_too_short_for_the_sentence(inventory: PhoneInventory) -> None:
    analysis = analyse(posteriors([None, "K"]), inventory, [["K", "AE", "T"], ["S", "IH", "T"]])
    assert not analysis.aligned
    assert all(p.start is None for word in analysis.words for p in word.phones)


def test_phones_the_model_lacks_are_kept_unscored(inventory: PhoneInventory) -> None:
    log_probs = posteriors([None, "K", None, "AE", None, "T", None])
    analysis = analyse(log_probs, inventory, [["K", "AE", "T", "ZH"]])
    phones = analysis.words[0].phones
    assert [p.scored for p in phones] == [True, True, True, False]
    assert phones[3].gop is None and phones[3].start is None
