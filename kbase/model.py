"""The data model: extracted structure, documents, passages, hits and reports.

Frozen dataclasses, standard library only, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "bullet", "table"]

#: the section under which speaker notes stand ("Slide title > Notater")
NOTES_SECTION = "Notater"


@dataclass(frozen=True)
class Block:
    """One unit of extracted structure: a heading, a paragraph, a bullet item or a table."""

    kind: BlockKind
    text: str = ""
    page: int | None = None
    level: int = 1  # heading level, 1 = top
    rows: tuple[tuple[str, ...], ...] = ()  # tables: first row is the header
    #: tables: True when the source marks the first row as a header (HTML <th>), None if unknown
    header: bool | None = None


@dataclass
class Extracted:
    """What an ingestor returns: the document's blocks in reading order plus detected metadata."""

    blocks: list[Block]
    title: str | None = None
    kommune: str | None = None
    doc_type: str | None = None
    year: int | None = None
    #: a weak year hint (a PDF's creation date), used only when the content names none
    fallback_year: int | None = None
    pages: int | None = None
    url: str | None = None
    warnings: list[str] = field(default_factory=list)
    # plain text of the first page/screen, used to detect metadata
    lead_text: str = ""


@dataclass(frozen=True)
class Document:
    """An indexed source document and its metadata."""

    doc_id: str
    title: str
    kommune: str | None
    doc_type: str | None
    year: int | None
    source: str
    url: str | None
    sha256: str
    pages: int | None
    passages: int
    ingested_at: str
    veivalg: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    meta_key: str = ""  # fingerprint of the metadata overrides it was ingested with

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of `kbase docs --json`."""
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "kommune": self.kommune,
            "doc_type": self.doc_type,
            "year": self.year,
            "source": self.source,
            "url": self.url,
            "sha256": self.sha256,
            "pages": self.pages,
            "passages": self.passages,
            "veivalg": list(self.veivalg),
            "themes": list(self.themes),
            "ingested_at": self.ingested_at,
        }


@dataclass(frozen=True)
class Passage:
    """About a paragraph of a document, with where it stands and how it is tagged."""

    passage_id: str
    doc_id: str
    page: int | None
    section: str
    text: str
    order: int
    veivalg: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    tag_evidence: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False)

    @property
    def section_path(self) -> list[str]:
        """The heading path as a list, top level first."""
        return self.section.split(" > ") if self.section else []

    def to_dict(self) -> dict[str, Any]:
        """The passage as JSON."""
        return {
            "passage_id": self.passage_id,
            "doc_id": self.doc_id,
            "page": self.page,
            "section": self.section,
            "text": self.text,
            "order": self.order,
            "veivalg": list(self.veivalg),
            "themes": list(self.themes),
            "tag_evidence": self.tag_evidence,
        }


@dataclass(frozen=True)
class Hit:
    """One search result: a passage with its document's metadata, snippet and citation."""

    rank: int
    score: float
    passage: Passage
    document: Document
    snippet: str
    citation: str

    def to_dict(self) -> dict[str, Any]:
        """The hit object of CONTRACT.md."""
        p, d = self.passage, self.document
        return {
            "rank": self.rank,
            "score": round(self.score, 4),
            "passage_id": p.passage_id,
            "doc_id": p.doc_id,
            "title": d.title,
            "kommune": d.kommune,
            "doc_type": d.doc_type,
            "year": d.year,
            "source": d.source,
            "page": p.page,
            "section": p.section,
            "text": p.text,
            "snippet": self.snippet,
            "veivalg": list(p.veivalg),
            "themes": list(p.themes),
            "citation": self.citation,
        }


@dataclass
class SearchResults:
    """A page of hits plus the total, facets and a spelling suggestion."""

    query: str
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    #: set when the query found nothing and the results shown are for `suggestion`
    corrected: bool = False
    offset: int = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, i: int) -> Hit:
        return self.hits[i]

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `kbase search --json`."""
        return {
            "query": self.query,
            "total": self.total,
            "hits": [h.to_dict() for h in self.hits],
            "facets": self.facets,
            "suggestion": self.suggestion,
            "corrected": self.corrected,
        }


@dataclass
class IngestReport:
    """What one ingest did with each path."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `kbase ingest --json`."""
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "failed": [{"path": p, "error": e} for p, e in self.failed],
            "removed": self.removed,
            "warnings": [{"path": p, "warning": w} for p, w in self.warnings],
        }
