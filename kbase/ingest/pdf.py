"""Plan PDFs through pdfium, with pdfplumber's table finder: reading order, headings, tables;
no headers, footers or debris."""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass
from statistics import median
from typing import Any

from ..errors import ExtractionError
from ..model import Block, Extracted
from .clean import CID, is_page_number, join_lines, normalize, strip_bullet
from .isolate import split_work

NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?=\D)")
BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
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


# pdfium marks a hyphen at a line end, where it joins the word over the break: U+FFFE in its
# page text, code 2 per character
HYPHEN = "\ufffe"
# a glyph without Unicode: pdfium gives its control-range code, U+FFFD or a private-use code
# point (a symbol font's bullet)
UNMAPPED = "\x00-\x01\x03-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff"
UNMAPPED_RE = re.compile(f"[{UNMAPPED}]")
UNMAPPED_BULLET = re.compile(f"^\\s*[{UNMAPPED}]")
INK = re.compile(f"[^\\s{UNMAPPED}{HYPHEN}]")
LINES = re.compile(f"[^\r\n{HYPHEN}]*(?:{HYPHEN}|\r\n|\r|\n|$)")
SAMPLE = 5  # characters per line whose font size is read: the line's size is their median


class _TextPage:
    """One page's characters through pdfium: lines with font size, weight and position."""

    def __init__(self, page: Any) -> None:
        import pypdfium2.raw as pdfium_c

        self.c = pdfium_c
        self.textpage = page.get_textpage()
        self.raw = self.textpage.raw
        # positions are measured down from the top of the page box, which need not start at
        # 0 (an offset media box), in the page's own orientation (before /Rotate)
        left, bottom, right, top = (float(v) for v in page.get_bbox())
        self.top, self.height, self.width = top, top - bottom, right - left
        count = max(pdfium_c.FPDFText_CountChars(self.raw), 0)
        text = self.textpage.get_text_range(0, count) if count else ""
        if len(text) != count:
            # the page text skipped or added characters: read them one by one, so that
            # position k of the text is character k of the page
            unicode = pdfium_c.FPDFText_GetUnicode
            text = "".join([chr(unicode(self.raw, k)) for k in range(count)])
            text = text.replace("\x02", HYPHEN)
        self.text = text
        self.spans: list[tuple[Line, int, int]] = []  # each line and its characters
        self._name = ctypes.create_string_buffer(256)
        self._flags = ctypes.c_int()

    def close(self) -> None:
        self.textpage.close()

    def box(self, k: int) -> tuple[float, float, float, float]:
        """x0, top, x1, bottom of character k, measured from the top of the page."""
        rect = self.c.FS_RECTF()
        self.c.FPDFText_GetLooseCharBox(self.raw, k, rect)
        return (rect.left, self.top - rect.top, rect.right, self.top - rect.bottom)

    def bold(self, k: int) -> bool:
        if self.c.FPDFText_GetFontWeight(self.raw, k) >= 600:
            return True
        n = self.c.FPDFText_GetFontInfo(self.raw, k, self._name, len(self._name), self._flags)
        return bool(BOLD.search(self._name.raw[: max(n - 1, 0)].decode("latin-1")))

    def lines(self, page_no: int) -> list[Line]:
        """The page's lines in content order."""
        out = []
        for m in LINES.finditer(self.text):
            if m.end() > m.start():
                line = self.line(m.start(), m.end(), page_no)
                if line:
                    out.append(line)
                    self.spans.append((line, m.start(), m.end()))
        return out

    def line(self, start: int, end: int, page_no: int) -> Line | None:
        raw = self.text[start:end].rstrip("\r\n")
        hyphen = raw.endswith(HYPHEN)
        unmapped_bullet = bool(UNMAPPED_BULLET.match(raw))
        text = UNMAPPED_RE.sub(" ", raw.rstrip(HYPHEN)) + ("-" if hyphen else "")
        text, bullet = strip_bullet(text)
        text = normalize(text)
        first = INK.search(self.text, start, end)
        if not text or first is None:
            return None
        last = first.start()
        for m in INK.finditer(self.text, max(first.start(), end - 8), end):
            last = m.start()
        step = max(1, (last - first.start()) // SAMPLE)
        sample = []
        for at in range(first.start(), last + 1, step):
            m = INK.search(self.text, at, last + 1)
            if m and (not sample or m.start() > sample[-1]):
                sample.append(m.start())
            if len(sample) == SAMPLE:
                break
        sizes = [self.c.FPDFText_GetFontSize(self.raw, k) for k in sample]
        boxes = [self.box(k) for k in (first.start(), sample[len(sample) // 2], last)]
        weights = (sample[0], sample[len(sample) // 2], sample[-1])  # bold: two of three
        return Line(
            text=text,
            size=round(median(sizes) * 2) / 2,
            bold=sum(self.bold(k) for k in weights) > len(weights) / 2,
            top=min(b[1] for b in boxes),
            bottom=max(b[3] for b in boxes),
            x0=boxes[0][0],
            page=page_no,
            bullet=bullet or unmapped_bullet,
        )

    def chars(self, region: list[tuple[float, ...]]) -> list[dict[str, Any]]:
        """The characters of the lines that cross `region` (table boxes), as pdfplumber's char
        dicts for its table extraction."""
        out = []
        generated = self.c.FPDFText_IsGenerated
        ks = [
            k
            for line, start, end in self.spans
            if any(line.bottom >= top and line.top <= bottom for _, top, _, bottom in region)
            for k in range(start, end)
        ]
        for k in ks:
            ch = self.text[k]
            if ch == HYPHEN:
                ch = "-"
            elif ch in "\r\n" or UNMAPPED_RE.match(ch) or generated(self.raw, k) == 1:
                continue
            x0, top, x1, bottom = self.box(k)
            out.append(
                {
                    "text": ch,
                    "x0": x0,
                    "x1": x1,
                    "top": top,
                    "bottom": bottom,
                    "doctop": top,
                    "upright": True,
                }
            )
        return out


def _edges(page: Any, top: float) -> list[dict[str, Any]]:
    """The straight, axis-parallel strokes and rectangle sides of a page's vector paths, as
    pdfplumber's edge dicts: what its table finder looks for."""
    import pypdfium2.raw as pdfium_c

    point_x, point_y = ctypes.c_float(), ctypes.c_float()
    edges: list[dict[str, Any] | None] = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]):
        matrix = obj.get_matrix()
        parent = obj.container
        while parent is not None:  # a path inside a form: into page space
            matrix = matrix.multiply(parent.get_matrix())
            parent = parent.container
        start = current = None
        for i in range(pdfium_c.FPDFPath_CountSegments(obj.raw)):
            segment = pdfium_c.FPDFPath_GetPathSegment(obj.raw, i)
            pdfium_c.FPDFPathSegment_GetPoint(segment, point_x, point_y)
            point = matrix.on_point(point_x.value, point_y.value)
            kind = pdfium_c.FPDFPathSegment_GetType(segment)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
                start = point
            elif kind == pdfium_c.FPDF_SEGMENT_LINETO and current is not None:
                edges.append(_edge(current, point, top))
            current = point
            if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
                edges.append(_edge(current, start, top))  # the closing side
                current = start
    return [e for e in edges if e]


def _edge(a: tuple[float, float], b: tuple[float, float], page_top: float) -> dict[str, Any] | None:
    (ax, ay), (bx, by) = a, b
    if abs(ay - by) < 0.01:
        orientation = "h"
    elif abs(ax - bx) < 0.01:
        orientation = "v"
    else:
        return None
    x0, x1 = sorted((ax, bx))
    top, bottom = page_top - max(ay, by), page_top - min(ay, by)
    return {
        "object_type": "line",
        "orientation": orientation,
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
    }


@dataclass
class _Geometry:
    """What pdfplumber's table finder reads of a page, filled from pdfium."""

    edges: list[dict[str, Any]]
    bbox: tuple[float, float, float, float]
    text: _TextPage
    tables: list[tuple[float, ...]]
    _chars: list[dict[str, Any]] | None = None

    @property
    def chars(self) -> list[dict[str, Any]]:
        if self._chars is None:
            self._chars = self.text.chars(self.tables)
        return self._chars


def _tables(page: Any, text: _TextPage) -> list[tuple[tuple[float, ...], tuple]]:
    """(bbox, rows) of each table that ruling lines draw on the page, by pdfplumber's finder.
    Needs the page's lines read first."""
    edges = _edges(page, text.top)
    if not any(e["orientation"] == "h" for e in edges) or not any(
        e["orientation"] == "v" for e in edges
    ):
        return []  # no grid without both: most pages stop here
    from pdfplumber.table import TableFinder

    geometry = _Geometry(edges, (0.0, 0.0, text.width, text.height), text, [])
    found = TableFinder(geometry).tables  # type: ignore[arg-type]
    geometry.tables = [table.bbox for table in found]
    out = []
    for table in found:
        rows = []
        for row in table.extract():
            cells = tuple(_clean_cell(c) for c in row)
            if any(cells):
                rows.append(cells)
        if rows:
            out.append((table.bbox, tuple(rows)))
    return out


def _inside(line: Line, bboxes: list[tuple[float, ...]]) -> bool:
    cy = (line.top + line.bottom) / 2
    return any(x0 <= line.x0 + 1 <= x1 and top <= cy <= bottom for x0, top, x1, bottom in bboxes)


def _clean_cell(cell: str | None) -> str:
    if not cell:
        return ""
    return join_lines([normalize(CID.sub("", part)) for part in cell.split("\n")])


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _open(path: str) -> Any:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        code = exc.err_code
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise ExtractionError("encrypted, password required to read it") from exc
        reason = {
            pdfium_c.FPDF_ERR_FILE: "the file cannot be opened",
            pdfium_c.FPDF_ERR_FORMAT: "the file is damaged or is not a PDF",
            pdfium_c.FPDF_ERR_SECURITY: "encrypted with a scheme kbase cannot read",
            pdfium_c.FPDF_ERR_PAGE: "its page tree is damaged",
        }.get(code, str(exc))
        raise ExtractionError(f"not a readable PDF ({reason})") from exc


SPLIT_PAGES = 12  # pages a helper process reads at the least (split_work)


def _read_pages(path: str) -> tuple[list[list[Any]], list[float], dict[str, Any], bool]:
    """Per page: items (Line or table rows) in reading order, the page height, info, landscape.

    pdfium reads the characters, their fonts and the vector paths; pdfplumber's table finder
    runs only on pages whose paths draw both horizontal and vertical rules. A long PDF is read
    in parts by helper processes where the worker has spare cores.
    """
    pdf = _open(path)
    try:
        info = {k: v for k, v in pdf.get_metadata_dict(skip_empty=True).items() if v}
        count = len(pdf)
    finally:
        pdf.close()
    read = split_work(lambda lo, hi: _page_range(path, lo, hi), count, SPLIT_PAGES)
    pages = [items for items, _, _ in read]
    heights = [height for _, height, _ in read]
    landscape = sum(wide for _, _, wide in read)
    return pages, heights, info, landscape > len(heights) / 2


def _page_range(path: str, lo: int, hi: int) -> list[tuple[list[Any], float, bool]]:
    """Pages lo..hi-1 (from 0): each page's items in reading order, its height, and whether
    it is displayed wider than high."""
    pdf = _open(path)
    out: list[tuple[list[Any], float, bool]] = []
    try:
        for number in range(lo + 1, hi + 1):
            page = pdf[number - 1]
            text = None
            try:
                width, height = (float(v) for v in page.get_size())  # as displayed
                text = _TextPage(page)
                lines = text.lines(number)
                tables = _tables(page, text)
                if tables:  # put each table where it stands among the lines
                    bboxes = [bbox for bbox, _ in tables]
                    items = [(ln.top, ln) for ln in lines if not _inside(ln, bboxes)]
                    items += [(bbox[1], ("table", rows)) for bbox, rows in tables]
                    items.sort(key=lambda item: item[0])
                    out.append(([item for _, item in items], text.height, width > height))
                else:
                    out.append((lines, text.height, width > height))
            finally:
                if text is not None:
                    text.close()
                page.close()  # pdfium's page memory is freed page by page: memory stays flat
    finally:
        pdf.close()
    return out


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

    def heading_like(line: Line) -> bool:
        if line.bullet or len(line.text) > 120 or is_page_number(line.text):
            return False
        if line.size >= body * 1.15:
            return True
        return line.bold and line.size >= body and not line.text.endswith((".", ",", ":", ";"))

    headings = {id(line) for line in lines if heading_like(line)}  # asked three times a line

    def is_heading(line: Line) -> bool:
        return id(line) in headings

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
