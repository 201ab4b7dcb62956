"""Turning bytes into text: BOM, then the declared charset, then UTF-8, then windows-1252."""

from __future__ import annotations

import codecs
import re

BOMS = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first few kilobytes, if any."""
    m = META_CHARSET.search(data[:8192])
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, name: str, declared: str | None = None) -> tuple[str, list[str]]:
    """Decode `data`; return the text and warnings (a guessed encoding, replaced bytes)."""
    for bom, enc in BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, errors="replace"), []
    warnings: list[str] = []
    if declared:
        try:
            return data.decode(declared), []
        except (UnicodeDecodeError, LookupError):
            warnings.append(f"declared charset {declared} does not fit the bytes")
    try:
        return data.decode("utf-8"), warnings
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    warnings.append("encoding guessed as windows-1252")
    return text, warnings
