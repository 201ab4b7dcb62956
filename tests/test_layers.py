"""The dependency direction: model at the bottom, the CLI only on the facade."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "kbase"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                out.add((node.module or "").split(".")[0])
            elif node.module:
                out.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
    return out


def test_model_and_errors_use_only_the_standard_library() -> None:
    for name in ("model.py", "errors.py"):
        assert _imports(PKG / name) <= {"__future__", "dataclasses", "typing"}, name


def test_only_the_cli_imports_click() -> None:
    users = {p.relative_to(PKG).as_posix() for p in PKG.rglob("*.py") if "click" in _imports(p)}
    assert users == {"cli.py"}


def test_cli_sits_on_the_facade_only() -> None:
    allowed = {
        "",
        "__future__",
        "gc",
        "json",
        "os",
        "re",
        "sys",
        "warnings",
        "collections",
        "typing",
        "click",
        "cite",
        "model",
        "web",  # `kbase serve`, imported when the command runs
    }
    assert _imports(PKG / "cli.py") <= allowed


def test_web_sits_on_the_facade_only() -> None:
    allowed = {
        "",
        "__future__",
        "re",
        "pathlib",
        "typing",
        "urllib",
        "flask",
        "markupsafe",
        "werkzeug",
        "cite",
        "errors",
        "kb",
    }
    assert _imports(PKG / "web" / "__init__.py") <= allowed


def test_ingestors_never_touch_the_index() -> None:
    for path in (PKG / "ingest").glob("*.py"):
        assert not _imports(path) & {"index", "whoosh", "kb", "search"}, path.name
