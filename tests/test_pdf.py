"""The PDF ingestor: exact cleaned text, pages, sections and tables of generated PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest
from catalogue import raw_pdf
from conftest import make_pdf
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from kbase.errors import ExtractionError
from kbase.ingest.pdf import extract_pdf
from kbase.segment import segment

PLAN_PAGES = [
    [
        ("h1", "1 Innledning"),
        ("p", "Kommunen skal styrke utvik-"),
        ("p", "lingen av tjenestene i hjemmet."),
        ("gap", ""),
        ("p", "Planen gjelder alle helse-"),
        ("p", "og omsorgstjenester i kommunen."),
        ("gap", ""),
        ("p", "Arbeidet følges opp i en egen OU-"),
        ("p", "prosess i hjemmetjenesten."),
    ],
    [
        ("h1", "2 Veivalg"),
        ("h2", "2.1 Trygge overganger"),
        ("p", "Utskrivning fra sykehuset skal planlegges med pasienten."),
        (
            "table",
            [
                ["Tiltak", "Ansvar", "Frist"],
                ["Felles pasientforløp", "Koordinerende enhet", "2026"],
            ],
        ),
        ("p", "Koordinerende enhet følger opp."),
    ],
    [
        ("h2", "2.2 Seniorkraft"),
        ("p", "Eldre er en ressurs for lokalsamfunnet."),
    ],
]


@pytest.fixture
def plan_pdf(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "plan.pdf", PLAN_PAGES, title="Temaplan for helse og omsorg")


def test_running_header_footer_and_page_numbers_are_removed(plan_pdf: Path) -> None:
    """GIVEN a PDF with a running header and 'Side N' on every page
    WHEN it is extracted THEN neither appears in any block."""
    ex = extract_pdf(str(plan_pdf))
    texts = [b.text for b in ex.blocks] + [" ".join(" ".join(r) for r in b.rows) for b in ex.blocks]
    assert not any("Nordvik kommune |" in t for t in texts)
    assert not any(t.startswith("Side ") for t in texts)
    assert ex.pages == 3
    assert ex.title == "Temaplan for helse og omsorg"


def test_hyphenation_is_joined_and_real_hyphens_stay(plan_pdf: Path) -> None:
    paragraphs = [b.text for b in extract_pdf(str(plan_pdf)).blocks if b.kind == "paragraph"]
    assert paragraphs[:3] == [
        "Kommunen skal styrke utviklingen av tjenestene i hjemmet.",
        "Planen gjelder alle helse- og omsorgstjenester i kommunen.",
        "Arbeidet følges opp i en egen OU-prosess i hjemmetjenesten.",
    ]


def test_headings_become_sections_with_levels_and_pages(plan_pdf: Path) -> None:
    ex = extract_pdf(str(plan_pdf))
    passages = segment(ex.blocks, "plan", ex.title)
    where = [(p.page, p.section, p.text) for p in passages]
    assert where == [
        (
            1,
            "Innledning",
            "Kommunen skal styrke utviklingen av tjenestene i hjemmet.\n"
            "Planen gjelder alle helse- og omsorgstjenester i kommunen.\n"
            "Arbeidet følges opp i en egen OU-prosess i hjemmetjenesten.",
        ),
        (
            2,
            "Veivalg > Trygge overganger",
            "Utskrivning fra sykehuset skal planlegges med pasienten.",
        ),
        (
            2,
            "Veivalg > Trygge overganger",
            "Tiltak: Felles pasientforløp; Ansvar: Koordinerende enhet; Frist: 2026",
        ),
        (2, "Veivalg > Trygge overganger", "Koordinerende enhet følger opp."),
        (3, "Veivalg > Seniorkraft", "Eldre er en ressurs for lokalsamfunnet."),
    ]


def test_table_keeps_rows_with_header(plan_pdf: Path) -> None:
    tables = [b for b in extract_pdf(str(plan_pdf)).blocks if b.kind == "table"]
    assert len(tables) == 1
    assert tables[0].rows == (
        ("Tiltak", "Ansvar", "Frist"),
        ("Felles pasientforløp", "Koordinerende enhet", "2026"),
    )
    assert tables[0].page == 2


def glyph_pdf(path: Path, content: bytes, glyph: str) -> Path:
    """A one-page PDF whose Helvetica draws byte 127 as `glyph`, a name with or without
    Unicode: what symbol fonts do to bullets."""
    font = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding "
        b"/BaseEncoding /WinAnsiEncoding /Differences [127 /" + glyph.encode() + b"] >> >>"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        font,
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    path.write_bytes(raw_pdf(objects))
    return path


@pytest.mark.parametrize("glyph", ["g3", "uniF0B7"])
def test_unmapped_bullet_glyph_is_removed_and_marks_a_bullet(tmp_path: Path, glyph: str) -> None:
    """GIVEN a bullet drawn with a glyph that has no Unicode (a control code or a private-use
    code point) THEN the glyph is gone from the text and the line starts a bullet item."""
    content = (
        b"BT /F1 11 Tf 72 700 Td (\x7f Demensteam i alle soner) Tj "
        b"0 -15 Td (\x7f P\xe5r\xf8rendeskole to ganger i \xe5ret) Tj ET"
    )
    pdf = glyph_pdf(tmp_path / "punkt.pdf", content, glyph)
    blocks = [(b.kind, b.text) for b in extract_pdf(str(pdf)).blocks]
    assert blocks == [
        ("bullet", "Demensteam i alle soner"),
        ("bullet", "Pårørendeskole to ganger i året"),
    ]


def test_sentence_broken_by_page_break_stays_whole(tmp_path: Path) -> None:
    """GIVEN a sentence that runs from the foot of page 1 onto page 2
    THEN it is one block on page 1, and the next sentence starts a block on page 2."""
    pdf = make_pdf(
        tmp_path / "brudd.pdf",
        [
            [("h1", "Demens"), ("p", "Kommunen skal ha et demensteam som gir")],
            [("p", "veiledning til pårørende. Dagtilbudet utvides til fem dager.")],
            [("p", "Siste side.")],
        ],
    )
    blocks = [(b.page, b.text) for b in extract_pdf(str(pdf)).blocks if b.kind == "paragraph"]
    assert blocks == [
        (1, "Kommunen skal ha et demensteam som gir veiledning til pårørende."),
        (2, "Dagtilbudet utvides til fem dager."),
        (3, "Siste side."),
    ]


def test_pdf_without_text_layer_is_refused_with_reason(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "skann.pdf", [[], []], header=None, footer=False)
    with pytest.raises(ExtractionError, match="no text layer"):
        extract_pdf(str(pdf))


def test_broken_pdf_is_refused_with_reason(tmp_path: Path) -> None:
    bad = tmp_path / "halv.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj garbage")
    with pytest.raises(ExtractionError, match="not a readable PDF"):
        extract_pdf(str(bad))


def test_title_from_cover_when_metadata_has_none(tmp_path: Path) -> None:
    pdf = make_pdf(
        tmp_path / "u.pdf",
        [
            [("h1", "Kommunedelplan for helse")],
            [("h2", "1 Mål"), ("p", "Alle skal få hjelp.")],
            [("h2", "2 Tiltak"), ("p", "Nytt helsehus.")],
        ],
    )
    ex = extract_pdf(str(pdf))
    assert ex.title == "Kommunedelplan for helse"
    assert [p.section for p in segment(ex.blocks, "d", ex.title)] == ["Mål", "Tiltak"]


def test_chapter_heading_on_page_one_is_not_taken_for_the_title(tmp_path: Path) -> None:
    pdf = make_pdf(
        tmp_path / "kap.pdf",
        [
            [("h1", "1 Innledning"), ("p", "Planen gjelder hele kommunen.")],
            [("h1", "2 Mål"), ("p", "Alle skal få hjelp.")],
        ],
    )
    ex = extract_pdf(str(pdf))
    assert ex.title is None
    assert [p.section for p in segment(ex.blocks, "d", ex.title)] == ["Innledning", "Mål"]


ROWS = [
    ("Tiltak", "Ansvar", "Frist"),
    ("Demensteam i alle soner", "Kommunalsjef helse", "2026"),
    ("Pårørendeskole to ganger i året", "Frivilligsentralen", "2027"),
]


def _grid_pdf(path: Path, borders: str) -> Path:
    """A page with a heading, a paragraph, a three-column table and a closing paragraph; the
    table's rules drawn as Word and LibreOffice draw them: each cell a stroked rectangle, or
    each rule a thin filled rectangle."""
    c = Canvas(str(path), pagesize=A4, invariant=1)
    _, height = A4
    c.setFont("Helvetica-Bold", 16)
    c.drawString(72, height - 90, "Tiltak i planperioden")
    c.setFont("Helvetica", 11)
    c.drawString(72, height - 120, "Tabellen viser tiltakene for eldre og pårørende.")
    left, top, widths, row_h = 72, height - 150, (200, 150, 80), 20
    for r, row in enumerate(ROWS):
        x = left
        y = top - (r + 1) * row_h
        for w, cell in zip(widths, row, strict=True):
            if borders == "cells":
                c.rect(x, y, w, row_h, stroke=1, fill=0)
            c.setFont("Helvetica-Bold" if r == 0 else "Helvetica", 9)
            c.drawString(x + 4, y + 6, cell)
            x += w
    if borders == "filled":
        total = sum(widths)
        for r in range(len(ROWS) + 1):
            c.rect(left, top - r * row_h - 0.25, total, 0.5, stroke=0, fill=1)
        x = left
        for w in (0, *widths):
            x += w
            c.rect(x - 0.25, top - len(ROWS) * row_h, 0.5, len(ROWS) * row_h, stroke=0, fill=1)
    c.setFont("Helvetica", 11)
    c.drawString(72, top - (len(ROWS) + 2) * row_h, "Tiltakene evalueres hvert år.")
    c.showPage()
    c.save()
    return path


@pytest.mark.parametrize("borders", ["cells", "filled"])
def test_table_ruled_by_rectangles_keeps_rows_and_text_order(tmp_path: Path, borders: str) -> None:
    """GIVEN a table whose rules are stroked cell rectangles or thin filled bars
    THEN it is one table block with its rows, between the paragraphs before and after it,
    and none of its cells is repeated as a paragraph."""
    pdf = _grid_pdf(tmp_path / f"tabell-{borders}.pdf", borders)
    blocks = [(b.kind, b.text, b.rows) for b in extract_pdf(str(pdf)).blocks]
    assert blocks == [
        ("heading", "Tiltak i planperioden", ()),
        ("paragraph", "Tabellen viser tiltakene for eldre og pårørende.", ()),
        ("table", "", tuple(ROWS)),
        ("paragraph", "Tiltakene evalueres hvert år.", ()),
    ]


def test_two_columns_are_read_column_by_column(tmp_path: Path) -> None:
    """GIVEN a page with two columns drawn left column first THEN the text keeps each column
    whole, in that order, instead of interleaving their lines."""
    path = tmp_path / "spalter.pdf"
    c = Canvas(str(path), pagesize=A4, invariant=1)
    _, height = A4
    c.setFont("Helvetica", 10)
    left = ["Venstre spalte handler om", "demensomsorg i kommunen og", "pårørendestøtte hver uke."]
    right = ["Høyre spalte handler om", "legevakt og trygge", "overganger fra sykehuset."]
    for i, line in enumerate(left):
        c.drawString(72, height - 100 - 14 * i, line)
    for i, line in enumerate(right):
        c.drawString(320, height - 100 - 14 * i, line)
    c.showPage()
    c.save()
    text = " ".join(b.text for b in extract_pdf(str(path)).blocks)
    assert text == (
        "Venstre spalte handler om demensomsorg i kommunen og pårørendestøtte hver uke. "
        "Høyre spalte handler om legevakt og trygge overganger fra sykehuset."
    )


def test_page_box_that_does_not_start_at_zero(tmp_path: Path) -> None:
    """GIVEN pages whose media box starts 100 pt up (as some exports write it), each with a
    running header, a page number in the footer and a paragraph THEN the header and the
    numbers are still recognised in the margins and dropped, and the text stays."""
    pages = []
    for n in range(1, 4):
        pages.append(
            f"BT /F1 8 Tf 72 910 Td (Nordvik kommune | Temaplan) Tj ET "
            f"BT /F1 8 Tf 500 120 Td (Side {n}) Tj ET "
            f"BT /F1 11 Tf 72 700 Td (Avsnitt {n} om demensomsorg i kommunen.) Tj ET"
        )
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font = 3 + 2 * len(pages)
    for i, content in enumerate(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 100 595 942] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
        data = content.encode()
        objects.append(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    path = tmp_path / "forskjovet.pdf"
    path.write_bytes(raw_pdf(objects))
    blocks = [(b.page, b.text) for b in extract_pdf(str(path)).blocks]
    assert blocks == [(n, f"Avsnitt {n} om demensomsorg i kommunen.") for n in (1, 2, 3)]
