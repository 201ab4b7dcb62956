"""Word documents (.docx) through python-docx: Heading styles and outline levels as sections,
lists as bullets, tables as rows with their header; no pages."""

from __future__ import annotations

import io
import re
from typing import Any

from ..errors import ExtractionError
from ..model import Block, Extracted
from .clean import normalize

HEADING_STYLE = re.compile(r"^(?:heading|overskrift)\s*(\d)$", re.IGNORECASE)


def _level(paragraph: Any) -> int | None:
    """The heading level from the style name or the paragraph's outline level."""
    from docx.oxml.ns import qn

    style = paragraph.style
    while style is not None:
        m = HEADING_STYLE.match(style.name or "")
        if m:
            return int(m.group(1))
        style = style.base_style
    ppr = paragraph._p.pPr
    if ppr is not None:
        outline = ppr.find(qn("w:outlineLvl"))
        if outline is not None:
            value = int(outline.get(qn("w:val")))
            if value < 9:  # 9 means body text
                return value + 1
    return None


def _is_list(paragraph: Any) -> bool:
    ppr = paragraph._p.pPr
    name = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    return (ppr is not None and ppr.numPr is not None) or "list" in name or "liste" in name


def _table_rows(table: Any) -> tuple[tuple[str, ...], ...]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats itself across the columns it spans
                continue
            seen.add(id(cell._tc))
            cells.append(normalize(cell.text.replace("\n", " ")))
        if any(cells):
            rows.append(tuple(cells))
    return tuple(rows)


def extract_docx(data: bytes, name: str) -> Extracted:
    """Extract a Word document's headings, paragraphs, lists and tables in order."""
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        doc = Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise ExtractionError(f"not a readable Word file ({exc})") from exc
    blocks: list[Block] = []
    title: str | None = None
    for element in doc.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(element, doc)
            text = normalize(p.text)
            if not text:
                continue
            style = (p.style.name or "") if p.style is not None else ""
            if style.lower() in ("title", "tittel"):
                title = title or text
                blocks.append(Block("heading", text, None, 0))
                continue
            level = _level(p)
            if level:
                blocks.append(Block("heading", text, None, level))
            elif _is_list(p):
                blocks.append(Block("bullet", text))
            else:
                blocks.append(Block("paragraph", text))
        elif tag == "tbl":
            rows = _table_rows(Table(element, doc))
            if rows:
                blocks.append(Block("table", rows=rows))
    core_title = normalize(doc.core_properties.title or "") or None
    lead = "\n".join([doc.core_properties.author or "", *(b.text for b in blocks[:12] if b.text)])
    return Extracted(blocks=blocks, title=core_title or title, lead_text=lead)
