"""Turning bytes into text: BOM, the declared charset, UTF-8, windows-1252, then a detector;
each strictly, so that no text is silently turned into mojibake."""

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
    """Decode `data`; return the text and warnings (a guessed encoding, replaced bytes).

    Order: a byte-order mark; the declared charset, strictly; UTF-8, strictly; windows-1252,
    strictly (it covers latin-1 text); charset-normalizer's best guess; and last UTF-8 with
    the invalid bytes replaced. Every step after UTF-8 is a guess and says so in a warning.
    """
    for bom, enc in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc), []
            except UnicodeDecodeError:
                text = data[len(bom) :].decode(enc, errors="replace")
                return text, [f"invalid {enc} bytes replaced"]
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
    try:
        text = data.decode("cp1252")
        return text, [*warnings, "encoding guessed as windows-1252"]
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        return str(best), [*warnings, f"encoding guessed as {best.encoding} by a detector"]
    text = data.decode("utf-8", errors="replace")
    return text, [*warnings, "encoding unknown: read as UTF-8 with invalid bytes replaced"]
