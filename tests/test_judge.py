"""``tools/judge.py`` against a stand-in chat server: relevance ratings, both-order comparisons, the cache."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tools import judge


class StandInJudge:
    """Rates a suggestion that mentions the tongue 4, one with '???' with prose, any other 2; prefers the
    feedback that mentions the tongue and, when neither or both do, always picks the first (position bias)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def reply(self, body: dict[str, Any]) -> str:
        self.requests.append(body)
        user = body["messages"][1]["content"]
        if "Suggestion:" in user:
            suggestion = user.split("Suggestion:", 1)[1].split("\n", 1)[0]
            return "I am not sure." if "???" in suggestion else ("4" if "tongue" in suggestion else "Rating: 2")
        match = re.search(r"Feedback 1:\n(.*)\n\nFeedback 2:\n(.*)\n\nWhich", user, re.DOTALL)
        assert match is not None
        first, second = match.groups()
        return "2" if "tongue" in second and "tongue" not in first else "1"

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return None

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                data = json.dumps({"choices": [{"message": {"role": "assistant", "content": stand_in.reply(body)},
                                                "finish_reason": "stop"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}/v1"


@pytest.fixture()
def stand_in() -> Iterator[tuple[StandInJudge, str]]:
    fake = StandInJudge()
    server, url = fake.serve()
    yield fake, url
    server.shutdown()


def _answers(path: Path, raw: list[str]) -> Path:
    texts = ["I think so", "No problem here", "A cat sat"]
    truth: list[dict[str, Any]] = [{"think": [{"issue": "TH became S", "suggestion": "Tongue out."}]}, {},
                                   {"cat": [{"issue": "T dropped", "suggestion": "End with T."}]}]
    path.write_text(json.dumps([{"audio_path": f"{n}.wav", "text": t, "mis_exp_sug": m,
                                 "speculative_mispronunciations": r}
                                for n, (t, m, r) in enumerate(zip(texts, truth, raw, strict=True))]))
    return path


def test_relevance_is_rated_per_suggestion_and_cached(stand_in: tuple[StandInJudge, str], tmp_path: Path) -> None:
    fake, url = stand_in
    answers = _answers(tmp_path / "a.json", [
        "word: think issue: TH became S suggestion: Put your tongue between your teeth\n"
        "word: so issue: fine suggestion: ???",
        "No Problem",
        "word: cat issue: T dropped suggestion: say it again",
    ])
    out = tmp_path / "relevance.json"
    argv = ["relevance", str(answers), "--url", url, "--model", "judge", "--json-out", str(out)]
    assert judge.main(argv) == 0
    summary = json.loads(out.read_text())["summary"]
    assert (summary["suggestions"], summary["unreadable"], summary["mean_relevance"]) == (2, 1, (4 + 2) / 2)
    assert summary["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0}
    assert "Tongue out." in fake.requests[0]["messages"][1]["content"]  # the annotators' findings for "think"
    asked = len(fake.requests)
    assert asked == 3 and judge.main(argv) == 0
    assert len(fake.requests) == asked  # every answer came from the cache


def test_comparisons_are_asked_in_both_orders_and_position_bias_is_a_tie(
        stand_in: tuple[StandInJudge, str], tmp_path: Path) -> None:
    fake, url = stand_in
    a = _answers(tmp_path / "a.json", ["word: think issue: TH suggestion: tongue between the teeth", "No Problem",
                                       "word: cat issue: T dropped suggestion: say it again"])
    b = _answers(tmp_path / "b.json", ["word: think issue: x suggestion: say it again", "No Problem",
                                       "word: cat issue: T dropped suggestion: touch the tongue to the ridge"])
    out = tmp_path / "compare.json"
    assert judge.main(["compare", str(a), str(b), "--url", url, "--model", "judge", "--json-out", str(out)]) == 0
    result = json.loads(out.read_text())
    # 1: A mentions the tongue, both orders pick it: a win. 2: neither does, the judge picks the first
    # both times: the orders disagree, a tie. 3: B mentions the tongue: a loss.
    assert [u["outcome"] for u in result["utterances"]] == ["win", "tie", "loss"]
    assert result["summary"]["win_rate"] == pytest.approx(1 / 3) and result["summary"]["order_disagreements"] == 1
    assert len(fake.requests) == 5  # 2 orders x 3, but utterance 2's two orders are the same question: cached
