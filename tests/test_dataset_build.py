"""tools/build_dataset.py on tiny corpora in the published layouts: errors, splits, feedback, examples, LLM."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from inference_daemon.backends.alm.prompt import AUDIO_PLACEHOLDER, AnswerFormat, parse_answer
from inference_daemon.feedback import ErrorType, PhoneError
from inference_daemon.phonetics import advise_word
from inference_daemon.training.targets import text_format_safe
from tests.support.corpora import write_l2arctic_speaker, write_speechocean
from tools import build_dataset

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")

SENTENCE = "The author saw the thin cat."
# Every tag kind: substitution, unclear (err), accented variant (*), addition, deletion; spaces inside tags.
WORDS = [
    ("the", [("DH,D,s", 0.05), ("AH0", 0.05)]),
    ("author", [("AO1", 0.1), ("TH, S ,s", 0.1), ("ER0", 0.1)]),
    ("saw", [("S", 0.1), ("AO1", 0.1), ("sil,AH,a", 0.05)]),
    ("the", [("DH", 0.05), ("AH, AO* ,s", 0.05)]),
    ("thin", [("TH , err, s", 0.1), ("IH1", 0.1), ("N", 0.1)]),
    ("cat", [("K", 0.1), ("AE1", 0.1), ("T,sil,d", 0.1)]),
]
CLEAN = ("A cat.", [("a", [("AH0", 0.1)]), ("cat", [("K", 0.1), ("AE", 0.1), ("T", 0.1)])])

S, D, INS = ErrorType.substitution, ErrorType.deletion, ErrorType.insertion
# word -> (canonical phones, errors) as the annotator meant them
EXPECTED_ERRORS = {
    "the": (["DH", "AH"], [PhoneError(type=S, expected="DH", heard="D", position=0)]),
    "author": (["AO", "TH", "ER"], [PhoneError(type=S, expected="TH", heard="S", position=1)]),
    "saw": (["S", "AO"], [PhoneError(type=INS, heard="AH", position=2)]),
    "thin": (["TH", "IH", "N"], [PhoneError(type=S, expected="TH", heard="err", position=0)]),
    "cat": (["K", "AE", "T"], [PhoneError(type=D, expected="T", position=2)]),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("l2arctic")
    write_l2arctic_speaker(root, "ABA", {"arctic_a0001": (SENTENCE, WORDS)})
    write_l2arctic_speaker(root, "NCC", {"arctic_a0002": CLEAN})
    write_l2arctic_speaker(root, "TLV", {"arctic_b0003": CLEAN})
    return root


@pytest.fixture(scope="module")
def built(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], list[dict]]:
    out = tmp_path_factory.mktemp("built")
    assert build_dataset.main(["l2arctic", str(corpus), "--out", str(out / "l2.json"), "--dev-speakers", "NCC",
                               "--examples", str(out / "examples.jsonl")]) == 0
    records = json.loads((out / "l2.json").read_text())
    examples = [json.loads(line) for line in (out / "examples.jsonl").read_text().splitlines()]
    return records, examples


def test_records_keep_every_error_with_its_word_and_speaker_disjoint_splits(built: tuple[list, list]) -> None:
    records, _ = built
    assert [(r["speaker"], r["split"], r["native_language"]) for r in records] == [
        ("ABA", "train", "ar"), ("NCC", "dev", "zh"), ("TLV", "test", "vi")]
    record = records[0]
    assert record["annotation_info"] == {
        "the": ["DH, D, s", "AH"], "author": ["AO", "TH, S, s", "ER"], "saw": ["S", "AO", "sil, AH, a"],
        "thin": ["TH, err, s", "IH", "N"], "cat": ["K", "AE", "T, sil, d"]}
    assert [(w["text"], w["phones"]) for w in record["words"]][3] == ("the", ["DH", "AH, AO*, s"])
    assert records[1]["mis_exp_sug"] == {} and records[2]["mis_exp_sug"] == {}


def test_feedback_comes_from_the_knowledge_base_for_the_exact_errors(built: tuple[list, list]) -> None:
    record = built[0][0]
    assert set(record["mis_exp_sug"]) == set(EXPECTED_ERRORS)
    for word, (phones, errors) in EXPECTED_ERRORS.items():
        issue, suggestion = advise_word(word, phones, errors, "ar")
        assert record["mis_exp_sug"][word] == [{"issue": issue, "suggestion": suggestion}], word
    second_the = record["words"][3]
    issue, suggestion = advise_word("the", ["DH", "AH"], [PhoneError(type=S, expected="AH", heard="AO", position=1)],
                                    "ar")
    assert second_the["feedback"] == [{"issue": issue, "suggestion": suggestion}]


def test_examples_in_both_answer_formats_parse_back_to_the_annotation(built: tuple[list, list]) -> None:
    _, examples = built
    assert [(e["id"], e["answer_format"]) for e in examples] == [
        (f"{speaker}_{utt}:{fmt}", fmt) for speaker, utt in
        (("ABA", "arctic_a0001"), ("NCC", "arctic_a0002"), ("TLV", "arctic_b0003")) for fmt in ("json", "text")]
    first_json, first_text, clean_json, clean_text = examples[0], examples[1], examples[2], examples[3]
    _system, user, assistant = first_json["messages"]
    assert user["content"].startswith(AUDIO_PLACEHOLDER) and f"Ground Truth: {SENTENCE}" in user["content"]
    words = ["The", "author", "saw", "the", "thin", "cat"]
    as_json = parse_answer(assistant["content"], AnswerFormat.json)
    assert [w.text for w in as_json.words] == words
    assert [w.heard_phones for w in as_json.words] == [
        ("D", "AH"), ("AO", "S", "ER"), ("S", "AO", "AH"), ("DH", "AO"), ("IH", "N"), ("K", "AE")]
    assert [w.score for w in as_json.words] == [50, 67, 67, 50, 67, 67]
    assert as_json.score == 62  # 10 of 16 annotated phones right (62.5 rounds to even)
    as_text = parse_answer(first_text["messages"][2]["content"], AnswerFormat.text)
    assert [w.text for w in as_text.words] == words
    issue, suggestion = advise_word("cat", *EXPECTED_ERRORS["cat"], "ar")
    assert suggestion is not None
    assert (as_text.words[-1].explanation, as_text.words[-1].suggestion) == (issue, text_format_safe(suggestion))
    assert clean_text["messages"][2]["content"] == "No Problem"
    assert parse_answer(clean_json["messages"][2]["content"], AnswerFormat.json).words == ()


def test_speechocean_scores_become_records(tmp_path: Path) -> None:
    words = [
        {"text": "TOM", "accuracy": 10, "phones": ["T", "AA0", "M"], "phones-accuracy": [2, 2, 2]},
        {"text": "GIVES", "accuracy": 5, "phones": ["G", "IH0", "V", "Z"], "phones-accuracy": [2, 1.8, 0.4, 2]},
        {"text": "UP", "accuracy": 4, "phones": ["AH0", "P"], "phones-accuracy": [2, 2],
         "mispronunciations": [{"canonical-phone": "P", "index": 1, "pronounced-phone": "B"}]},
    ]
    root = write_speechocean(tmp_path / "so", {"000010069": ("0001", "TOM GIVES UP", words)})
    assert build_dataset.main(["speechocean", str(root), "--out", str(tmp_path / "so.json")]) == 0
    [record] = json.loads((tmp_path / "so.json").read_text())
    assert (record["split"], record["native_language"], record["source"]) == ("train", "zh", "speechocean762")
    assert record["annotation_info"] == {"tom": ["T", "AA", "M"], "gives": ["G", "IH", "V, err, s", "Z"],
                                         "up": ["AH", "P, B, s"]}
    assert set(record["mis_exp_sug"]) == {"gives", "up"}


def _release_record(speaker: str, feedback: dict) -> dict:
    return {"audio_path": f"{speaker}/wav/arctic_a0001.wav", "text": SENTENCE, "regeneration": False,
            "annotation_info": {"the": ["DH, D, s", "AH"], "author": ["AO", "TH", "ER"], "saw": ["S", "AO"],
                                "thin": ["TH", "IH", "N"], "cat": ["K", "AE", "T, sil, d"]},
            "mis_exp_sug": feedback}


def test_release_keeps_its_feedback_and_splits_by_speaker(corpus: Path, tmp_path: Path) -> None:
    given = {"the": [{"issue": "DH became D.", "suggestion": "Tongue between teeth."}]}
    release = tmp_path / "train_data.json"
    release.write_text(json.dumps([_release_record("ABA", given), _release_record("TLV", {})]))
    assert build_dataset.main(["release", str(release), "--audio-root", str(corpus), "--out",
                               str(tmp_path / "plus.json")]) == 0
    first, second = json.loads((tmp_path / "plus.json").read_text())
    assert (first["split"], second["split"]) == ("train", "test")
    assert first["mis_exp_sug"]["the"] == given["the"]  # the release's own words
    issue, suggestion = advise_word("cat", *EXPECTED_ERRORS["cat"], "ar")
    assert suggestion is not None
    assert first["mis_exp_sug"]["cat"] == [{"issue": issue, "suggestion": suggestion}]  # filled in
    assert Path(first["audio_path"]).is_file()


class _FakeChatServer(ThreadingHTTPServer):
    answer_json = True
    requests_seen = 0


class _ChatHandler(BaseHTTPRequestHandler):
    server: _FakeChatServer

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests_seen += 1
        assert self.path == "/v1/chat/completions" and body["model"] == "teacher"
        word = body["messages"][1]["content"].splitlines()[0].removeprefix("Word: ")
        content = (json.dumps({"issue": f"Rewritten issue of {word}.", "suggestion": f"Practise {word}."})
                   if self.server.answer_json else "I cannot help with that.")
        payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def chat_server() -> Iterator[_FakeChatServer]:
    server = _FakeChatServer(("127.0.0.1", 0), _ChatHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def test_llm_rewrites_are_cached_and_fall_back_to_the_knowledge_base(
        corpus: Path, tmp_path: Path, chat_server: _FakeChatServer) -> None:
    url = f"http://127.0.0.1:{chat_server.server_address[1]}/v1"
    arguments = ["l2arctic", str(corpus), "--llm-url", url, "--llm-model", "teacher",
                 "--llm-cache", str(tmp_path / "cache.jsonl")]
    build_dataset.main([*arguments, "--out", str(tmp_path / "a.json")])
    record = json.loads((tmp_path / "a.json").read_text())[0]
    assert record["mis_exp_sug"]["cat"] == [{"issue": "Rewritten issue of cat.", "suggestion": "Practise cat."}]
    assert chat_server.requests_seen == 6  # six mispronounced words, the repeated "the" included
    chat_server.answer_json = False
    build_dataset.main([*arguments, "--out", str(tmp_path / "b.json")])
    assert chat_server.requests_seen == 6  # every answer came from the cache
    assert json.loads((tmp_path / "b.json").read_text())[0]["mis_exp_sug"] == record["mis_exp_sug"]
    build_dataset.main([*arguments[:-1], str(tmp_path / "empty-cache.jsonl"), "--out", str(tmp_path / "c.json")])
    fallback = json.loads((tmp_path / "c.json").read_text())[0]["mis_exp_sug"]["cat"]
    issue, suggestion = advise_word("cat", *EXPECTED_ERRORS["cat"], "ar")
    assert suggestion is not None
    assert fallback == [{"issue": issue, "suggestion": suggestion}]
