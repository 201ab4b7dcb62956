"""kbase: a searchable, citable knowledge base of Norwegian municipal health-and-care plans."""

from .errors import (
    ExtractionError,
    IndexBusyError,
    IndexUnreadableError,
    KbaseError,
    QuerySyntaxError,
    UnknownIdError,
    UnsupportedFormatError,
)
from .ingest.isolate import Limits
from .kb import KnowledgeBase
from .model import Document, Hit, IngestReport, Passage, SearchResults

__version__ = "0.1.0"

__all__ = [
    "Document",
    "ExtractionError",
    "Hit",
    "IndexBusyError",
    "IndexUnreadableError",
    "IngestReport",
    "KbaseError",
    "KnowledgeBase",
    "Limits",
    "Passage",
    "QuerySyntaxError",
    "SearchResults",
    "UnknownIdError",
    "UnsupportedFormatError",
]
