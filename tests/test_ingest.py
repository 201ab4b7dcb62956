"""Ingesting through KnowledgeBase: incremental updates, stable ids, failures, metadata."""

from __future__ import annotations

from pathlib import Path

from conftest import make_pdf

from kbase import KnowledgeBase


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_reingest_is_unchanged_and_ids_are_stable(in_tmp: Path) -> None:
    _write(
        in_tmp / "docs/plan.md",
        "# Plan\n\nAlle skal få hjelp i hjemmet.\n\nDemensteamet styrkes.\n",
    )
    with KnowledgeBase(in_tmp / "ix") as kb:
        first = kb.ingest("docs")
        ids = [p.passage_id for p in kb.passages(first.added[0])]
        again = kb.ingest("docs")
        assert (again.added, again.updated, again.unchanged) == ([], [], first.added)
        forced = kb.ingest("docs", force=True)
        assert forced.updated == first.added
        assert [p.passage_id for p in kb.passages(first.added[0])] == ids
    # a new index built from the same files gives the same ids
    with KnowledgeBase(in_tmp / "ix2") as kb2:
        rebuilt = kb2.ingest("docs")
        assert rebuilt.added == first.added
        assert [p.passage_id for p in kb2.passages(rebuilt.added[0])] == ids


def test_changed_file_replaces_its_passages_and_keeps_unchanged_ids(in_tmp: Path) -> None:
    doc = _write(
        in_tmp / "docs/plan.md",
        "# Plan\n\n## Mål\n\nAlle skal få hjelp i hjemmet.\n\n## Tiltak\n\nNytt helsehus.\n",
    )
    with KnowledgeBase(in_tmp / "ix") as kb:
        doc_id = kb.ingest("docs").added[0]
        before = {p.text: p.passage_id for p in kb.passages(doc_id)}
        doc.write_text(
            "# Plan\n\n## Mål\n\nAlle skal få hjelp i hjemmet.\n\n## Tiltak\n\n"
            "Nytt helsehus i 2028.\n",
            encoding="utf-8",
        )
        report = kb.ingest("docs")
        assert report.updated == [doc_id]
        after = {p.text: p.passage_id for p in kb.passages(doc_id)}
        assert after["Alle skal få hjelp i hjemmet."] == before["Alle skal få hjelp i hjemmet."]
        assert "Nytt helsehus." not in after
        assert kb.search("helsehus").total == 1
        assert kb.document(doc_id).passages == 2


def test_removed_file_leaves_the_index(in_tmp: Path) -> None:
    _write(in_tmp / "docs/a.md", "Velferdsteknologi i hjemmet.\n")
    gone = _write(in_tmp / "docs/b.md", "Pårørendeskole til høsten.\n")
    with KnowledgeBase(in_tmp / "ix") as kb:
        kb.ingest("docs")
        gone.unlink()
        report = kb.ingest("docs")
        assert len(report.removed) == 1
        assert [d.source for d in kb.documents()] == ["docs/a.md"]
        assert kb.search("pårørendeskole").total == 0


def test_bad_file_is_reported_and_the_rest_lands(in_tmp: Path) -> None:
    _write(in_tmp / "docs/god.md", "Hverdagsrehabilitering i alle soner.\n")
    (in_tmp / "docs/ødelagt.pdf").write_bytes(b"%PDF-1.4\n%%EOF garbage")
    (in_tmp / "docs/bilde.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (in_tmp / "docs/gammel.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    with KnowledgeBase(in_tmp / "ix") as kb:
        report = kb.ingest("docs", "mangler.pdf")
        assert len(report.added) == 1
        failed = dict(report.failed)
        assert sorted(failed) == ["docs/ødelagt.pdf", "mangler.pdf"]
        assert failed["mangler.pdf"] == "no such file or folder"
        assert failed["docs/ødelagt.pdf"].startswith("not a readable PDF")
        assert report.skipped == ["docs/bilde.png", "docs/gammel.doc"]
        assert (
            "docs/gammel.doc",
            "skipped: legacy Word .doc: save it as .docx or PDF",
        ) in report.warnings
        assert kb.search("hverdagsrehabilitering").total == 1


def test_metadata_detected_then_sidecar_then_options(in_tmp: Path) -> None:
    (in_tmp / "docs").mkdir()
    make_pdf(
        in_tmp / "docs/plan.pdf",
        [
            [("h1", "Kommunedelplan for helse og omsorg 2023–2030")],
            [("h2", "1 Mål"), ("p", "Nordvik kommune vil gi gode tjenester i hjemmet.")],
            [("h2", "2 Vedtak"), ("p", "Planen ble vedtatt i kommunestyret 14. mars 2023.")],
        ],
        header="Nordvik kommune | Kommunedelplan",
    )
    with KnowledgeBase(in_tmp / "ix") as kb:
        doc = kb.document(kb.ingest("docs").added[0])
        assert (doc.title, doc.kommune, doc.doc_type, doc.year, doc.pages) == (
            "Kommunedelplan for helse og omsorg 2023–2030",
            "Nordvik",
            "kommunedelplan",
            2023,
            3,
        )
        _write(in_tmp / "docs/plan.pdf.meta.toml", 'title = "Helseplan"\nyear = 2024\n')
        doc = kb.document(kb.ingest("docs").updated[0])
        assert (doc.title, doc.year, doc.kommune) == ("Helseplan", 2024, "Nordvik")
        doc = kb.document(kb.ingest("docs", kommune="Sørvik").updated[0])
        assert (doc.title, doc.kommune) == ("Helseplan", "Sørvik")


def test_index_folder_that_is_not_an_index_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "noe"
    folder.mkdir()
    (folder / "notater.txt").write_text("viktig", encoding="utf-8")
    import pytest

    from kbase import IndexUnreadableError

    with pytest.raises(IndexUnreadableError, match="not a kbase index"):
        KnowledgeBase(folder)
    assert (folder / "notater.txt").read_text(encoding="utf-8") == "viktig"


def test_symlink_loops_dangling_links_and_fifos_do_not_stop_a_batch(in_tmp: Path) -> None:
    import os

    docs = in_tmp / "docs"
    _write(docs / "plan.md", "Demensteamet styrkes.\n")
    (docs / "loop").symlink_to(docs, target_is_directory=True)  # docs/loop -> docs
    (docs / "borte.md").symlink_to(in_tmp / "finnes-ikke.md")
    os.mkfifo(docs / "kø")
    with KnowledgeBase(in_tmp / "ix") as kb:
        report = kb.ingest("docs")
    assert len(report.added) == 1
    assert sorted(report.skipped) == ["docs/borte.md", "docs/kø"]
    assert dict(report.warnings)["docs/kø"] == "skipped: not a regular file"
