"""Cheap checks before a file is opened by its reader: size, and for Office files the zip's
declared sizes, compression ratios and XML document type declarations."""

from __future__ import annotations

import io
import zipfile

from ..errors import ExtractionError
from .isolate import MB, LimitExceeded, Limits

XML_HEAD = 2048  # a DOCTYPE comes before the root element, within the first bytes


def check_size(size: int, limits: Limits) -> None:
    """Refuse a file larger than the size limit."""
    if size > limits.max_file_mb * MB:
        raise LimitExceeded(
            f"is {size / MB:.0f} MB, over the {limits.max_file_mb} MB limit for one file "
            "(raise it with --max-file-size or KBASE_MAX_FILE_SIZE)"
        )


def check_office_zip(data: bytes, limits: Limits) -> None:
    """Refuse zip bombs and XML with document type declarations (entity expansion, external
    entities) before python-docx or python-pptx unpack anything."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ExtractionError(f"a damaged zip file ({exc})") from exc
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_mb * MB:
        raise LimitExceeded(
            f"would unpack to {total / MB:.0f} MB, over the {limits.max_unzipped_mb} MB limit "
            "for an Office file (a zip bomb?)"
        )
    for m in members:
        if m.file_size > MB and m.file_size > limits.max_zip_ratio * max(m.compress_size, 1):
            raise LimitExceeded(
                f"{m.filename} would unpack {m.file_size // max(m.compress_size, 1)}-fold, over "
                f"the {limits.max_zip_ratio}-fold limit for an Office file (a zip bomb?)"
            )
    for m in members:
        if m.filename.endswith((".xml", ".rels")):
            try:
                with archive.open(m) as f:
                    head = f.read(XML_HEAD)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise ExtractionError(f"a damaged zip file ({m.filename}: {exc})") from exc
            if b"<!DOCTYPE" in head.upper():
                raise ExtractionError(
                    f"{m.filename} has a DOCTYPE declaration, which Office files never need "
                    "(entity expansion or external entities); not read"
                )
