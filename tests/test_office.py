"""Presentations and Word files: .pptx, slide decks exported to PDF, and .docx."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS
from docx import Document as WordDocument
from pptx import Presentation
from pptx.util import Inches
from reportlab.lib.pagesizes import landscape
from reportlab.pdfgen.canvas import Canvas

from kbase import KnowledgeBase
from kbase.cli import cli
from kbase.errors import UnsupportedFormatError
from kbase.ingest.docx import extract_docx
from kbase.ingest.pdf import extract_pdf
from kbase.ingest.pptx import extract_pptx
from kbase.ingest.registry import choose
from kbase.segment import segment


def make_deck() -> bytes:
    prs = Presentation()
    prs.core_properties.title = "Orientering om helsehuset"
    slides = [
        ("Orientering om helsehuset", ["Utvalg for helse og omsorg"], None, None),
        (
            "Bakgrunn",
            ["Flere eldre i kommunen", "Færre ansatte per bruker"],
            None,
            "Husk å nevne befolkningsframskrivingen fra SSB.",
        ),
        ("Nøkkeltall", [], [["Korttidsplasser", "Langtidsplasser"], ["14", "82"]], None),
        ("Skjult lysbilde", ["Utkast som ikke skal vises"], None, None),
        ("Grupperte figurer", [], None, None),
    ]
    for number, (title, bullets, table, notes) in enumerate(slides, start=1):
        slide = prs.slides.add_slide(prs.slide_layouts[1 if bullets else 5])
        slide.shapes.title.text = title
        if bullets:
            body = slide.placeholders[1].text_frame
            body.text = bullets[0]
            for b in bullets[1:]:
                body.add_paragraph().text = b
        if table:
            shape = slide.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(6), Inches(1)).table
            for r, row in enumerate(table):
                for c, v in enumerate(row):
                    shape.cell(r, c).text = v
        if title == "Grupperte figurer":
            group = slide.shapes.add_group_shape()
            box = group.shapes.add_textbox(Inches(1), Inches(2), Inches(4), Inches(1))
            box.text_frame.text = "Demensteamet flytter inn i helsehuset"
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
        if number > 1:
            foot = slide.shapes.add_textbox(Inches(0.3), Inches(7), Inches(3), Inches(0.3))
            foot.text_frame.text = "Nordvik kommune"
        if title == "Skjult lysbilde":
            slide._element.set("show", "0")
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def test_pptx_slides_titles_tables_notes_and_hidden() -> None:
    ex = extract_pptx(make_deck(), "deck.pptx")
    got = [(p.page, p.section, p.text) for p in segment(ex.blocks, "d", ex.title)]
    assert got == [
        (1, "", "Utvalg for helse og omsorg"),
        (2, "Bakgrunn", "Flere eldre i kommunen\nFærre ansatte per bruker"),
        (2, "Bakgrunn > Notater", "Husk å nevne befolkningsframskrivingen fra SSB."),
        (3, "Nøkkeltall", "Korttidsplasser: 14; Langtidsplasser: 82"),
        (5, "Grupperte figurer", "Demensteamet flytter inn i helsehuset"),
    ]
    assert (ex.title, ex.pages, ex.doc_type) == ("Orientering om helsehuset", 5, "presentasjon")
    assert ex.warnings == ["1 hidden slide(s) not indexed"]


def make_landscape_deck(path: Path) -> Path:
    """A deck 'exported' to PDF: landscape pages, a title band, bullets, footer and number."""
    size = landscape((540, 960))
    c = Canvas(str(path), pagesize=size, invariant=1)
    slides = [
        ("Temaplan helse", ["Orientering for formannskapet"]),
        ("Veivalg", ["• Tilrettelegge for mestring", "• Trygge overganger"]),
        ("Tiltak", ["• Digitalt tilsyn i alle soner", "• Nytt helsehus i 2028"]),
    ]
    for number, (title, lines) in enumerate(slides, start=1):
        c.setFont("Helvetica-Bold", 36)
        c.drawString(50, 470, title)
        c.setFont("Helvetica", 24)
        for k, line in enumerate(lines):
            c.drawString(60, 400 - k * 40, line)
        c.setFont("Helvetica", 12)
        c.drawString(50, 20, f"Nordvik kommune   {number}")
        c.showPage()
    c.save()
    return path


def test_slide_deck_pdf_pages_are_slides_with_title_sections(tmp_path: Path) -> None:
    ex = extract_pdf(str(make_landscape_deck(tmp_path / "deck.pdf")))
    got = [(p.page, p.section, p.text) for p in segment(ex.blocks, "d", ex.title)]
    assert ex.doc_type == "presentasjon"
    assert got == [
        (1, "", "Orientering for formannskapet"),
        (2, "Veivalg", "Tilrettelegge for mestring\nTrygge overganger"),
        (3, "Tiltak", "Digitalt tilsyn i alle soner\nNytt helsehus i 2028"),
    ]


def _per_slide(passages: list, notes: bool) -> dict[int, str]:
    out: dict[int, list[str]] = {}
    for p in passages:
        if p.section.endswith("Notater") and not notes:
            continue
        out.setdefault(p.page, []).append(p.text)
    return {k: re.sub(r"\s+", " ", " ".join(v)) for k, v in out.items()}


def test_pptx_and_its_libreoffice_pdf_export_give_the_same_text_per_slide() -> None:
    """The corpus deck and its PDF export (LibreOffice Impress) read the same, slide by slide;
    notes exist only in the .pptx."""
    pptx_path = CORPUS / "fjordvik" / "presentasjon-utvalg-helse-2025.pptx"
    pdf_path = pptx_path.with_suffix(".pdf")
    a = extract_pptx(pptx_path.read_bytes(), pptx_path.name)
    b = extract_pdf(str(pdf_path))
    pa, pb = segment(a.blocks, "d", a.title), segment(b.blocks, "d", b.title)
    assert _per_slide(pa, notes=False) == _per_slide(pb, notes=False)
    assert {p.section for p in pa} - {p.section for p in pb} == {
        "Seks veivalg ligger fast > Notater",
        "Nøkkeltall 2024 > Notater",
        "Hverdagsrehabilitering i alle soner > Notater",
        "Helsehuset – fremdrift > Notater",
    }
    assert {p.section for p in pb if p.page == 3} == {"Nøkkeltall 2024"}
    table = [p.text for p in pb if p.page == 3][0]
    assert (
        table
        == "Innbyggere 80+: 641; Heldøgnsplasser: 96; Korttidsplasser: 16; Hjemmetjenester: 452"
    )
    assert not any("Fjordvik kommune" == line for p in pa + pb for line in p.text.split("\n"))


def make_word() -> bytes:
    doc = WordDocument()
    doc.core_properties.title = "Saksframlegg: ny demensavdeling"
    doc.add_paragraph("Saksframlegg")
    doc.add_heading("Innstilling", level=1)
    doc.add_paragraph("Kommunestyret slutter seg til planen for ny demensavdeling.")
    doc.add_heading("Saksopplysninger", level=1)
    doc.add_heading("Økonomi", level=2)
    doc.add_paragraph("Tiltakene koster:")
    doc.add_paragraph("Ombygging av fløy A", style="List Bullet")
    doc.add_paragraph("Ny sansehage", style="List Bullet")
    table = doc.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [
            ["Tiltak", "Kostnad", "År"],
            ["Fløy A", "12 mill. kr", "2025"],
            ["Sansehage", "0,8 mill. kr", "2026"],
        ]
    ):
        for c, v in enumerate(row):
            table.cell(r, c).text = v
    outlined = doc.add_paragraph("Vurdering")
    ppr = outlined._p.get_or_add_pPr()
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    lvl = OxmlElement("w:outlineLvl")
    lvl.set(qn("w:val"), "0")
    ppr.append(lvl)
    doc.add_paragraph("Kommunedirektøren anbefaler planen.")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_docx_headings_lists_tables_and_outline_levels() -> None:
    ex = extract_docx(make_word(), "sak.docx")
    got = [(p.page, p.section, p.text) for p in segment(ex.blocks, "d", ex.title)]
    assert ex.title == "Saksframlegg: ny demensavdeling"
    assert got == [
        (None, "", "Saksframlegg"),
        (None, "Innstilling", "Kommunestyret slutter seg til planen for ny demensavdeling."),
        (
            None,
            "Saksopplysninger > Økonomi",
            "Tiltakene koster:\nOmbygging av fløy A\nNy sansehage",
        ),
        (
            None,
            "Saksopplysninger > Økonomi",
            "Tiltak: Fløy A; Kostnad: 12 mill. kr; År: 2025\nTiltak: Sansehage; Kostnad: 0,8 mill. kr; År: 2026",
        ),
        (None, "Vurdering", "Kommunedirektøren anbefaler planen."),
    ]


def test_office_files_are_chosen_by_content(tmp_path: Path) -> None:
    word = make_word()
    renamed = tmp_path / "egentlig-word.pptx"
    renamed.write_bytes(word)
    ex = choose(renamed, word[:4096]).extract(renamed, word)
    assert ex.title == "Saksframlegg: ny demensavdeling"
    not_office = io.BytesIO()
    with zipfile.ZipFile(not_office, "w") as z:
        z.writestr("bilder/forside.txt", "hei")
    z_path = tmp_path / "arkiv.docx"
    z_path.write_bytes(not_office.getvalue())
    with pytest.raises(UnsupportedFormatError, match="zip archive, not a Word"):
        choose(z_path, not_office.getvalue()[:4096]).extract(z_path, not_office.getvalue())


def test_legacy_and_fake_office_files_are_skipped_with_advice(in_tmp: Path) -> None:
    (in_tmp / "docs").mkdir()
    (in_tmp / "docs/gammel.ppt").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    (in_tmp / "docs/tekst.pptx").write_text("Dette er bare tekst.", encoding="utf-8")
    (in_tmp / "docs/ok.md").write_text("Demensteamet.\n", encoding="utf-8")
    with KnowledgeBase(in_tmp / "ix") as kb:
        report = kb.ingest("docs")
    assert len(report.added) == 1
    assert report.skipped == ["docs/gammel.ppt", "docs/tekst.pptx"]
    assert (
        dict(report.warnings)["docs/gammel.ppt"]
        == "skipped: legacy PowerPoint .ppt: save it as .pptx or PDF"
    )
    assert dict(report.warnings)["docs/tekst.pptx"] == "skipped: unsupported format (.pptx)"


@pytest.fixture(scope="module")
def corpus_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("office")
    shutil.copytree(CORPUS, root / "corpus")
    env = {"KBASE_INDEX": str(root / "ix")}
    import os

    cwd = os.getcwd()
    os.chdir(root)
    try:
        assert CliRunner().invoke(cli, ["ingest", "corpus"], env=env).exit_code == 0
    finally:
        os.chdir(cwd)
    return env


def _top(env: dict[str, str], query: str, *extra: str) -> dict:
    out = CliRunner().invoke(cli, ["search", query, "--json", *extra], env=env).stdout
    return json.loads(out)["hits"][0]


def test_search_finds_text_only_in_a_slide_table(corpus_env: dict[str, str]) -> None:
    hit = _top(corpus_env, "641")  # the 2024 figure is only in the deck's table
    assert (hit["doc_type"], hit["page"], hit["section"]) == ("presentasjon", 3, "Nøkkeltall 2024")
    assert "Innbyggere 80+: 641" in hit["text"]
    assert ", lysbilde 3, «Nøkkeltall 2024»" in hit["citation"]


def test_search_finds_text_only_in_a_word_table(corpus_env: dict[str, str]) -> None:
    hit = _top(corpus_env, "transport til dagtilbud")
    assert (hit["doc_type"], hit["page"], hit["section"]) == (
        "saksframlegg",
        None,
        "Saksopplysninger > Høring",
    )
    assert "Innspill fra: Pensjonistforeningen; Tema: Transport til dagtilbud" in hit["text"]


def test_search_finds_text_only_in_speaker_notes_marked_as_notes(
    corpus_env: dict[str, str],
) -> None:
    hit = _top(corpus_env, "KOSTRA")
    assert hit["source"].endswith(".pptx") and hit["page"] == 3
    assert hit["section"] == "Nøkkeltall 2024 > Notater"
    assert hit["citation"] == (
        "Fjordvik kommune: Temaplan for helse og omsorg – status etter ett år (2025), "
        "lysbilde 3 (notater), «Nøkkeltall 2024»"
    )
