"""KnowledgeBase: the one place that wires ingest, segmentation, tagging and the index."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import queue
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from .cite import citation
from .errors import (
    ExtractionError,
    IndexUnreadableError,
    KbaseError,
    UnknownIdError,
    UnsupportedFormatError,
)
from .index.store import (
    IndexStore,
    StagedSegment,
    paused_gc,
    write_atomic,
    write_json_atomic,
)
from .ingest import choose, preload_readers
from .ingest.guard import check_office_zip, check_size
from .ingest.isolate import Limits, run_isolated, split_parts, split_work
from .ingest.metadata import SIDECAR_SUFFIX, resolve, sidecar_path
from .ingest.registry import HEAD_BYTES
from .model import Document, IngestReport, Passage, SearchResults
from .segment import make_doc_id, segment
from .tagging import Tagger, document_tags
from .taxonomy import Taxonomy, load_taxonomy, parse_taxonomy

SOURCES_FILE = "sources.json"  # every file ingested, with what it became: for `rebuild`
TAXONOMY_FILE = "taxonomy.toml"  # the taxonomy an index was tagged with, kept beside it
SPLIT_PASSAGES = 60  # passages a helper process tags at the least (split_work)
# A file of at least twice this many passages, read by a worker with spare cores, is written
# to the index by the worker and its helpers, a segment each (IndexStore.open_stage), not by
# the ingesting process alone after the last passage is tagged.
STAGE_PASSAGES = 200
COMMIT_EVERY = 50  # documents per commit: a crash loses at most one batch, never half a document
ProgressFn = Callable[[int, int, str], None]  # (done, total, path)
Tags = tuple[tuple[str, ...], tuple[str, ...]]  # a passage's veivalg and themes


def default_index_path() -> Path:
    """`$KBASE_INDEX`, else `./indexes/default`."""
    return Path(os.environ.get("KBASE_INDEX") or Path("indexes") / "default")


def _source_key(path: Path, url: str | None) -> str:
    """What identifies a source across re-ingests: its URL, else its path relative to the
    working folder (so an index rebuilt from the same project checkout keeps its ids)."""
    if url:
        return url
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def _walk(path: Path, root: Path, seen: set[Path] | None = None) -> Iterator[Path]:
    """Files below a folder in a stable order, skipping hidden entries and sidecars.

    A folder reached twice (a symlink loop, or a link to a folder already walked) is walked once.
    A link to a folder outside `root` is yielded itself, not followed, so it can be reported.
    """
    seen = set() if seen is None else seen
    if path.is_dir():
        real = path.resolve()
        if real in seen:
            return
        if path != root and not _is_under(real, root):
            yield path
            return
        seen.add(real)
        try:
            children = sorted(path.iterdir(), key=lambda p: p.name)
        except OSError:
            return  # an unreadable folder: nothing below it can be read either
        for child in children:
            if child.name.startswith("."):
                continue
            yield from _walk(child, root, seen)
    elif not path.name.endswith(SIDECAR_SUFFIX):
        yield path


def display_name(name: str) -> str:
    """A file name fit for one line of output and for the index: bytes that are not UTF-8
    shown as \\xNN, control characters (a newline in a name) escaped."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclasses.dataclass(frozen=True)
class _File:
    """A file to ingest: its path, its name as shown, the folder it was found in, and the key
    its document id is made from (None: from its path)."""

    path: Path
    shown: str
    root: Path | None = None
    key: str | None = None


@dataclasses.dataclass(frozen=True)
class _Job:
    """One file to read in a worker."""

    file: _File
    digest: str
    doc_id: str
    meta: str  # the metadata key: overrides and sidecar
    overrides: dict[str, Any]
    limits: Limits
    owner: int  # the ingesting process, whose commit adopts the segments a worker stages

    @property
    def path(self) -> Path:
        return self.file.path

    @property
    def shown(self) -> str:
        return self.file.shown


@dataclasses.dataclass
class _Read:
    """A file read in a worker: its document, and either its tagged passages or the segments
    its worker wrote them in (`IndexStore.open_stage`), for the next commit."""

    doc: Document
    passages: list[Passage]
    staged: list[StagedSegment]
    warnings: list[str]
    status: str = "added"  # or "updated": set by the ingesting process


