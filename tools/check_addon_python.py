"""Check that the packaged add-on runs on the oldest Python that its ``min_point_version`` lets Anki use.

Anki loads the add-on into its own interpreter, so a ``.ankiaddon`` that claims Anki 25.02 must run on
that Anki's Python (3.9). No such interpreter is needed here; three checks read the code instead:

1. syntax: ``ast.parse(..., feature_version=...)`` (``match``, ``except*``, new decorators...);
2. standard-library APIs and keyword arguments: ``vermin`` (``itertools.pairwise``, ``zip(strict=)``...);
3. ``X | Y`` evaluated at run time (``isinstance(v, int | float)``, type aliases), which vermin cannot
   tell apart from annotations that ``from __future__ import annotations`` keeps unevaluated.

    python tools/check_addon_python.py dist/pronunciation_coach.ankiaddon
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

#: (first Anki point version that needs this Python, the Python it needs), newest first. Anki's
#: builds before 26.05 run add-ons on Python 3.9.
ANKI_PYTHON: tuple[tuple[int, tuple[int, int]], ...] = ((260500, (3, 10)), (0, (3, 9)))
#: names that are types, never flags: ``int | None`` is a union, ``Qt.AlignLeft | Qt.AlignTop`` is not
_TYPE_NAMES = frozenset({"int", "float", "str", "bytes", "bool", "list", "dict", "tuple", "set", "frozenset",
                         "type", "object", "complex", "bytearray"})


def python_for(min_point_version: int) -> tuple[int, int]:
    """The oldest Python an Anki of ``min_point_version`` or later may run the add-on with."""
    return next(python for first, python in ANKI_PYTHON if min_point_version >= first)


def _is_type_operand(node: ast.expr) -> bool:
    return ((isinstance(node, ast.Constant) and node.value is None)
            or (isinstance(node, ast.Name) and node.id in _TYPE_NAMES)
            or isinstance(node, ast.Subscript)
            or (isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr)
                and (_is_type_operand(node.left) or _is_type_operand(node.right))))


def _annotation_nodes(tree: ast.Module) -> set[int]:
    """ids of every node inside an annotation (left unevaluated under ``from __future__ import annotations``)."""
    roots: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign | ast.arg):
            annotation = node.annotation
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            annotation = node.returns
        else:
            continue
        if annotation is not None:
            roots.append(annotation)
    return {id(inner) for root in roots for inner in ast.walk(root)}


def runtime_unions(source: str) -> list[int]:
    """Line numbers where ``X | Y`` of types is evaluated when the module runs."""
    tree = ast.parse(source)
    postponed = any(isinstance(node, ast.ImportFrom) and node.module == "__future__"
                    and any(alias.name == "annotations" for alias in node.names) for node in tree.body)
    skipped = _annotation_nodes(tree) if postponed else set()
    return sorted({node.lineno for node in ast.walk(tree)
                   if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr) and id(node) not in skipped
                   and (_is_type_operand(node.left) or _is_type_operand(node.right))})


def check_sources(sources: dict[str, str], python: tuple[int, int]) -> list[str]:
    """Problems (``file:line: what``) of the given ``{name: source}`` on ``python``; empty when it runs there."""
    problems: list[str] = []
    for name, source in sources.items():
        try:
            ast.parse(source, filename=name, feature_version=python)
        except SyntaxError as exc:
            problems.append(f"{name}:{exc.lineno}: syntax needs a newer Python ({exc.msg})")
        if python < (3, 10):
            problems.extend(f"{name}:{line}: 'X | Y' of types is evaluated at run time (needs 3.10)"
                            for line in runtime_unions(source))
    with tempfile.TemporaryDirectory() as folder:
        for name, source in sources.items():
            path = Path(folder) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(source, encoding="utf-8")
        target = f"-t={python[0]}.{python[1]}-"
        completed = subprocess.run([sys.executable, "-c", "import sys, vermin; sys.exit(vermin.main())", target,
                                    "--no-tips", "--violations", "-vv", "--no-parse-comments", folder],
                                   capture_output=True, text=True, check=False)
        if "Detecting python files" not in completed.stdout:
            problems.append(f"vermin did not run: {completed.stderr.strip()[-500:]}")
        elif completed.returncode != 0:
            problems.extend(_vermin_violations(completed.stdout, folder))
    return problems


def _vermin_violations(output: str, folder: str) -> list[str]:
    """``file: what`` for each violation in vermin's ``--violations -vv`` report."""
    found, current = [], "?"
    for line in output.splitlines():
        if line.startswith("!"):
            current = line.split(maxsplit=2)[-1].replace(folder + "/", "")
        elif line.startswith(" ") and "require" in line:
            found.append(f"{current}: {line.strip()}")
    return found


def check_package(addon_file: Path) -> tuple[tuple[int, int], list[str]]:
    """(the Python checked against, the problems) of a built ``.ankiaddon``."""
    with zipfile.ZipFile(addon_file) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        sources = {name: archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".py")}
    python = python_for(int(manifest.get("min_point_version", 0)))
    return python, check_sources(sources, python)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("addon_file", type=Path, help="the built .ankiaddon")
    args = parser.parse_args()
    python, problems = check_package(args.addon_file)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) for Python {python[0]}.{python[1]}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
