"""Choosing an ingestor for a file by sniffing its first bytes, with the extension as a hint."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ExtractionError, UnsupportedFormatError
from ..model import Extracted

HEAD_BYTES = 4096


@dataclass(frozen=True)
class Ingestor:
    """A format reader: `score` says how well it fits a file, `extract` reads it."""

    kind: str
    score: Callable[[bytes, str], float]
    extract: Callable[[Path, bytes], Extracted]


_REGISTRY: list[Ingestor] = []


def register(ingestor: Ingestor) -> None:
    """Add an ingestor; later registrations win ties."""
    _REGISTRY.append(ingestor)


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    return b"\x00" not in head


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return (
        start.startswith((b"<!doctype html", b"<html", b"<?xml"))
        and b"<html" in head.lower()
        or (
            start.startswith(b"<")
            and any(t in head.lower() for t in (b"<body", b"<head", b"<p>", b"<div"))
        )
    )


# Known formats kbase does not read, with what to do instead.
LEGACY = {
    ".doc": "legacy Word .doc: save it as .docx or PDF",
    ".ppt": "legacy PowerPoint .ppt: save it as .pptx or PDF",
    ".xls": "Excel .xls: export the sheet to PDF",
    ".xlsx": "Excel workbooks are not read: export the sheet to PDF",
    ".zip": "a zip archive: unpack it and ingest the folder",
    ".odt": "OpenDocument text: save it as .docx or PDF",
    ".odp": "OpenDocument slides: save them as .pptx or PDF",
}


def choose(path: Path, head: bytes) -> Ingestor:
    """The best ingestor for the file, or UnsupportedFormatError naming the reason."""
    suffix = path.suffix.lower()
    if not head:
        raise UnsupportedFormatError("empty file")
    scored = [(ing.score(head, suffix), i, ing) for i, ing in enumerate(_REGISTRY)]
    scored = [s for s in scored if s[0] > 0]
    if scored:
        return max(scored)[2]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsupportedFormatError(
            LEGACY.get(suffix, "legacy Office file: save it as .docx, .pptx or PDF")
        )
    if suffix in LEGACY:
        raise UnsupportedFormatError(LEGACY[suffix])
    if suffix == ".pdf":
        raise UnsupportedFormatError("named .pdf but not a PDF (no %PDF- header)")
    raise UnsupportedFormatError(f"unsupported format ({suffix or 'no extension'})")


def _pdf_score(head: bytes, suffix: str) -> float:
    return 1.0 if b"%PDF-" in head[:1024] else 0.0


def _html_score(head: bytes, suffix: str) -> float:
    if head.startswith(b"%PDF") or not _looks_like_text(head):
        return 0.0
    if _looks_like_html(head):
        return 0.9
    return 0.0


TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ".rst", ""}


def _text_score(head: bytes, suffix: str) -> float:
    if suffix in TEXT_SUFFIXES and _looks_like_text(head) and not head.startswith(b"%PDF"):
        return 0.5
    return 0.0


def _extract_pdf(path: Path, data: bytes) -> Extracted:
    from .pdf import extract_pdf

    return extract_pdf(str(path))


def _extract_html(path: Path, data: bytes) -> Extracted:
    from .html import extract_html

    return extract_html(data, path.name)


def _extract_text(path: Path, data: bytes) -> Extracted:
    from .text import extract_text

    return extract_text(data, path.name)


OFFICE_SUFFIXES = {".pptx", ".docx", ".pptm", ".docm"}


def _office_score(head: bytes, suffix: str) -> float:
    if not head.startswith(b"PK\x03\x04"):
        return 0.0
    return 1.0 if suffix in OFFICE_SUFFIXES else 0.6


def _extract_office(path: Path, data: bytes) -> Extracted:
    """Dispatch on what the zip holds, not on the name: a .docx renamed .pptx still reads."""
    import io
    import zipfile

    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile as exc:
        raise ExtractionError(f"a damaged zip file ({exc})") from exc
    if "ppt/presentation.xml" in names:
        from .pptx import extract_pptx

        return extract_pptx(data, path.name)
    if "word/document.xml" in names:
        from .docx import extract_docx

        return extract_docx(data, path.name)
    if "xl/workbook.xml" in names:
        raise UnsupportedFormatError(LEGACY[".xlsx"])
    raise UnsupportedFormatError("a zip archive, not a Word (.docx) or PowerPoint (.pptx) file")


# what each kind of file needs imported: imported once in kbase, before the workers fork, and
# shared by them all
PRELOAD = {
    ".pdf": ("pypdfium2", "kbase.ingest.pdf"),
    ".html": ("kbase.ingest.html",),
    ".htm": ("kbase.ingest.html",),
    ".xhtml": ("kbase.ingest.html",),
    ".docx": ("docx", "kbase.ingest.docx"),
    ".pptx": ("pptx", "kbase.ingest.pptx"),
}


def preload_readers(suffixes: Iterable[str]) -> None:
    """Import the readers that files with these suffixes need, once, so that forked workers
    share them instead of each importing pdfium, bs4 or an Office library again. A reader not
    imported here (pdfplumber's table finder, a page named .txt that is HTML) is imported by
    the worker that meets it."""
    import importlib

    for module in sorted({m for suffix in suffixes for m in PRELOAD.get(suffix.lower(), ())}):
        importlib.import_module(module)


register(Ingestor("office", _office_score, _extract_office))
register(Ingestor("text", _text_score, _extract_text))
register(Ingestor("html", _html_score, _extract_html))
register(Ingestor("pdf", _pdf_score, _extract_pdf))
