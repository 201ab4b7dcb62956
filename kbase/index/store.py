"""Opening, writing and reading the Whoosh index, with a manifest that says how it was built."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import LockError
from whoosh.query import Term
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

from ..analysis import fingerprint
from ..errors import IndexBusyError, IndexUnreadableError
from ..model import Document, Passage
from .schema import SCHEMA_VERSION, build_schema

MANIFEST = "kbase.json"
INDEX_NAME = "kbase"


class IndexStore:
    """One kbase index folder: a Whoosh index plus `kbase.json` (schema version, analyzer)."""

    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._searcher: Searcher | None = None
        self._docs: dict[str, Document] | None = None
        self.ix = self._open_or_create()

    def _open_or_create(self) -> whoosh_index.Index:
        manifest = self.path / MANIFEST
        if self.path.exists() and not self.path.is_dir():
            raise IndexUnreadableError(f"index path {self.path} is a file, not a folder")
        if not self.path.exists() or not any(self.path.iterdir()):
            self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
            ix = whoosh_index.create_in(str(self.path), build_schema(), indexname=INDEX_NAME)
            manifest.write_text(
                json.dumps({"schema_version": SCHEMA_VERSION, "analyzer": fingerprint()}, indent=2)
                + "\n",
                encoding="utf-8",
            )
            return ix
        if not manifest.is_file():
            raise IndexUnreadableError(
                f"{self.path} is not a kbase index (no {MANIFEST}); choose an empty or new folder"
            )
        try:
            info = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexUnreadableError(f"cannot read {manifest}: {exc}") from exc
        rebuild = f"move {self.path} aside and ingest your documents again into a new index"
        if info.get("schema_version") != SCHEMA_VERSION or info.get("analyzer") != fingerprint():
            raise IndexUnreadableError(
                f"the index at {self.path} was built by another kbase version; {rebuild}"
            )
        try:
            return whoosh_index.open_dir(str(self.path), indexname=INDEX_NAME)
        except Exception as exc:  # whoosh raises several types for damaged folders
            raise IndexUnreadableError(
                f"the index at {self.path} cannot be opened ({exc}); {rebuild}"
            ) from exc

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[SegmentWriter]:
        """A writer that commits when the block ends and cancels if it raises."""
        try:
            w = self.ix.writer(timeout=self.lock_timeout, delay=0.1)
        except LockError:
            raise IndexBusyError(
                f"the index at {self.path} is busy: another kbase process is writing to it; "
                "try again when it is done"
            ) from None
        try:
            yield w
        except BaseException:
            w.cancel()
            raise
        else:
            w.commit()
        finally:
            self._invalidate()

    @staticmethod
    def add_document(w: SegmentWriter, doc: Document, passages: list[Passage]) -> None:
        """Replace everything stored for `doc.doc_id` with the given document and passages."""
        w.delete_by_term("doc_id", doc.doc_id)
        common = {
            "doc_id": doc.doc_id,
            "title": doc.title,
            "kommune": doc.kommune or "",
            "kommune_key": (doc.kommune or "").lower(),
            "doc_type": doc.doc_type or "",
        }
        if doc.year is not None:
            common["year"] = doc.year
        for p in passages:
            fields: dict[str, Any] = dict(common)
            fields.update(
                kind="passage",
                passage_id=p.passage_id,
                text=p.text,
                section=p.section,
                heading=p.section.rsplit(" > ", 1)[-1],
                path=p.section.rsplit(" > ", 1)[0] if " > " in p.section else "",
                words=f"{p.section}\n{p.text}",
                parts=f"{p.section}\n{p.text}",
                order=p.order,
                veivalg=",".join(p.veivalg),
                themes=",".join(p.themes),
                tag_evidence=json.dumps(p.tag_evidence, ensure_ascii=False),
            )
            if p.page is not None:
                fields["page"] = p.page
            w.add_document(**fields)
        w.add_document(
            kind="document",
            passage_id=f"doc:{doc.doc_id}",
            doc_id=doc.doc_id,
            doc_json=json.dumps(doc.to_dict() | {"meta_key": doc.meta_key}, ensure_ascii=False),
        )

    # -- reading ---------------------------------------------------------------------------

    def _invalidate(self) -> None:
        # Searcher.refresh() fails on a reader of an empty index (whoosh reuses its segment
        # list, which is None there); reopening is cheap and always right.
        self._docs = None
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def searcher(self) -> Searcher:
        """The process's searcher, refreshed when the index changed."""
        if self._searcher is None:
            self._searcher = self.ix.searcher()
        elif not self._searcher.up_to_date():
            self._searcher.close()
            self._searcher = self.ix.searcher()
            self._docs = None
        return self._searcher

    def documents(self) -> dict[str, Document]:
        """Every indexed document by id."""
        s = self.searcher()
        if self._docs is None:
            docs = {}
            for stored in s.documents(kind="document"):
                d = json.loads(stored["doc_json"])
                docs[d["doc_id"]] = Document(
                    doc_id=d["doc_id"],
                    title=d["title"],
                    kommune=d["kommune"],
                    doc_type=d["doc_type"],
                    year=d["year"],
                    source=d["source"],
                    url=d["url"],
                    sha256=d["sha256"],
                    pages=d["pages"],
                    passages=d["passages"],
                    ingested_at=d["ingested_at"],
                    veivalg=tuple(d["veivalg"]),
                    themes=tuple(d["themes"]),
                    meta_key=d.get("meta_key", ""),
                )
            self._docs = docs
        return self._docs

    @staticmethod
    def passage_from(stored: dict[str, Any]) -> Passage:
        """A Passage from a stored index document."""
        return Passage(
            passage_id=stored["passage_id"],
            doc_id=stored["doc_id"],
            page=stored.get("page"),
            section=stored.get("section", ""),
            text=stored["text"],
            order=stored.get("order", 0),
            veivalg=tuple(v for v in stored.get("veivalg", "").split(",") if v),
            themes=tuple(v for v in stored.get("themes", "").split(",") if v),
            tag_evidence=json.loads(stored.get("tag_evidence") or "{}"),
        )

    def passage(self, passage_id: str) -> Passage | None:
        """The passage with this id, or None."""
        stored = self.searcher().document(passage_id=passage_id)
        if not stored or stored.get("kind") != "passage":
            return None
        return self.passage_from(stored)

    def passages_of(self, doc_id: str) -> list[Passage]:
        """The document's passages in reading order."""
        s = self.searcher()
        q = Term("doc_id", doc_id) & Term("kind", "passage")
        found = [self.passage_from(hit.fields()) for hit in s.search(q, limit=None)]
        return sorted(found, key=lambda p: p.order)

    def close(self) -> None:
        """Release the searcher and its open files."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self.ix.close()
