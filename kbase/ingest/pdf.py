"""Plan PDFs through pdfplumber: reading order, headings, tables; no headers, footers or debris."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from statistics import median
from typing import Any

from ..errors import ExtractionError, wrapped
from ..model import Block, Extracted
from .clean import CID, is_page_number, join_lines, normalize, strip_bullet

NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?=\D)")
BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
# pdfminer logs what it recovers from ("Refusing to execute circular reference ..."); kbase
# reports per file instead, in one line that names the file
logging.getLogger("pdfminer").setLevel(logging.ERROR)
MARGIN = 0.10  # share of the page height at top and bottom where running lines live


@dataclass
class Line:
    text: str
    size: float
    bold: bool
    top: float
    bottom: float
    x0: float
    page: int
    bullet: bool = False


def _line_from(raw: dict[str, Any], page_no: int) -> Line | None:
    chars = [c for c in raw.get("chars", []) if c.get("text", "").strip()]
    text = raw.get("text", "")
    # a bullet glyph that pdfminer could not map comes out as "(cid:NNN)"
    had_cid_bullet = bool(re.match(r"^\s*\(cid:\d+\)", text))
    text, bullet = strip_bullet(text)
    text = normalize(CID.sub("", text))
    if not text:
        return None
    if not chars:
        return None
    size = round(median(c["size"] for c in chars) * 2) / 2
    bold_chars = sum(1 for c in chars if BOLD.search(c.get("fontname", "")))
    return Line(
        text=text,
        size=size,
        bold=bold_chars > len(chars) / 2,
        top=float(raw["top"]),
        bottom=float(raw["bottom"]),
        x0=float(raw["x0"]),
        page=page_no,
        bullet=bullet or had_cid_bullet,
    )


def _inside(obj: dict[str, Any], bboxes: list[tuple[float, float, float, float]]) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in bboxes)


def _clean_cell(cell: str | None) -> str:
    if not cell:
        return ""
    return join_lines([normalize(CID.sub("", part)) for part in cell.split("\n")])


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _read_pages(path: str) -> tuple[list[list[Any]], list[float], dict[str, Any], bool]:
    """Per page: items (Line or table rows) in reading order, the page height, info, landscape."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    pages: list[list[Any]] = []
    heights: list[float] = []
    landscape = 0
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many types for broken files
        # pdfplumber wraps pdfminer's PDFPasswordIncorrect, whose own message is empty
        if any(isinstance(e, PDFPasswordIncorrect) for e in wrapped(exc)):
            raise ExtractionError("encrypted, password required to read it") from exc
        reason = str(exc) or type(exc).__name__
        raise ExtractionError(f"not a readable PDF ({reason})") from exc
    with pdf:
        info = {k: v for k, v in (pdf.metadata or {}).items() if isinstance(v, str | bytes)}
        for number, page in enumerate(pdf.pages, start=1):
            try:
                heights.append(float(page.height))
                if page.width > page.height:
                    landscape += 1
                tables = page.find_tables()
                bboxes = [t.bbox for t in tables]
                items: list[Any] = []
                for table in tables:
                    rows = []
                    for row in table.extract():
                        cells = tuple(_clean_cell(c) for c in row)
                        if any(cells):
                            rows.append(cells)
                    if rows:
                        items.append((table.bbox[1], ("table", tuple(rows))))
                source = page.filter(lambda o, b=bboxes: not _inside(o, b)) if bboxes else page
                for raw in source.extract_text_lines(return_chars=True, strip=True):
                    line = _line_from(raw, number)
                    if line:
                        items.append((line.top, line))
                items.sort(key=lambda item: item[0])
                pages.append([item for _, item in items])
            finally:
                page.close()  # frees pdfplumber's per-page caches: memory stays flat
    return pages, heights, info, landscape > len(heights) / 2


