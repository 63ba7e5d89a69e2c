"""The packaged add-on runs on the Python of the oldest Anki its manifest allows (3.9 for Anki 25.02)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.anki_support.addon_import import REPO_ROOT
from tools import check_addon_python, package_addon

pytest.importorskip("vermin")

MANIFEST = json.loads((REPO_ROOT / "manifest.json").read_text(encoding="utf-8"))


def test_the_manifest_claims_anki_25_02_which_runs_python_3_9() -> None:
    assert MANIFEST["min_point_version"] == 250200
    assert check_addon_python.python_for(MANIFEST["min_point_version"]) == (3, 9)
    assert check_addon_python.python_for(260500) == (3, 10)


def test_the_packaged_addon_passes_the_check_for_its_oldest_python(tmp_path: Path) -> None:
    python, problems = check_addon_python.check_package(package_addon.build(tmp_path))
    assert python == (3, 9)
    assert problems == []


BROKEN = {
    "syntax.py": "match 1:\n    case 1:\n        pass\n",
    "stdlib.py": "from itertools import pairwise\nprint(list(pairwise([1, 2])))\n",
    "union.py": "from __future__ import annotations\n\ndef f(v: int | None) -> bool:\n"
                "    return isinstance(v, int | float)\n\nAlias = str | None\n",
}


def test_each_kind_of_newer_python_is_caught() -> None:
    problems = check_addon_python.check_sources(BROKEN, (3, 9))
    assert any(p.startswith("syntax.py:3: syntax needs a newer Python") for p in problems), problems
    assert any(p.startswith("stdlib.py") and "pairwise" in p for p in problems), problems
    assert [p for p in problems if p.startswith("union.py")] == [
        "union.py:4: 'X | Y' of types is evaluated at run time (needs 3.10)",
        "union.py:6: 'X | Y' of types is evaluated at run time (needs 3.10)",
    ], "annotations are left alone under the __future__ import"


def test_flags_and_postponed_annotations_are_fine_on_3_9() -> None:
    fine = {"fine.py": "from __future__ import annotations\nimport re\n\ndef f(x: list[int] | None) -> str | None:\n"
                       "    return None\n\nFLAGS = re.IGNORECASE | re.MULTILINE\n"}
    assert check_addon_python.check_sources(fine, (3, 9)) == []
