"""Blocks to passages: about a paragraph each, never across pages or sections; stable ids."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from .ingest.clean import split_sentences
from .model import Block, Passage

MAX_WORDS = 200  # a passage grows from short units up to this many words
LONG_WORDS = 40  # a paragraph this long stands as its own passage
SPLIT_WORDS = 150  # long paragraphs are cut at sentence ends into pieces about this long


def slugify(text: str, max_len: int = 48) -> str:
    """ASCII slug: 'Temaplan for helse og omsorg' -> 'temaplan-for-helse-og-omsorg'."""
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:max_len].rstrip("-") or "dokument"


def make_doc_id(name: str, source_key: str) -> str:
    """A document id from its file name and a short hash of where it comes from."""
    digest = hashlib.sha1(source_key.encode("utf-8")).hexdigest()[:8]
    return f"{slugify(name)}-{digest}"


@dataclass
class _Unit:
    page: int | None
    section: str
    group: str  # "text" or "table"
    text: str
    words: int


def table_lines(rows: tuple[tuple[str, ...], ...], header: bool | None = None) -> list[str]:
    """A table as lines: each data row with its header labels, 'Label: value; Label: value'.

    Two-column tables without a marked header are read as label and value on every row.
    """
    if not rows:
        return []
    if header is None and len(rows) >= 2 and all(len(r) == 2 for r in rows):
        # a two-column table is label | value on every row ("Saksbehandler | Ola Bergseth")
        return [f"{a}: {b}" if a and b else a or b for a, b in rows if a or b]
    header = rows[0]
    if len(rows) == 1:
        return [" | ".join(c for c in header if c)]
    lines = []
    for row in rows[1:]:
        parts = []
        for i, cell in enumerate(row):
            if not cell:
                continue
            label = header[i] if i < len(header) else ""
            parts.append(f"{label}: {cell}" if label and label != cell else cell)
        if parts:
            lines.append("; ".join(parts))
    return lines


def _units(blocks: list[Block], title: str | None) -> list[_Unit]:
    stack: list[tuple[int, str]] = []  # (level, heading): levels are relative, gaps allowed
    units: list[_Unit] = []
    first_heading = True
    for block in blocks:
        if block.kind == "heading":
            is_title = first_heading and title is not None and block.text == title
            first_heading = False
            if block.level >= 1 and not is_title:
                while stack and stack[-1][0] >= block.level:
                    stack.pop()
                stack.append((block.level, block.text))
            continue
        section = " > ".join(text for _, text in stack)
        if block.kind == "table":
            for line in table_lines(block.rows, block.header):
                units.append(_Unit(block.page, section, "table", line, len(line.split())))
            continue
        words = len(block.text.split())
        if words > MAX_WORDS:
            piece: list[str] = []
            count = 0
            for sentence in split_sentences(block.text):
                n = len(sentence.split())
                if piece and count + n > SPLIT_WORDS:
                    units.append(_Unit(block.page, section, "text", " ".join(piece), count))
                    piece, count = [], 0
                piece.append(sentence)
                count += n
            if piece:
                units.append(_Unit(block.page, section, "text", " ".join(piece), count))
        else:
            units.append(_Unit(block.page, section, "text", block.text, words))
    return units


def segment(blocks: list[Block], doc_id: str, title: str | None = None) -> list[Passage]:
    """Group blocks into passages; ids depend only on the document, section and text.

    A first heading that repeats the document's title names the document, not a section.
    """
    chunks: list[list[_Unit]] = []
    for unit in _units(blocks, title):
        cur = chunks[-1] if chunks else None
        if (
            cur
            and cur[0].page == unit.page
            and cur[0].section == unit.section
            and cur[0].group == unit.group
            and sum(u.words for u in cur) + unit.words <= MAX_WORDS
            and (
                unit.group == "table"
                or (unit.words < LONG_WORDS and all(u.words < LONG_WORDS for u in cur))
            )
        ):
            cur.append(unit)
        else:
            chunks.append([unit])
    passages: list[Passage] = []
    seen: dict[str, int] = {}
    for order, chunk in enumerate(chunks):
        text = "\n".join(u.text for u in chunk)
        section = chunk[0].section
        digest = hashlib.sha1(f"{section}\x1f{text}".encode()).hexdigest()[:10]
        n = seen.get(digest, 0)
        seen[digest] = n + 1
        pid = f"{doc_id}:{digest}" + (f"-{n + 1}" if n else "")
        passages.append(Passage(pid, doc_id, chunk[0].page, section, text, order))
    return passages
