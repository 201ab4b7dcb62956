"""Citations: 'Eksempel kommune: Temaplan for helse og omsorg (2024), s. 3, «Trygge overganger»'."""

from __future__ import annotations

import json
from typing import Any

from .model import NOTES_SECTION, Document, Passage

FORMATS = ("text", "markdown", "json")


def citation(doc: Document, passage: Passage) -> str:
    """The one-line citation of a passage."""
    who = f"{doc.kommune} kommune: " if doc.kommune else ""
    year = f" ({doc.year})" if doc.year else ""
    parts = [f"{who}{doc.title}{year}"]
    path = passage.section_path
    notes = bool(path) and path[-1] == NOTES_SECTION
    if notes:
        path = path[:-1]  # a speaker note is cited as a note, never as slide text
    if passage.page is not None:
        label = "lysbilde" if doc.doc_type == "presentasjon" and doc.pages else "s."
        parts.append(f"{label} {passage.page}" + (" (notater)" if notes else ""))
    elif notes:
        parts.append("notater")
    if path:
        parts.append(f"«{path[-1]}»")
    if doc.url:
        parts.append(doc.url)
    return ", ".join(parts)


def cite_dict(doc: Document, passage: Passage) -> dict[str, Any]:
    """The citation with its parts, for scripts."""
    return {
        "passage_id": passage.passage_id,
        "doc_id": doc.doc_id,
        "citation": citation(doc, passage),
        "quote": passage.text,
        "title": doc.title,
        "kommune": doc.kommune,
        "year": doc.year,
        "page": passage.page,
        "section": passage.section,
        "source": doc.source,
        "url": doc.url,
    }


def format_citation(doc: Document, passage: Passage, fmt: str = "text") -> str:
    """The citation with the quote, as plain text, Markdown or JSON."""
    line = citation(doc, passage)
    if fmt == "text":
        return f"«{passage.text}»\n({line})"
    if fmt == "markdown":
        quote = "\n".join(f"> {ln}" if ln else ">" for ln in passage.text.split("\n"))
        return f"{quote}\n>\n> — {line}"
    if fmt == "json":
        return json.dumps(cite_dict(doc, passage), ensure_ascii=False, indent=2)
    raise ValueError(f"unknown citation format {fmt!r}; use one of {', '.join(FORMATS)}")
