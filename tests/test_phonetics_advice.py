"""Every phone error gets learner advice; readings get a summary with the most useful tips first."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inference_daemon.feedback import ErrorType, PhoneError, WordFeedback, WordStatus
from inference_daemon.phonetics import PHONES, advise_error, advise_word, phone_info, summarize
from inference_daemon.phonetics.knowledge import load_knowledge_base

SUB, DEL, INS = ErrorType.substitution, ErrorType.deletion, ErrorType.insertion


def substitution(expected: str, heard: str, position: int = 0) -> PhoneError:
    return PhoneError(type=SUB, expected=expected, heard=heard, position=position)


def deletion(expected: str | None, position: int) -> PhoneError:
    return PhoneError(type=DEL, expected=expected, position=position)


def insertion(heard: str, position: int) -> PhoneError:
    return PhoneError(type=INS, heard=heard, position=position)


def word(index: int, text: str, phones: list[str], errors: list[PhoneError] | None = None,
         status: WordStatus | None = None) -> WordFeedback:  # fmt: skip
    if status is None:
        status = WordStatus.mispronounced if errors else WordStatus.ok
    return WordFeedback(
        index=index, text=text, score=40 if errors else 95, status=status, expected_phones=phones,
        errors=errors or [],
    )  # fmt: skip


NAMED_CONFUSIONS = [
    "TH->S", "TH->T", "TH->F", "DH->D", "DH->Z", "R->L", "L->R", "V->W", "V->B", "W->V",
    "IY->IH", "IH->IY", "AE->EH", "UW->UH", "Z->S", "NG->N",
]  # fmt: skip


@pytest.mark.parametrize("confusion", NAMED_CONFUSIONS)
def test_named_confusion_gets_its_own_advice_with_a_minimal_pair(confusion: str) -> None:
    expected, heard = confusion.split("->")
    advice = advise_error(substitution(expected, heard), "word", [expected])
    assert advice.pattern == confusion
    assert advice.minimal_pair is not None
    assert advice.explanation and advice.suggestion


@pytest.mark.parametrize("confusion", sorted(load_knowledge_base().confusions))
def test_confusion_explanation_names_both_sounds(confusion: str) -> None:
    expected, heard = confusion.split("->")
    advice = advise_error(substitution(expected, heard), "word", [expected])
    assert phone_info(expected).slashed in advice.explanation
    assert phone_info(heard).slashed in advice.explanation


def test_phones_are_accepted_in_any_case_and_with_stress() -> None:
    advice = advise_error(substitution("th", "s1"), "think", ["th", "ih1", "ng", "k"])
    assert advice.pattern == "TH->S"


def test_final_consonant_deletion_is_its_own_pattern_with_a_pair() -> None:
    advice = advise_error(deletion("T", 2), "cat", ["K", "AE", "T"])
    assert advice.pattern == "final-deletion"
    assert "/t/" in advice.explanation and "'cat'" in advice.explanation
    assert advice.minimal_pair == load_knowledge_base().final_deletion_pairs["T"]


def test_deleted_phone_is_found_from_position_when_error_omits_it() -> None:
    advice = advise_error(deletion(None, 2), "dog", ["D", "AO", "G"])
    assert advice.pattern == "final-deletion"
    assert "/ɡ/" in advice.explanation


def test_vowel_added_after_final_consonant_is_epenthesis() -> None:
    advice = advise_error(insertion("UH", 3), "cat", ["K", "AE", "T"])
    assert advice.pattern == "epenthesis"
    assert "/t/" in advice.explanation
    assert advice.minimal_pair is not None


def test_vowel_added_inside_a_cluster_is_cluster_epenthesis() -> None:
    advice = advise_error(insertion("AH0", 1), "blue", ["B", "L", "UW"])
    assert advice.pattern == "cluster-epenthesis"
    assert "/b/" in advice.explanation and "/l/" in advice.explanation


def test_vowel_added_before_initial_s_cluster_is_initial_epenthesis() -> None:
    advice = advise_error(insertion("EH", 0), "school", ["S", "K", "UW", "L"])
    assert advice.pattern == "initial-epenthesis"


def test_consonant_dropped_from_a_cluster_names_the_cluster() -> None:
    advice = advise_error(deletion("T", 1), "street", ["S", "T", "R", "IY", "T"])
    assert advice.pattern == "cluster-reduction"
    assert "/stɹ/" in advice.explanation


def test_other_special_patterns() -> None:
    assert advise_error(deletion("HH", 0), "hat", ["HH", "AE", "T"]).pattern == "HH-deletion"
    assert advise_error(insertion("G", 3), "sing", ["S", "IH", "NG"]).pattern == "G-after-NG"
    assert advise_error(deletion("AH", 0), "about", ["AH", "B", "AW", "T"]).pattern == "vowel-deletion"


def test_every_substitution_between_two_phones_is_explained() -> None:
    specific = load_knowledge_base().confusions
    for expected, heard in itertools.permutations(PHONES, 2):
        advice = advise_error(substitution(expected, heard), "word", [expected])
        key = f"{expected}->{heard}"
        assert advice.pattern == (key if key in specific else "generic-substitution")
        for text in (advice.explanation, advice.suggestion, advice.brief):
            assert text.strip() and "{" not in text, (key, text)


def test_generic_substitution_compares_features() -> None:
    advice = advise_error(substitution("B", "M"), "bat", ["B", "AE", "T"])
    assert advice.pattern == "generic-substitution"
    assert "/b/" in advice.explanation and "/m/" in advice.explanation
    assert "nose" in advice.explanation  # /m/ is nasal, /b/ is a stop


def test_consonant_heard_for_a_vowel_is_answered_with_how_to_make_the_vowel() -> None:
    advice = advise_error(substitution("AA", "K", 1), "hot", ["HH", "AA", "T"])
    assert advice.pattern == "generic-substitution"
    assert "vowel" in advice.explanation and "consonant" in advice.explanation
    assert "open your jaw wide" in advice.suggestion


def test_every_deletion_and_insertion_is_explained() -> None:
    for phone in PHONES:
        for phones, position in ((["K", phone, "T"], 1), ([phone, "AE"], 0), (["AE", phone], 1)):
            advice = advise_error(deletion(phone, position), "word", phones)
            assert advice.explanation.strip() and advice.suggestion.strip(), (phone, phones)
        for position in range(4):
            advice = advise_error(insertion(phone, position), "cat", ["K", "AE", "T"])
            assert advice.explanation.strip() and "{" not in advice.explanation, (phone, position)


@pytest.mark.parametrize(
    "error",
    [
        substitution("AX", "AH"),
        substitution("AH", "ERR"),
        substitution("ERR", "XX"),
        substitution("T", "T"),
        deletion("ERR", 0),
        deletion(None, 7),
        insertion("AX", 1),
        insertion("UH", 9),
    ],
)
def test_unknown_phones_and_odd_positions_fall_back_to_generic_words(error: PhoneError) -> None:
    advice = advise_error(error, "cat", ["K", "AE", "T"])
    assert not advice.is_specific
    assert advice.explanation.strip() and advice.suggestion.strip()
    assert "{" not in advice.explanation + advice.suggestion


_ANY_PHONE = st.one_of(
    st.sampled_from(PHONES), st.sampled_from(["ax", "AR", "TS", "ERR", "ih2", ""]), st.text(max_size=4)
)


@settings(max_examples=300, deadline=None)
@given(
    error_type=st.sampled_from(list(ErrorType)),
    expected=st.one_of(st.none(), _ANY_PHONE),
    heard=st.one_of(st.none(), _ANY_PHONE),
    position=st.integers(min_value=0, max_value=8),
    phones=st.lists(_ANY_PHONE, max_size=6),
    native_language=st.one_of(st.none(), st.sampled_from(["zh", "es-MX", "JA", "xx", ""])),
)
def test_any_error_whatever_its_phones_gets_advice_without_raising(
    error_type: ErrorType,
    expected: str | None,
    heard: str | None,
    position: int,
    phones: list[str],
    native_language: str | None,
) -> None:
    error = PhoneError(type=error_type, expected=expected, heard=heard, position=position)
    explanation, suggestion = advise_word("word", phones, [error], native_language)
    assert explanation and suggestion
    assert "{" not in explanation + suggestion


def test_native_language_note_for_mandarin_on_th_as_s() -> None:
    advice = advise_error(substitution("TH", "S"), "think", ["TH", "IH", "NG", "K"], native_language="zh")
    assert advice.l1_note is not None and "Mandarin" in advice.l1_note
    regional = advise_error(substitution("TH", "S"), "think", ["TH"], native_language="zh-CN")
    assert regional.l1_note == advice.l1_note


def test_no_native_language_note_for_an_unrelated_language() -> None:
    languages = load_knowledge_base().native_languages
    unrelated = [code for code, language in languages.items() if "TH->S" not in language.notes]
    assert unrelated, "some language should have no TH->S note"
    for code in [*unrelated, "xx", None]:
        assert advise_error(substitution("TH", "S"), "think", ["TH"], native_language=code).l1_note is None


def test_word_without_errors_gets_no_advice() -> None:
    assert advise_word("cat", ["K", "AE", "T"], []) == (None, None)


def test_word_advice_leads_with_the_specific_error_and_mentions_the_others() -> None:
    errors = [substitution("K", "T", 0), substitution("TH", "S", 2), deletion("R", 3)]
    explanation, suggestion = advise_word("cathr", ["K", "AE", "TH", "R"], errors)
    assert explanation is not None and suggestion is not None
    th_as_s = advise_error(errors[1], "cathr", ["K", "AE", "TH", "R"])
    assert explanation.startswith(th_as_s.explanation)
    assert "Also," in explanation and "/k/" in explanation
    assert suggestion.startswith(th_as_s.suggestion)


def test_a_word_with_every_phone_deleted_is_explained_as_not_heard() -> None:
    phones = ["SH", "UH", "D"]
    explanation, suggestion = advise_word("should", phones, [deletion(p, i) for i, p in enumerate(phones)])
    assert explanation == "'should' was not heard in your recording: it seems to have been skipped."
    assert suggestion is not None and "'should' included" in suggestion
    # Two of three phones dropped is still a word that was read: its phones are explained.
    partial, _ = advise_word("should", phones, [deletion("UH", 1), deletion("D", 2)])
    assert partial is not None and "not heard" not in partial


def test_word_advice_adds_minimal_pair_and_native_language_note() -> None:
    _, suggestion = advise_word("cat", ["K", "AE", "T"], [deletion("T", 2)], native_language="vi")
    assert suggestion is not None
    assert "'seat'" in suggestion and "'sea'" in suggestion
    assert "Vietnamese" in suggestion


def test_summary_ranks_the_pattern_affecting_most_words_first() -> None:
    words = [
        word(0, "very", ["V", "EH", "R", "IY"], [substitution("V", "W", 0)]),
        word(1, "think", ["TH", "IH", "NG", "K"], [substitution("TH", "S", 0)]),
        word(2, "three", ["TH", "R", "IY"], [substitution("TH", "S", 0)]),
        word(3, "thin", ["TH", "IH", "N"], [substitution("TH", "S", 0)]),
    ]
    summary, suggestions = summarize(words, 60.0)
    assert "'very'" in summary and "'think'" in summary
    assert "'think'" in suggestions[0] and "'three'" in suggestions[0]
    assert "'very'" in suggestions[1]


def test_summary_mentions_skipped_words() -> None:
    words = [
        word(0, "the", ["DH", "AH"], status=WordStatus.missing),
        word(1, "cat", ["K", "AE", "T"]),
        word(2, "sat", ["S", "AE", "T"]),
    ]
    summary, suggestions = summarize(words, 70.0)
    assert "skipped 'the'" in summary
    assert any("'the'" in tip for tip in suggestions)


def test_summary_counts_clear_words_in_good_english() -> None:
    words = [
        word(0, "the", ["DH", "AH"], status=WordStatus.missing),
        word(1, "cat", ["K", "AE", "T"]),
        word(2, "sat", ["S", "AE", "T"], [substitution("AE", "EH", 1)]),
    ]
    assert "1 of 3 words was clear" in summarize(words, 40.0)[0]
    words[2] = word(2, "sat", ["S", "AE", "T"])
    assert "2 of 3 words were clear" in summarize(words, 70.0)[0]


def test_summary_when_every_word_is_missing() -> None:
    texts = load_knowledge_base().texts
    words = [word(i, text, ["AH"], status=WordStatus.missing) for i, text in enumerate(["a", "b"])]
    assert summarize(words, 0.0) == (texts["all_missing"], [texts["all_missing_tip"]])


def test_summary_is_encouraging_on_a_perfect_reading() -> None:
    texts = load_knowledge_base().texts
    words = [word(0, "good", ["G", "UH", "D"]), word(1, "day", ["D", "EY"])]
    summary, suggestions = summarize(words, 97.0)
    assert summary == texts["all_clear"]
    assert suggestions == []


def test_summary_includes_one_native_language_tip_within_three() -> None:
    words = [
        word(0, "very", ["V", "EH", "R", "IY"], [substitution("V", "B", 0)]),
        word(1, "cat", ["K", "AE", "T"], [substitution("K", "T", 0)]),
        word(2, "dog", ["D", "AO", "G"], [substitution("D", "N", 0)]),
        word(3, "think", ["TH", "IH", "NG", "K"], [substitution("TH", "S", 0)]),
        word(4, "is", ["IH", "Z"], status=WordStatus.missing),
    ]
    _, suggestions = summarize(words, 55.0, native_language="zh")
    note = load_knowledge_base().native_languages["zh"].notes["TH->S"]
    assert len(suggestions) == 3
    assert suggestions[-1] == note
    assert "'think'" in suggestions[-2]
    _, without_language = summarize(words, 55.0)
    assert note not in without_language and len(without_language) == 3


def test_summary_for_mispronounced_word_without_phone_errors() -> None:
    words = [word(0, "hmm", ["HH", "M"], status=WordStatus.mispronounced), word(1, "ok", ["OW", "K", "EY"])]
    summary, suggestions = summarize(words, 60.0)
    assert "'hmm'" in summary
    assert suggestions and "'hmm'" in suggestions[0]