class _BatchWriter:
    """Indexes batches of read documents in a thread of its own, one batch at a time, so the
    workers go on reading while the index is written: writing is half an ingest's work.

    `lock` is held while a batch is written; the worker pool takes it to fork a new worker,
    so no worker is forked in the middle of a write. At most two batches wait."""

    def __init__(self, kb: KnowledgeBase, report: IngestReport) -> None:
        self.kb, self.report = kb, report
        self.lock = threading.Lock()
        self.batches: queue.Queue[list[Any] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="kbase-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            batch = self.batches.get()
            if batch is None:
                return
            if self.error is not None:
                continue  # after a failed write nothing more is written
            try:
                with self.lock:
                    self.kb._write(batch, self.report)
            except BaseException as exc:  # handed to the ingesting thread by submit/close
                self.error = exc

    def submit(self, batch: list[Any]) -> None:
        if self.error is not None:
            raise self.error
        self.batches.put(batch)

    def close(self) -> None:
        self.batches.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


class KnowledgeBase:
    """A searchable, citable index of plan documents, stored in one folder."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        taxonomy: str | os.PathLike[str] | None = None,
        lock_timeout: float | None = None,
    ):
        """Open (or create) the index at `path`.

        `taxonomy`: a TOML file of veivalg and themes; else `$KBASE_TAXONOMY`; else the one the
        index was tagged with; else kbase's default. A taxonomy other than the index's own
        re-tags the index at the next ingest or `retag()`.
        """
        self.path = Path(path) if path is not None else default_index_path()
        if lock_timeout is None:
            lock_timeout = float(os.environ.get("KBASE_LOCK_TIMEOUT") or 30)
        self._store = IndexStore(self.path, lock_timeout=lock_timeout)
        stored = self.path / TAXONOMY_FILE
        chosen = taxonomy or os.environ.get("KBASE_TAXONOMY") or None
        if chosen:
            self._taxonomy = load_taxonomy(chosen)
        elif stored.is_file():
            self._taxonomy = parse_taxonomy(stored.read_text(encoding="utf-8"), str(stored))
        else:
            self._taxonomy = load_taxonomy()
        self._tagger: Tagger | None = None
        self._source_list: dict[str, dict[str, Any]] | None = None
        self._sources_changed = False
        self._sources_lock = threading.RLock()  # the index writer thread saves the list

    @property
    def tagger(self) -> Tagger:
        """The tagger for this knowledge base's taxonomy."""
        if self._tagger is None:
            self._tagger = Tagger(self._taxonomy)
        return self._tagger

    def _taxonomy_is_stored(self) -> bool:
        stored = self.path / TAXONOMY_FILE
        return stored.is_file() and stored.read_text(encoding="utf-8") == self._taxonomy.text

    def _store_taxonomy(self) -> None:
        write_atomic(self.path / TAXONOMY_FILE, self._taxonomy.text)

    # -- the sources manifest: what every file became, so the index can be rebuilt ----------

    def _sources(self) -> dict[str, dict[str, Any]]:
        if self._source_list is None:
            self._source_list = read_sources(self.path)
        return self._source_list

    def _note_source(
        self,
        file: _File,
        overrides: dict[str, Any],
        status: str,
        *,
        doc_id: str | None = None,
        error: str | None = None,
    ) -> None:
        entry = {
            "path": str(file.path.absolute()),
            "key": file.key,
            "overrides": {k: v for k, v in overrides.items() if v is not None},
            "status": status,
            "doc_id": doc_id,
            "error": error,
        }
        with self._sources_lock:
            self._sources()[file.shown] = entry
            self._sources_changed = True

    def _save_sources(self) -> None:
        with self._sources_lock:
            if self._sources_changed and self._source_list is not None:
                write_json_atomic(
                    self.path / SOURCES_FILE, {"version": 1, "sources": self._source_list}
                )
                self._sources_changed = False

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Release files and locks."""
        self._store.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- ingest ----------------------------------------------------------------------------

    def ingest(
        self,
        *paths: str | os.PathLike[str],
        kommune: str | None = None,
        doc_type: str | None = None,
        title: str | None = None,
        year: int | None = None,
        url: str | None = None,
        force: bool = False,
        progress: ProgressFn | None = None,
        limits: Limits | None = None,
    ) -> IngestReport:
        """Extract, tag and index files and folders; one bad file never stops the batch.

        Each file is read in a worker process under `limits` (time, memory, size; default
        `Limits.from_env()`), several at once.
        """
        limits = limits or Limits.from_env()
        report = IngestReport()
        if not self._taxonomy_is_stored():
            if self._store.documents():
                self.retag()  # the index follows the taxonomy it is given, never a mix
            else:
                self._store_taxonomy()
        overrides = {
            "kommune": kommune,
            "doc_type": doc_type,
            "title": title,
            "year": year,
            "url": url,
        }
        files: list[_File] = []
        folders: list[Path] = []
        for raw in paths:
            given = os.fspath(raw)
            path = Path(given)
            if path.is_dir():
                folders.append(path)
                root = path.resolve()
                for f in _walk(path, root):
                    files.append(_File(f, display_name(str(f)), root))
            elif path.exists() or path.is_symlink():
                files.append(_File(path, display_name(given)))
            else:
                report.failed.append((display_name(given), "no such file or folder"))
        self._ingest_files(files, overrides, report, force, progress, limits, folders)
        if not (report.added or report.updated or report.removed):
            # segments an earlier kbase or a crash left unpacked; a commit packs them itself
            self._store.pack_missing()
        return report

    def _ingest_files(
        self,
        files: list[_File],
        overrides: dict[str, Any],
        report: IngestReport,
        force: bool,
        progress: ProgressFn | None,
        limits: Limits,
        folders: list[Path],
    ) -> None:
        meta_key = json.dumps(overrides, sort_keys=True, ensure_ascii=False)
        existing = self._store.documents()
        jobs: list[_Job] = []
        seen_ids: set[str] = set()
        for file in files:
            shown = file.shown
            try:
                outcome = self._check(file, overrides, meta_key, existing, force, limits)
            except UnsupportedFormatError as exc:
                report.skipped.append(shown)
                report.warnings.append((shown, f"skipped: {exc}"))
                self._note_source(file, overrides, "skipped", error=str(exc))
                continue
            except KbaseError as exc:
                report.failed.append((shown, str(exc)))
                self._note_source(file, overrides, "failed", error=str(exc))
                continue
            if isinstance(outcome, str):
                report.unchanged.append(outcome)
                seen_ids.add(outcome)
                if shown not in self._sources():
                    self._note_source(file, overrides, "indexed", doc_id=outcome)
            else:
                seen_ids.add(outcome.doc_id)
                jobs.append(outcome)
        if jobs:
            _ = self.tagger  # built once here, shared by every worker
            preload_readers({job.path.suffix for job in jobs})
            self._store.remove_staged()  # what a killed ingest left
        pending: list[_Read] = []
        try:
            writer = _BatchWriter(self, report)
            try:
                self._collect(jobs, limits, overrides, existing, report, progress, pending, writer)
            finally:
                writer.close()  # batches handed over are written; an error in them is raised
            # documents that were under an ingested folder and whose file is gone
            gone = [
                d.doc_id
                for d in existing.values()
                if d.doc_id not in seen_ids
                and any(_is_under(Path(d.source), folder) for folder in folders)
                and not Path(d.source).exists()
            ]
            self._write(pending, report, remove=gone)
        finally:
            if jobs:  # segments staged for a commit that failed or never came
                self._store.remove_staged(os.getpid())
        self._save_sources()

    def _collect(
        self,
        jobs: list[_Job],
        limits: Limits,
        overrides: dict[str, Any],
        existing: dict[str, Document],
        report: IngestReport,
        progress: ProgressFn | None,
        pending: list[_Read],
        writer: _BatchWriter,
    ) -> None:
        """Take each file's outcome from the workers, in order; hand every full batch of read
        documents to the writer thread, which indexes it while the workers go on reading."""
        for done, status, value in run_isolated(self._read, jobs, limits, writer.lock):
            job = jobs[done]
            if progress:
                progress(done + 1, len(jobs), job.shown)
            if status == "unsupported":
                report.skipped.append(job.shown)
                report.warnings.append((job.shown, f"skipped: {value}"))
                self._note_source(job.file, overrides, "skipped", error=value)
                continue
            if status != "ok":
                report.failed.append((job.shown, value))
                self._note_source(job.file, overrides, "failed", error=value)
                continue
            read: _Read = value
            doc = read.doc
            self._note_source(job.file, overrides, "indexed", doc_id=doc.doc_id)
            for w in read.warnings:
                report.warnings.append((job.shown, w))
            read.status = "updated" if doc.doc_id in existing else "added"
            pending.append(read)
            if len(pending) >= COMMIT_EVERY:
                writer.submit(list(pending))
                pending.clear()

    def _check(
        self,
        file: _File,
        overrides: dict[str, Any],
        meta_key: str,
        existing: dict[str, Document],
        force: bool,
        limits: Limits,
    ) -> str | _Job:
        """The cheap checks, in this process: a regular file inside its folder, within the size
        limit, readable, and changed since it was indexed. Returns the doc_id if unchanged."""
        path, root = file.path, file.root
        if root is not None and path.is_symlink() and not _is_under(path, root):
            raise UnsupportedFormatError(
                f"a link to {display_name(str(path.resolve()))}, outside the folder"
            )
        if not path.is_file():
            raise UnsupportedFormatError("not a regular file")
        try:
            with path.open("rb") as f:
                check_size(os.fstat(f.fileno()).st_size, limits)
                digest = hashlib.file_digest(f, "sha256").hexdigest()
        except OSError as exc:
            raise ExtractionError(f"cannot read the file ({exc.strerror or exc})") from exc
        key = file.key or display_name(_source_key(path, overrides.get("url")))
        doc_id = make_doc_id(path.stem, key)
        old = existing.get(doc_id)
        meta = meta_key + _sidecar_key(path)
        if old and not force and old.sha256 == digest and old.meta_key == meta:
            return doc_id
        return _Job(
            dataclasses.replace(file, key=key), digest, doc_id, meta, overrides, limits, os.getpid()
        )

    def _read(self, job: _Job) -> _Read:
        """Read, segment and tag one file (in a worker process); a long one with spare cores
        is also written, in staged segments."""
        path, overrides = job.path, job.overrides
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ExtractionError(f"cannot read the file ({exc.strerror or exc})") from exc
        if hashlib.sha256(data).hexdigest() != job.digest:
            raise ExtractionError("the file changed while it was being read; ingest it again")
        ingestor = choose(path, data[:HEAD_BYTES])
        if ingestor.kind == "office":
            check_office_zip(data, job.limits)
        extracted = ingestor.extract(path, data)
        meta = resolve(extracted, path, ingestor.kind, overrides)
        found = segment(extracted.blocks, job.doc_id, extracted.title)
        if not found:
            raise ExtractionError("no text found in the file")
        doc = Document(
            doc_id=job.doc_id,
            title=meta["title"],
            kommune=meta["kommune"],
            doc_type=meta["doc_type"],
            year=meta["year"],
            source=job.shown if not overrides.get("url") else overrides["url"],
            url=meta["url"],
            sha256=job.digest,
            pages=extracted.pages,
            passages=len(found),
            veivalg=(),  # below, from the passages' tags
            themes=(),
            ingested_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
            meta_key=job.meta,
        )
        warnings = list(extracted.warnings)
        if split_parts(len(found), STAGE_PASSAGES) >= 2:
            try:
                doc, staged = self._tag_and_stage(job.owner, doc, found)
            except OSError as exc:
                raise ExtractionError(
                    f"cannot write its passages into {self.path} ({exc.strerror or exc})"
                ) from exc
            return _Read(doc, [], staged, warnings)
        passages = split_work(lambda lo, hi: self._tag(found[lo:hi]), len(found), SPLIT_PASSAGES)
        doc = _with_tags(doc, [(p.veivalg, p.themes) for p in passages])
        return _Read(doc, passages, [], warnings)

    def _tag_and_stage(
        self, owner: int, doc: Document, found: list[Passage]
    ) -> tuple[Document, list[StagedSegment]]:
        """Tag the passages and write them in staged segments, a part per process
        (`split_work`). Returns the document with its tags (its record is written by the
        commit that adopts the segments), and the segments in order."""

        def part(lo: int, hi: int) -> list[tuple[StagedSegment, list[Tags]]]:
            passages = self._tag(found[lo:hi])
            w = self._store.open_stage(owner)
            try:
                self._store.add_passages(w, doc, passages)
            except BaseException:
                w.cancel()
                raise
            return [(self._store.finish_stage(w), [(p.veivalg, p.themes) for p in passages])]

        parts = split_work(part, len(found), STAGE_PASSAGES)
        doc = _with_tags(doc, [t for _, tags in parts for t in tags])
        return doc, [staged for staged, _ in parts]

    def _tag(self, passages: list[Passage]) -> list[Passage]:
        out = []
        for p in passages:
            r = self.tagger.tag(p.text, p.section)
            out.append(
                dataclasses.replace(p, veivalg=r.veivalg, themes=r.themes, tag_evidence=r.evidence)
            )
        return out

    def retag(self) -> int:
        """Re-tag every stored passage with the current taxonomy, without reading the sources.

        Returns the number of documents re-tagged; the taxonomy is stored with the index.
        """
        docs = list(self._store.documents().values())
        with self._store.writer() as w:
            for doc in docs:
                passages = self._tag(self._store.passages_of(doc.doc_id))
                doc = dataclasses.replace(
                    doc,
                    veivalg=document_tags([p.veivalg for p in passages]),
                    themes=document_tags([p.themes for p in passages]),
                )
                self._store.add_document(w, doc, passages)
        self._store_taxonomy()
        return len(docs)

    def _write(
        self,
        pending: list[_Read],
        report: IngestReport,
        remove: Iterable[str] = (),
    ) -> None:
        remove = list(remove)
        if not pending and not remove:
            return
        if remove:
            gone = set(remove)
            for shown, entry in list(self._sources().items()):
                if entry.get("doc_id") in gone:
                    del self._sources()[shown]
            self._sources_changed = True
        self._save_sources()  # before the commit: the list of sources is never behind it
        with paused_gc(), self._store.writer() as w:
            for read in pending:
                if read.staged:
                    self._store.adopt_staged(w, read.doc, read.staged)
                else:
                    self._store.add_document(w, read.doc, read.passages)
            for doc_id in remove:
                w.delete_by_term("doc_id", doc_id)
        for read in pending:
            (report.updated if read.status == "updated" else report.added).append(read.doc.doc_id)
        report.removed.extend(remove)
        pending.clear()

    # -- reading ---------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        offset: int = 0,
        veivalg: str | list[str] | None = None,
        theme: str | list[str] | None = None,
        kommune: str | None = None,
        doc_type: str | None = None,
        year: int | str | tuple[int, int] | None = None,
        by_document: bool = False,
    ) -> SearchResults:
        """Ranked passages with total, facets and a spelling suggestion."""
        from .search import run_search  # numpy and the query parser: only when searching

        return run_search(
            self._store,
            query,
            limit=limit,
            offset=offset,
            veivalg=veivalg,
            theme=theme,
            kommune=kommune,
            doc_type=doc_type,
            year=year,
            by_document=by_document,
            known_tags={
                "veivalg": self._taxonomy.slugs("veivalg"),
                "themes": self._taxonomy.slugs("theme"),
            },
        )

    def passage(self, passage_id: str) -> Passage:
        """The passage with this id; UnknownIdError if there is none."""
        p = self._store.passage(passage_id)
        if p is None:
            raise UnknownIdError(f"no passage with id {passage_id!r}; find ids with `kbase search`")
        return p

    def context(self, passage_id: str) -> tuple[Passage | None, Passage | None]:
        """The passages just before and after this one in its document."""
        p = self.passage(passage_id)
        siblings = self._store.passages_of(p.doc_id)
        i = next(i for i, s in enumerate(siblings) if s.passage_id == p.passage_id)
        before = siblings[i - 1] if i > 0 else None
        after = siblings[i + 1] if i + 1 < len(siblings) else None
        return before, after

    def show(self, passage_id: str) -> dict[str, Any]:
        """The passage with its document, citation and neighbours: the JSON of `kbase show`."""
        p = self.passage(passage_id)
        doc = self.document(p.doc_id)
        before, after = self.context(passage_id)
        return p.to_dict() | {
            "document": doc.to_dict(),
            "citation": citation(doc, p),
            "context": {
                "previous": before.to_dict() if before else None,
                "next": after.to_dict() if after else None,
            },
        }

    def passages(self, doc_id: str) -> list[Passage]:
        """The document's passages in reading order."""
        self.document(doc_id)
        return self._store.passages_of(doc_id)

    def document(self, doc_id: str) -> Document:
        """The document with this id; UnknownIdError if there is none."""
        doc = self._store.documents().get(doc_id)
        if doc is None:
            raise UnknownIdError(f"no document with id {doc_id!r}; list them with `kbase docs`")
        return doc

    def documents(self) -> list[Document]:
        """Every indexed document, by title."""
        return sorted(self._store.documents().values(), key=lambda d: (d.title.lower(), d.doc_id))

    def taxonomy(self) -> Taxonomy:
        """The veivalg and themes this knowledge base tags with."""
        return self._taxonomy

    def tags(self) -> list[dict[str, Any]]:
        """Every veivalg and theme with how many passages and documents carry it."""
        from .search import tag_counts

        counts = tag_counts(self._store)
        out = []
        for tag in (*self._taxonomy.veivalg, *self._taxonomy.themes):
            field = "veivalg" if tag.kind == "veivalg" else "themes"
            passages, documents = counts[field].get(tag.slug, (0, 0))
            out.append(
                {
                    "kind": tag.kind,
                    "slug": tag.slug,
                    "label": tag.label,
                    "passages": passages,
                    "documents": documents,
                }
            )
        return out

    def remove(self, doc_id: str) -> Document:
        """Take a document and its passages out of the index."""
        doc = self.document(doc_id)
        self._write([], IngestReport(), remove=[doc_id])
        return doc

    # -- keeping the index sound -----------------------------------------------------------

    def check(self) -> dict[str, Any]:
        """Read every segment of the index and compare it with its sources manifest.

        Returns counts and `problems` (damage: an unreadable segment, a document with other
        than all its passages) and `notes` (sources not in the index, which an ingest mends).
        """
        result = self._store.check()
        indexed = set(self._store.documents())
        listed = {e.get("doc_id") for e in self._sources().values() if e["status"] == "indexed"}
        notes = result.pop("notes")
        notes += [f"{d}: indexed but not in {SOURCES_FILE}" for d in sorted(indexed - listed)]
        notes += [f"{d}: in {SOURCES_FILE} but not indexed" for d in sorted(listed - indexed)]
        failed = sum(1 for e in self._sources().values() if e["status"] == "failed")
        return result | {"sources": len(self._sources()), "failed_sources": failed, "notes": notes}

    @staticmethod
    def rebuild(
        path: str | os.PathLike[str] | None = None,
        *,
        limits: Limits | None = None,
        progress: ProgressFn | None = None,
    ) -> IngestReport:
        """Read every source listed in the index's sources manifest again into a new index,
        then put it in the old one's place. Works when the old index cannot be opened; nothing
        is deleted until the new index is complete."""
        target = Path(path) if path is not None else default_index_path()
        sources = read_sources(target)
        if not sources:
            raise IndexUnreadableError(
                f"{target} has no {SOURCES_FILE} listing its sources, so it cannot be rebuilt; "
                "ingest the documents again into a new index"
            )
        taxonomy = target / TAXONOMY_FILE
        fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}.rebuild-", dir=target.parent))
        report = IngestReport()
        limits = limits or Limits.from_env()
        try:
            with KnowledgeBase(fresh, taxonomy=taxonomy if taxonomy.is_file() else None) as kb:
                groups: dict[str, list[_File]] = {}
                for shown, entry in sources.items():
                    overrides = {k: None for k in ("kommune", "doc_type", "title", "year", "url")}
                    overrides |= entry.get("overrides") or {}
                    file = _File(Path(entry["path"]), shown, key=entry.get("key"))
                    groups.setdefault(json.dumps(overrides, sort_keys=True), []).append(file)
                for raw, files in groups.items():
                    kb._ingest_files(
                        files,
                        json.loads(raw),
                        report,
                        True,
                        progress,
                        limits,
                        [],
                    )
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.replace(target, old)  # an empty folder is replaced
        os.replace(fresh, target)
        shutil.rmtree(old, ignore_errors=True)
        return report


def _with_tags(doc: Document, tags: list[Tags]) -> Document:
    """`doc` with the veivalg and themes of its passages' (veivalg, themes)."""
    return dataclasses.replace(
        doc,
        veivalg=document_tags([veivalg for veivalg, _ in tags]),
        themes=document_tags([themes for _, themes in tags]),
    )


def read_sources(index: Path) -> dict[str, dict[str, Any]]:
    """The sources manifest of an index folder ({} if it has none)."""
    try:
        raw = (index / SOURCES_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise IndexUnreadableError(f"cannot read {index / SOURCES_FILE} ({exc})") from exc
    try:
        return dict(json.loads(raw)["sources"])
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexUnreadableError(f"{index / SOURCES_FILE} is damaged ({exc})") from exc


def _is_under(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except (ValueError, OSError):
        return False


def _sidecar_key(path: Path) -> str:
    """The sidecar's content, so editing a sidecar re-ingests its document."""
    candidate = sidecar_path(path)
    if candidate is None:
        return ""
    try:
        return hashlib.sha256(candidate.read_bytes()).hexdigest()[:16]
    except OSError:
        return ""