def _drop_running_lines(pages: list[list[Any]], heights: list[float]) -> None:
    """Remove page numbers and lines repeated in the margins of most pages."""
    counts: Counter[str] = Counter()
    for items, height in zip(pages, heights, strict=True):
        seen = set()
        for item in items:
            if isinstance(item, Line) and (
                item.top < height * MARGIN or item.bottom > height * (1 - MARGIN)
            ):
                seen.add(_running_key(item.text))
        counts.update(seen)
    # on at least half the pages, and on two at the very least
    threshold = max(2, (len(pages) + 1) // 2) if len(pages) >= 2 else None
    for items, height in zip(pages, heights, strict=True):
        keep = []
        for item in items:
            if isinstance(item, Line) and (
                item.top < height * MARGIN or item.bottom > height * (1 - MARGIN)
            ):
                if is_page_number(item.text):
                    continue
                if threshold and counts[_running_key(item.text)] >= threshold:
                    continue
            keep.append(item)
        items[:] = keep


def _clean_title(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not value:
        return None
    title = normalize(str(value))
    if not title or re.match(r"(microsoft (word|powerpoint)|untitled|dokument\d*)\b", title, re.I):
        return None
    return title


def _mend_page_breaks(blocks: list[Block]) -> list[Block]:
    """Carry a sentence broken by a page break back to the page where it began.

    Each passage then holds only sentences that begin on its page, and no passage is half a
    sentence; the rest of the paragraph stays on the new page.
    """
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (
            prev is not None
            and block.kind == "paragraph"
            and prev.kind in ("paragraph", "bullet")
            and prev.page is not None
            and block.page == prev.page + 1
            and not prev.text.endswith((".", "!", "?", ":", "»", '"'))
            and block.text[:1].islower()
        ):
            m = re.search(r"[.!?»](?=\s+[A-ZÆØÅ0-9«])", block.text)
            head, rest = (
                (block.text[: m.end()], block.text[m.end() :].strip()) if m else (block.text, "")
            )
            out[-1] = Block(prev.kind, join_lines([prev.text, head]), prev.page, prev.level)
            if rest:
                out.append(Block("paragraph", rest, block.page))
            continue
        out.append(block)
    return out


def extract_pdf(path: str) -> Extracted:
    """Extract the blocks of a text PDF: paragraphs, bullets, headings and tables per page."""
    pages, heights, info, landscape = _read_pages(path)
    before = [list(items) for items in pages]
    _drop_running_lines(pages, heights)
    if not any(pages) and any(before):
        pages = before  # every line "repeats in the margin": then they are the text itself
    lines = [item for items in pages for item in items if isinstance(item, Line)]
    if not lines and not any(isinstance(i, tuple) for items in pages for i in items):
        raise ExtractionError("the PDF has no text layer (a scan?); run OCR on it first")

    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0

    def is_heading(line: Line) -> bool:
        if line.bullet or len(line.text) > 120 or is_page_number(line.text):
            return False
        if line.size >= body * 1.15:
            return True
        return line.bold and line.size >= body and not line.text.endswith((".", ",", ":", ";"))

    heading_sizes = sorted({ln.size for ln in lines if is_heading(ln)}, reverse=True)
    first_page = [ln for ln in lines if ln.page == 1]
    title_size = max((ln.size for ln in first_page), default=0)
    title = _clean_title(info.get("Title"))

    # A cover page holds only display lines (title, subtitle, municipality, date): they name
    # the document and are not sections.
    cover = len([ln for ln in first_page if not is_heading(ln)]) < 3 and len(pages) > 2
    # a display title is larger than any heading after page 1; a chapter heading is not
    later_heading_size = max(
        (ln.size for ln in lines if ln.page > 1 and is_heading(ln)), default=title_size
    )
    if (
        not title
        and first_page
        and title_size > body
        and (cover or title_size > later_heading_size)
    ):
        title = join_lines([ln.text for ln in first_page if ln.size == title_size])

    blocks: list[Block] = []
    for page_no, items in enumerate(pages, start=1):
        para: list[Line] = []

        def flush(para: list[Line] = para, page_no: int = page_no) -> None:
            if para:
                text = join_lines([ln.text for ln in para])
                if text:
                    blocks.append(Block("bullet" if para[0].bullet else "paragraph", text, page_no))
                para.clear()

        prev: Line | None = None
        for item in items:
            if isinstance(item, tuple):
                flush()
                blocks.append(Block("table", page=page_no, rows=item[1]))
                prev = None
                continue
            line = item
            if is_heading(line):
                flush()
                last = blocks[-1] if blocks else None
                if (
                    prev is not None
                    and last is not None
                    and last.kind == "heading"
                    and prev.size == line.size
                    and line.top - prev.bottom < line.size * 0.8
                ):
                    # a heading wrapped over two lines
                    blocks[-1] = Block(
                        "heading", join_lines([last.text, line.text]), page_no, last.level
                    )
                else:
                    m = NUMBERED_HEADING.match(line.text)
                    if m:
                        level = m.group(1).count(".") + 1
                    else:
                        level = (
                            heading_sizes.index(line.size) + 1 if line.size in heading_sizes else 1
                        )
                    if page_no == 1 and (cover or line.size > later_heading_size):
                        level = 0  # the title or the cover: not a section
                    blocks.append(Block("heading", line.text, page_no, level))
                prev = line
                continue
            if para and prev is not None:
                gap = line.top - prev.bottom
                new_item = line.bullet
                # a bullet item continues on lines indented past its glyph
                if para[0].bullet and not line.bullet and line.x0 < para[0].x0 - 2:
                    new_item = True
                if gap > max(prev.size, line.size) * 0.6 or new_item:
                    flush()
            para.append(line)
            prev = line
        flush()

    blocks = _mend_page_breaks(blocks)
    # numbered headings keep their level; strip the number from the section name
    blocks = [
        Block("heading", NUMBERED_HEADING.sub("", b.text) or b.text, b.page, b.level)
        if b.kind == "heading"
        else b
        for b in blocks
    ]
    lead = "\n".join(ln.text for ln in lines if ln.page <= 2)
    info_text = " ".join(
        v.decode("utf-8", "replace") if isinstance(v, bytes) else v
        for k, v in info.items()
        if k in ("Author", "Subject", "Creator", "Keywords")
    )
    year = None
    created = info.get("CreationDate")
    if isinstance(created, bytes):
        created = created.decode("ascii", "replace")
    if isinstance(created, str):
        m = re.search(r"(19|20)\d\d", created)
        year = int(m.group(0)) if m else None
    return Extracted(
        blocks=blocks,
        title=title,
        pages=len(pages),
        fallback_year=year,
        doc_type="presentasjon" if landscape else None,
        lead_text=f"{info_text}\n{lead}",
    )
