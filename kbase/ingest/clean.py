"""Text clean-up shared by the ingestors: glyph debris, bullets, hyphenation, white space."""

from __future__ import annotations

import re
import unicodedata

CID = re.compile(r"\(cid:\d+\)")
# Glyphs that start a bullet item; PDFs often give "(cid:127)" or a private-use glyph instead.
BULLET = re.compile(r"^\s*(?:[•●○◦▪▫■□‣⁃∙·\-–—*\uf0b7\uf0a7\uf076\uf0d8\uf0fc]|\(cid:\d+\))\s+")
NUMBERED_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-zæøå][.)])\s+")
WS = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
PAGE_NUMBER = re.compile(
    r"(?:(?:side|s\.|page|sida)\s*)?[-–]?\s*\d{1,4}\s*[-–]?(?:\s*(?:av|/|of)\s*\d{1,4})?",
    re.IGNORECASE,
)
# Words after which a trailing hyphen is a shared tail ("helse- og omsorgstjenester").
SHARED_TAIL_NEXT = {"og", "eller", "samt", "enn", "til", "and", "or"}


def normalize(text: str) -> str:
    """NFC-normalize, drop glyph debris and control characters, and fold runs of spaces."""
    text = unicodedata.normalize("NFC", text)
    text = CID.sub("", text)
    text = text.replace("\u00ad", "")  # soft hyphen
    if not text.isprintable():  # most lines are: then no character needs looking at
        text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return WS.sub(" ", text).strip()


def strip_bullet(line: str) -> tuple[str, bool]:
    """Remove a leading bullet glyph; return the text and whether it was a bullet item."""
    m = BULLET.match(line)
    if m:
        return line[m.end() :].strip(), True
    return line, False


def join_lines(lines: list[str]) -> str:
    """Join the lines of one paragraph, undoing line-end hyphenation but keeping real hyphens.

    "utvik-" + "lingen" becomes "utviklingen"; "helse-" + "og omsorg" keeps its hyphen and the
    space; "OU-" + "prosess" keeps the hyphen of the abbreviation.
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        if out.endswith("-") and len(out) >= 2 and out[-2].isalpha():
            first = line.split(" ", 1)[0]
            word_before = re.split(r"[\s/(]", out[:-1])[-1]
            if first.lower().strip(",.;:") in SHARED_TAIL_NEXT:
                out = out + " " + line
            elif word_before.isupper() or not first[:1].islower():
                # "OU-" + "prosess", "covid-" + "19", "Nord-" + "Norge": a real hyphen
                out = out + line
            else:
                out = out[:-1] + line
        else:
            out = out + " " + line
    return WS.sub(" ", out).strip()


def is_page_number(line: str) -> bool:
    """True for a line that is only a page number ("3", "Side 3", "s. 3 av 12", "- 3 -")."""
    return PAGE_NUMBER.fullmatch(line.strip()) is not None


def split_sentences(text: str) -> list[str]:
    """Split text at sentence ends (., !, ? followed by space and a capital letter or digit)."""
    parts = re.split(r"(?<=[.!?»])\s+(?=[A-ZÆØÅ0-9«])", text)
    return [p.strip() for p in parts if p.strip()]
