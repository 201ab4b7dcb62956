"""One `kbase ingest` over the hostile-input catalogue (tests/catalogue.py): the batch finishes
in time and memory, every good or extractable file is indexed, every other file is named with
its reason in one line, and none of the script, style or entity text reaches the index."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from catalogue import build

from kbase import KnowledgeBase
from kbase.kb import display_name

CODE_MARKERS = [
    "SKRIPTTEKST",
    "STILTEKST",
    "HANDLERTEKST",
    "LENKEKODE",
    "NOSCRIPTTEKST",
    "ESKAPERTKODE",
    "BILDEKODE",
    "lollol",
    "root:x:0",
    "Denne filen ligger utenfor",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("hostile")
    folder = base / "katalog"
    expect = build(folder)
    index = base / "ix"
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "kbase", "--index", str(index), "ingest", str(folder)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
        env={**os.environ, "COLUMNS": "200"},
    )
    elapsed = time.monotonic() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "folder": folder,
        "expect": expect,
        "index": index,
        "proc": proc,
        "elapsed": elapsed,
        "peak_mb": peak_kb / 1024,
    }


def test_the_batch_finishes_in_time_and_memory_and_exits_1(run: dict) -> None:
    proc = run["proc"]
    assert proc.returncode == 1, proc.stderr
    assert run["elapsed"] < 300
    assert run["peak_mb"] < 2048
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


def test_every_message_is_one_line_that_names_its_file(run: dict) -> None:
    lines = run["proc"].stderr.splitlines()
    assert lines, "no messages"
    for line in lines:
        assert line.startswith(("warning: ", "failed: ")), line
        assert line.split(": ", 2)[1].startswith(str(run["folder"])), line


@pytest.mark.parametrize("outcome", ["failed", "skipped"])
def test_each_unusable_file_is_named_with_its_reason(run: dict, outcome: str) -> None:
    stderr = run["proc"].stderr
    for name, (want, clue) in run["expect"].items():
        if want != outcome:
            continue
        shown = display_name(str(run["folder"] / name))
        prefix = f"failed: {shown}: " if outcome == "failed" else f"warning: {shown}: skipped: "
        line = next((x for x in stderr.splitlines() if x.startswith(prefix)), None)
        assert line is not None, f"{name!r} not reported as {outcome}"
        assert clue.lower() in line.lower(), line


def test_every_good_and_extractable_file_is_indexed_and_found(run: dict) -> None:
    with KnowledgeBase(run["index"]) as kb:
        by_source = {d.source: d for d in kb.documents()}
        for name, (want, clue) in run["expect"].items():
            if want != "indexed":
                continue
            shown = display_name(str(run["folder"] / name))
            assert shown in by_source, f"{name!r} not indexed"
            doc_id = by_source[shown].doc_id
            text = " ".join(p.text for p in kb.passages(doc_id)).lower()
            assert clue.lower() in text, name
        assert kb.search("hverdagsrehabiliteringen").total >= 1


def test_encodings_are_read_right_and_guesses_are_reported(run: dict) -> None:
    with KnowledgeBase(run["index"]) as kb:
        hits = kb.search("Ørnes sjukeheim", limit=20)
        names = {Path(h.document.source).name for h in hits}
    assert {"utf16.txt", "utf8-bom.txt", "latin1.txt", "latin1-erklaert.html"} <= names
    assert {"cp1252-uerklaert.html", "loeyer-om-tegnsett.html"} <= names
    stderr = run["proc"].stderr
    assert "loeyer-om-tegnsett.html: declared charset utf-8 does not fit the bytes" in stderr
    assert "cp1252-uerklaert.html: encoding guessed as windows-1252" in stderr
    assert "utf16.txt: encoding" not in stderr  # a BOM is no guess


def test_no_code_or_entity_text_is_indexed(run: dict) -> None:
    with KnowledgeBase(run["index"]) as kb:
        texts = [
            f"{d.title} {p.section} {p.text}" for d in kb.documents() for p in kb.passages(d.doc_id)
        ]
    joined = "\n".join(texts)
    for marker in CODE_MARKERS:
        assert marker not in joined, marker
    assert "javascript" not in joined.lower() and "<script" not in joined.lower()


def test_a_second_run_changes_nothing(run: dict) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kbase",
            "--index",
            str(run["index"]),
            "ingest",
            "--json",
            str(run["folder"]),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )
    import json

    report = json.loads(proc.stdout)
    assert report["added"] == [] and report["updated"] == [] and report["removed"] == []
    indexed = sum(1 for want, _ in run["expect"].values() if want == "indexed")
    assert len(report["unchanged"]) == indexed


def test_limits_refuse_with_the_limit_and_how_to_raise_it(run: dict, tmp_path: Path) -> None:
    from kbase import Limits

    folder = run["folder"]
    with KnowledgeBase(tmp_path / "ix") as kb:
        # a limit far below the read time (about 0.5 s on the build machine)
        slow = kb.ingest(folder / "tusen-sider.pdf", limits=Limits(timeout=0.05))
        hungry = kb.ingest(folder / "oppblaast.pdf", limits=Limits(max_memory_mb=150))
        big = kb.ingest(folder / "god-plan.pdf", limits=Limits(max_file_mb=0))
        after = kb.ingest(folder / "god-notat.md", limits=Limits(timeout=2))
    [(_, reason)] = slow.failed
    assert reason == (
        "took longer than the 0.05 s time limit for one file (raise it with --timeout or "
        "KBASE_TIMEOUT)"
    )
    [(_, reason)] = hungry.failed
    assert "150 MB memory limit" in reason and "--max-memory" in reason
    [(_, reason)] = big.failed
    assert "over the 0 MB limit" in reason and "--max-file-size" in reason
    assert len(after.added) == 1  # the batch and the index go on after a killed worker
