"""The Whoosh schema: one index document per passage, plus one per source document."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from ..analysis import norwegian_analyzer, parts_analyzer, word_analyzer

SCHEMA_VERSION = 5


class ColumnNumber(NUMERIC):
    """An integer kept in a column for ranking and never searched: no postings are written,
    which saves eight terms per passage."""

    def __init__(self) -> None:
        super().__init__(sortable=True)
        self.indexed = False


def build_schema() -> Schema:
    """Passages carry their document's fields beside them so filters and facets need no join."""
    analyzer = norwegian_analyzer()
    return Schema(
        kind=ID(stored=True),  # "passage" or "document"
        passage_id=ID(unique=True, stored=True),
        doc_id=ID(stored=True),
        text=TEXT(analyzer=analyzer, stored=True, phrase=True),
        section=STORED,  # the heading path as shown: "Veivalg > Seniorkraft"
        # the passage's own heading weighs more than its text; the headings above it only as
        # much, so a chapter name shared by many passages does not outrank what they say
        heading=TEXT(analyzer=analyzer, field_boost=1.6),
        path=TEXT(analyzer=analyzer),
        title=TEXT(analyzer=analyzer, field_boost=1.3),
        # compound parts, weighted below whole words: "rehabilitering" finds
        # "hverdagsrehabiliteringen", but a passage that says "rehabilitering" ranks first
        parts=TEXT(analyzer=parts_analyzer(), phrase=False, field_boost=0.5),
        # every word as written (lowercased, stop words kept): spelling suggestions, and
        # quoted phrases such as "hva er viktig for deg" that are mostly stop words
        words=TEXT(analyzer=word_analyzer(), phrase=True),
        # shown and cited, never searched: stored without postings
        page=STORED,
        order=STORED,
        # in percent: below 100 for contact lines and very short passages; a column, so
        # ranking reads it without loading stored fields, and never searched
        weight=ColumnNumber(),
        kommune=ID(stored=True, sortable=True),
        kommune_key=ID,
        doc_type=ID(stored=True, sortable=True),
        # one term per year (no coarser ones): a year range spans a few dozen terms at most
        year=NUMERIC(stored=True, sortable=True, shift_step=0),
        veivalg=KEYWORD(stored=True, commas=True, scorable=False),
        themes=KEYWORD(stored=True, commas=True, scorable=False),
        tag_evidence=STORED,
        doc_json=STORED,
    )
