"""PowerPoint decks (.pptx) through python-pptx: one page per slide, the slide title as section,
tables as rows, speaker notes kept under "Notater" so they are never cited as slide text."""

from __future__ import annotations

import io
from typing import Any

from ..errors import ExtractionError
from ..model import NOTES_SECTION, Block, Extracted
from .clean import is_page_number, normalize


def _shapes_in_reading_order(shapes: Any) -> list[Any]:
    def key(shape: Any) -> tuple[int, int]:
        return (shape.top or 0, shape.left or 0)

    out = []
    for shape in sorted(shapes, key=key):
        if shape.shape_type is not None and int(shape.shape_type) == 6:  # MSO_SHAPE_TYPE.GROUP
            out.extend(_shapes_in_reading_order(shape.shapes))
        else:
            out.append(shape)
    return out


def _table_rows(table: Any) -> tuple[tuple[str, ...], ...]:
    rows = []
    for row in table.rows:
        cells = tuple(normalize(cell.text.replace("\n", " ")) for cell in row.cells)
        if any(cells):
            rows.append(cells)
    return tuple(rows)


FOOTER_PLACEHOLDERS = {13, 15, 16}  # PP_PLACEHOLDER: SLIDE_NUMBER, FOOTER, DATE


def _drop_slide_footers(blocks: list[Block]) -> list[Block]:
    """Slide numbers, and short lines repeated on at least half the slides (and on three)."""
    slides = {b.page for b in blocks}
    seen: dict[str, set[int | None]] = {}
    for b in blocks:
        if b.kind == "bullet":
            seen.setdefault(b.text, set()).add(b.page)
    need = max(3, (len(slides) + 1) // 2)
    running = {t for t, pages in seen.items() if len(pages) >= need and len(t) <= 80}
    return [
        b
        for b in blocks
        if not (b.kind == "bullet" and (b.text in running or is_page_number(b.text)))
    ]


def extract_pptx(data: bytes, name: str) -> Extracted:
    """Extract a deck's slides: title, text boxes, grouped shapes, tables and notes."""
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    try:
        prs = Presentation(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise ExtractionError(f"not a readable PowerPoint file ({exc})") from exc
    blocks: list[Block] = []
    hidden = 0
    first_title: str | None = None
    for number, slide in enumerate(prs.slides, start=1):
        if slide._element.get("show") == "0":
            hidden += 1  # hidden slides are not shown to the audience: not indexed
            continue
        title_shape = slide.shapes.title
        title = normalize(title_shape.text_frame.text.replace("\n", " ")) if title_shape else ""
        if title:
            first_title = first_title or title
            blocks.append(Block("heading", title, number, 1))
        for shape in _shapes_in_reading_order(slide.shapes):
            if title_shape is not None and shape.shape_id == title_shape.shape_id:
                continue
            if (
                shape.is_placeholder
                and int(shape.placeholder_format.type or 0) in FOOTER_PLACEHOLDERS
            ):
                continue
            if getattr(shape, "has_table", False) and shape.has_table:
                rows = _table_rows(shape.table)
                if rows:
                    # PowerPoint records whether the first row is a header row
                    header = True if shape.table.first_row else None
                    blocks.append(Block("table", page=number, rows=rows, header=header))
            elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
                for para in shape.text_frame.paragraphs:
                    text = normalize(para.text)
                    if text:
                        blocks.append(Block("bullet", text, number))
        if slide.has_notes_slide:
            notes = [normalize(p.text) for p in slide.notes_slide.notes_text_frame.paragraphs]
            notes = [n for n in notes if n]
            if notes:
                blocks.append(Block("heading", NOTES_SECTION, number, 2))
                blocks.extend(Block("paragraph", n, number) for n in notes)
    blocks = _drop_slide_footers(blocks)
    core_title = normalize(prs.core_properties.title or "") or None
    warnings = [f"{hidden} hidden slide(s) not indexed"] if hidden else []
    lead = "\n".join([prs.core_properties.author or "", *(b.text for b in blocks[:12])])
    return Extracted(
        blocks=blocks,
        title=core_title or first_title,
        pages=len(prs.slides),
        doc_type="presentasjon",
        warnings=warnings,
        lead_text=lead,
    )
