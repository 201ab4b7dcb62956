"""Plain text and Markdown: headings from `#` lines or underlined lines, bullets, tables."""

from __future__ import annotations

import re

from ..model import Block, Extracted
from .clean import NUMBERED_ITEM, join_lines, normalize, strip_bullet
from .decode import decode_bytes

ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
SETEXT = re.compile(r"^(=+|-+)\s*$")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),  # italics
    (re.compile(r"`([^`]+)`"), r"\1"),  # code
]


def _inline(text: str) -> str:
    for pattern, repl in INLINE:
        text = pattern.sub(repl, text)
    return normalize(text)


def _cells(line: str) -> tuple[str, ...]:
    return tuple(_inline(c) for c in line.strip().strip("|").split("|"))


def extract_text(data: bytes, name: str) -> Extracted:
    """Extract the blocks of a plain-text or Markdown file."""
    text, warnings = decode_bytes(data, name)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    para: list[str] = []
    title: str | None = None

    def flush() -> None:
        if para:
            joined = join_lines(para)
            if joined:
                blocks.append(Block("paragraph", joined))
            para.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        m = ATX.match(stripped)
        if m:
            flush()
            heading = _inline(m.group(2))
            if heading:
                blocks.append(Block("heading", heading, level=len(m.group(1))))
                title = title or heading
            i += 1
            continue
        if stripped and not para and SETEXT.match(nxt.strip()) and len(nxt.strip()) >= 3:
            flush()
            level = 1 if nxt.strip().startswith("=") else 2
            heading = _inline(stripped)
            blocks.append(Block("heading", heading, level=level))
            title = title or heading
            i += 2
            continue
        if stripped.startswith("|") and TABLE_RULE.match(nxt):
            flush()
            rows = [_cells(stripped)]
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            blocks.append(Block("table", rows=tuple(rows)))
            continue
        if not stripped:
            flush()
            i += 1
            continue
        item, is_bullet = strip_bullet(stripped)
        if not is_bullet and NUMBERED_ITEM.match(stripped):
            is_bullet = True
        if is_bullet:
            flush()
            # a bullet item runs on over indented continuation lines
            parts = [item]
            while (
                i + 1 < len(lines) and lines[i + 1].startswith((" ", "\t")) and lines[i + 1].strip()
            ):
                i += 1
                parts.append(lines[i].strip())
            blocks.append(Block("bullet", _inline(join_lines(parts))))
            i += 1
            continue
        para.append(_inline(stripped))
        i += 1
    flush()
    lead = "\n".join(b.text for b in blocks[:8])
    return Extracted(blocks=blocks, title=title, warnings=warnings, lead_text=lead)
