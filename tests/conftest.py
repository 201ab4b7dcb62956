"""Fixtures generated in code: small PDFs, web pages and text files with known content."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from kbase import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
# The hit object of CONTRACT.md, in its order: scripts rely on every one of these fields.
HIT_FIELDS = [
    "rank",
    "score",
    "passage_id",
    "doc_id",
    "title",
    "kommune",
    "doc_type",
    "year",
    "source",
    "page",
    "section",
    "text",
    "snippet",
    "veivalg",
    "themes",
    "citation",
]

# One page is a list of items: ("h1"|"h2"|"p"|"bold", text) lines, or ("table", rows).
PageSpec = list[tuple[str, object]]


def make_pdf(
    path: Path,
    pages: list[PageSpec],
    *,
    header: str | None = "Nordvik kommune | Temaplan for helse",
    footer: bool = True,
    title: str | None = None,
) -> Path:
    """Write a PDF with the given lines per page, a running header and 'Side N' footers."""
    c = Canvas(str(path), pagesize=A4, invariant=1)
    if title:
        c.setTitle(title)
    width, height = A4
    for number, items in enumerate(pages, start=1):
        if header:
            c.setFont("Helvetica", 8)
            c.drawString(72, height - 40, header)
        if footer:
            c.setFont("Helvetica", 8)
            c.drawRightString(width - 72, 30, f"Side {number}")
        y = height - 90
        for kind, content in items:
            if kind == "table":
                rows = content  # type: ignore[assignment]
                col = (width - 144) / len(rows[0])
                top = y + 12
                for r, row in enumerate(rows):
                    c.setFont("Helvetica-Bold" if r == 0 else "Helvetica", 9)
                    for k, cell in enumerate(row):
                        c.drawString(72 + k * col + 4, y, cell)
                    y -= 18
                bottom = y + 12
                for k in range(len(rows) + 1):
                    c.line(72, top - k * 18, width - 72, top - k * 18)
                for k in range(len(rows[0]) + 1):
                    c.line(72 + k * col, top, 72 + k * col, bottom)
                y -= 14
                continue
            font, size, gap = {
                "h1": ("Helvetica-Bold", 16, 26),
                "h2": ("Helvetica-Bold", 13, 20),
                "bold": ("Helvetica-Bold", 11, 15),
                "p": ("Helvetica", 11, 15),
                "gap": ("Helvetica", 11, 10),
            }[kind]
            if kind == "gap":
                y -= gap
                continue
            c.setFont(font, size)
            c.drawString(72, y, str(content))
            y -= gap
        c.showPage()
    c.save()
    return path


@pytest.fixture
def kb(tmp_path: Path) -> Iterator[KnowledgeBase]:
    """An empty knowledge base in a temporary folder."""
    with KnowledgeBase(tmp_path / "index") as k:
        yield k


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test from inside tmp_path (source paths and ids are relative to it)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
