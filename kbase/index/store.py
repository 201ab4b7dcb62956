"""Opening, writing and reading the Whoosh index, with a manifest that says how it was built."""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.query import Term
from whoosh.searching import Searcher
from whoosh.util import random_name
from whoosh.writing import SegmentWriter

from ..analysis import content_weight, fingerprint
from ..errors import IndexBusyError, IndexUnreadableError
from ..model import Document, Passage
from .schema import SCHEMA_VERSION, build_schema

MANIFEST = "kbase.json"
INDEX_NAME = "kbase"
# Merging. Whoosh merges segments at about the speed it indexes (350 passages/s on the 2-core
# build machine) and its default policy merges every segment into one every 25 or so commits,
# so one commit of a large index waited tens of minutes. kbase merges small segments only
# (those a commit of a few documents leaves) and a bounded number of passages at a time; a
# searcher's cost grows little with the number of segments (kbase.index.vectors reads each
# term's postings per segment in one piece).
MERGE_AT = 10  # segments of one order of magnitude that are merged into one
MERGE_BELOW = 10_000  # live passages: larger segments are left as they are
MERGE_LIMIT = 50_000  # passages merged by one commit at most (about two minutes)
# Packed postings (kbase.index.packed) are written for segments of at least this many
# passages (deleted ones included). Whoosh's blocks of a smaller segment are read in a
# millisecond or two, and packing one plan's segment would add numpy and a tenth of the time
# to every ingest of a single plan; ten small segments are merged into a packed one.
PACK_FROM = 1_000
PACKED_SUFFIX = ".kbp"  # a segment's packed file: <segment id>.kbp
# Segments written outside the index writer (by the workers reading a long file) wait in
# `.staged-<pid of the ingesting process>-*` folders inside the index folder, for a commit to
# move their files in (the same file system: a rename) and name them in the table of contents.
STAGED_PREFIX = ".staged-"


def column_bytes(column: Any) -> bytes | None:
    """A fixed-width column of one segment (lengths, numbers) as stored, read in one piece
    rather than value by value; None for a column kept another way."""
    try:
        return column._dbfile.get(column._basepos, column._count * column._fixedlen)
    except AttributeError:
        return None


class _ColumnLengths:
    """The field lengths of a segment, each field's length column read in one piece: for the
    postings Whoosh writes when it flushes, and for the segments it merges. Whoosh's own
    per-document reader reads one byte from the file for every posting (a tenth of the time
    of an ingest), and looks on disk again, for every document, for the column of a field
    that has none."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.columns: dict[str, list[int | None] | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        column = self.column(fieldname)
        return default if column is None else column[docnum]

    def column(self, fieldname: str) -> list[int | None] | None:
        """Each passage's length in the field, None where it has none; None for a field
        without lengths."""
        if fieldname not in self.columns:
            self.columns[fieldname] = self._read(fieldname)
        return self.columns[fieldname]

    def _read(self, fieldname: str) -> list[int | None] | None:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
        from whoosh.util.numeric import byte_to_length

        column = self.reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return None
        count = self.reader.doc_count_all()
        stored = column_bytes(column)  # one byte per passage
        raw = list(column) if stored is None else list(stored) + [0] * (count - len(stored))
        # as Whoosh's reader answers: the length a byte stands for, None for a 0 byte
        return [byte_to_length(b) if b else None for b in raw[:count]]


class _MergedSegment:
    """A segment reader being merged (`KbaseWriter.add_reader`), whose field lengths come from
    `_ColumnLengths`; everything else is the reader's."""

    def __init__(self, reader: Any, lengths: _ColumnLengths) -> None:
        self.reader = reader
        self.doc_field_length = lengths.doc_field_length

    def __getattr__(self, name: str) -> Any:
        return getattr(self.reader, name)


def pool_segment(
    pool: Any, schema: Any, reader: Any, startdoc: int, docmap: dict[int, int] | None
) -> bool:
    """Add the postings of a segment being merged to a writer's posting pool (the writer's
    `schema`'s fields) as Whoosh's `add_postings_to_pool` does: the same postings, the same
    bytes counted against the pool's memory limit, but a block of a term's postings at a
    time, where Whoosh makes a tuple through four matcher calls per posting. False, having
    added nothing, for a reader that is not a Whoosh 3 segment's."""
    from itertools import repeat

    from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermsReader
    from whoosh.reading import SegmentReader

    terms = getattr(reader, "_terms", None)
    if type(reader) is not SegmentReader or type(terms) is not W3TermsReader:
        return False
    for fieldname, btext in reader.all_terms():
        if fieldname not in schema or fieldname not in reader.schema:
            continue
        pool.fieldnames.add(fieldname)
        each = 150 + len(fieldname) + 2 * len(btext)  # Whoosh's estimate, less the value
        m = terms.matcher(fieldname, btext, reader.schema[fieldname].format)  # deleted too
        while m.is_active():
            if type(m) is W3LeafMatcher:
                m._read_ids()
                m._read_weights()
                m._read_values()
                ids, weights, values = m._ids, m._weights, m._values
                m._next_block()
            else:  # a posting kept in the term's entry (a term of one passage)
                ids, weights, values = [m.id()], [m.weight()], [m.value()]
                m.next()
            if docmap is None:
                ids = [i + startdoc for i in ids] if startdoc else ids
            else:  # a deleted passage is not in the map, nor in the merged segment
                kept = [k for k, i in enumerate(ids) if i in docmap]
                ids = [docmap[ids[k]] for k in kept]
                values = [values[k] for k in kept]
                weights = [weights[k] for k in kept]
            # the pool's list, which its save() replaces by a new one
            pool.current.extend(zip(repeat(fieldname), repeat(btext), ids, weights, values))
            pool.currentsize += each * len(ids) + sum(len(v) for v in values if v)
            if pool.currentsize > pool.limit:
                pool.save()
    return True


def write_postings(
    fieldwriter: Any, schema: Any, lengths: _ColumnLengths | None, items: Any
) -> None:
    """Write the pool's sorted postings as Whoosh's `FieldWriter.add_postings` does with
    Whoosh 3's field writer, the same bytes, but a block of a term's postings at a time: each
    block's lists and statistics are set in one piece, where Whoosh makes four calls and as
    many checks per posting."""
    from array import array
    from itertools import groupby
    from operator import itemgetter

    for fieldname, in_field in groupby(items, key=itemgetter(0)):
        column = lengths.column(fieldname) if lengths is not None else None
        fieldwriter.start_field(fieldname, schema[fieldname])
        for btext, in_term in groupby(in_field, key=itemgetter(1)):
            rows = [row for row in in_term if row[2] != -1]  # -1: a spelling word, no posting
            if not rows:
                continue
            fieldwriter.start_term(btext)
            writer = fieldwriter._postwriter
            limit = writer._blocklimit
            for start in range(0, len(rows), limit):
                if start:
                    writer._write_block()  # a full block; the last is written by finish_term
                block = rows[start : start + limit]
                ids = [row[2] for row in block]
                weights = [row[3] for row in block]
                writer._ids = array("I", ids)
                writer._weights = array("f", weights)
                writer._values = [row[4] for row in block if row[4]]
                top = max(weights)
                writer._maxweight = top if top > 0 else 0
                known = [] if column is None else [n for n in (column[i] for i in ids) if n]
                writer._minlength = min(known) if known else None
                writer._maxlength = max(known) if known else 0
            fieldwriter.finish_term()
        fieldwriter.finish_field()


Postings = Callable[[str], list[tuple[bytes, int, float, bytes]]]


def fast_postings(schema: Any) -> dict[str, Postings]:
    """For each text field analysed by one of kbase's analyzers, a function that gives the
    postings Whoosh's `field.index` gives (term, frequency, weight, encoded value), from words
    analysed once each (`kbase.analysis.index_forms`) rather than token by token through a
    chain of filters. Fields with other analyzers or formats are left to Whoosh."""
    from whoosh.analysis import IDTokenizer
    from whoosh.fields import FieldType
    from whoosh.formats import Existence, Frequency, Positions
    from whoosh.system import pack_uint

    from ..analysis import (
        lowered_words,
        norwegian_analyzer,
        part_counts,
        parts_analyzer,
        stemmed_positions,
        word_analyzer,
        word_positions,
    )

    def positions(terms: Callable[[list[str]], dict[str, list[int]]], fmt: Any) -> Postings:
        boost, encode = fmt.field_boost, fmt.encode

        def postings(value: str) -> list[tuple[bytes, int, float, bytes]]:
            found = terms(lowered_words(value))
            return [
                (t.encode("utf-8"), len(p), len(p) * boost, encode(p)) for t, p in found.items()
            ]

        return postings

    def counts(fmt: Any) -> Postings:
        boost = fmt.field_boost

        def postings(value: str) -> list[tuple[bytes, int, float, bytes]]:
            found = part_counts(lowered_words(value))
            return [(t.encode("utf-8"), n, n * boost, pack_uint(n)) for t, n in found.items()]

        return postings

    def whole(fmt: Any) -> Postings:  # an ID field: the value is the one term
        boost = fmt.field_boost
        return lambda value: [(value.encode("utf-8"), 1, boost, b"")]

    kinds = [
        (IDTokenizer(), Existence, whole),
        (norwegian_analyzer(), Positions, lambda fmt: positions(stemmed_positions, fmt)),
        (word_analyzer(), Positions, lambda fmt: positions(word_positions, fmt)),
        (parts_analyzer(), Frequency, counts),
    ]
    out: dict[str, Postings] = {}
    for name, field in schema.items():
        if field.vector or field.separate_spelling():
            return {}  # Whoosh's add_document does more for such fields than kbase's
        if type(field).index is not FieldType.index:
            continue  # a field that indexes its own way (NUMERIC)
        for analyzer, fmt_class, make in kinds:
            fmt = getattr(field, "format", None)
            if type(fmt) is fmt_class and getattr(field, "analyzer", None) == analyzer:
                out[name] = make(fmt)
    return out


class _Storage(FileStorage):
    """Whoosh's file storage, whose temporary folders are made without raising an error.

    A Whoosh writer asks twice for the same temporary folder; FileStorage.create catches the
    second FileExistsError into a local variable, and that traceback kept every calling frame
    alive, with the writer and its whole posting pool, until the next full garbage collection.
    """

    def temp_storage(self, name: str | None = None) -> FileStorage:
        path = os.path.join(self.folder, name or f"{random_name()}.tmp")
        os.makedirs(path, exist_ok=True)
        return FileStorage(path)


@dataclasses.dataclass(frozen=True)
class StagedSegment:
    """A complete segment (packed where large enough) written in `folder`, outside the index's
    table of contents; `KbaseWriter.adopt` makes it part of the index at its commit."""

    folder: str
    segment: Any  # whoosh.codec.base.Segment


class KbaseWriter(SegmentWriter):
    """Whoosh's segment writer, with kbase's text fields analysed word by word
    (`fast_postings`); when it flushes, the field lengths are read column by column
    (`_ColumnLengths`) and postings written a block at a time (`write_postings`). Its commit
    also adopts staged segments (`adopt`)."""

    _fast: dict[str, Postings] | None = None
    _adopted: tuple[StagedSegment, ...] = ()

    def adopt(self, staged: StagedSegment) -> None:
        """Add a staged segment to the index at this writer's commit; its files are moved into
        the index folder just before the table of contents names them."""
        self._adopted += (staged,)

    def add_document(self, **fields: Any) -> None:
        # whoosh.writing.SegmentWriter.add_document, with fast_postings for the fields it
        # covers, for documents without boosts or custom stored values ("_" keywords)
        if self._fast is None:
            self._fast = fast_postings(self.schema)
        if not self._fast or any(name.startswith("_") for name in fields):
            super().add_document(**fields)
            return
        self._check_state()
        schema, fast = self.schema, self._fast
        self._check_fields(schema, fields)
        perdocwriter, docnum, add_post = self.perdocwriter, self.docnum, self.pool.add
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in sorted(fields):
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    index = fast.get(fieldname)
                    items = index(value) if index and isinstance(value, str) else field.index(value)
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in items:
                        if scorable:
                            length += freq
                        # Whoosh multiplies by the document's field boost: 1.0 without "_" keys
                        add_post((fieldname, tbytes, docnum, weight * 1.0, vbytes))
                perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def add_reader(self, reader: Any) -> None:
        # whoosh.writing.SegmentWriter.add_reader (a segment merged into this one), with the
        # segment's field lengths read a column at a time (`_ColumnLengths`)
        from whoosh.codec.whoosh3 import W3PerDocReader
        from whoosh.reading import SegmentReader

        perdoc = getattr(reader, "_perdoc", None)
        if type(reader) is SegmentReader and type(perdoc) is W3PerDocReader:
            reader = _MergedSegment(reader, _ColumnLengths(perdoc))
        super().add_reader(reader)

    def add_postings_to_pool(
        self, reader: Any, startdoc: int, docmap: dict[int, int] | None
    ) -> None:
        # whoosh.writing.SegmentWriter.add_postings_to_pool (merging), a block of postings at
        # a time (`pool_segment`)
        inner = reader.reader if isinstance(reader, _MergedSegment) else reader
        if not pool_segment(self.pool, self.schema, inner, startdoc, docmap):
            super().add_postings_to_pool(reader, startdoc, docmap)

    def _flush_segment(self) -> None:
        # whoosh.writing.SegmentWriter._flush_segment with the lengths reader wrapped
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        lengths = _ColumnLengths(reader) if reader is not None else None
        from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter  # not at CLI start-up

        if type(self.fieldwriter) is W3FieldWriter and type(self.codec) is W3Codec:
            write_postings(self.fieldwriter, self.schema, lengths, self.pool.iter_postings())
        else:
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if reader is not None:
            reader.close()

    def _commit_toc(self, segments: list[Any]) -> None:
        # every segment of PACK_FROM passages or more gets its packed postings before the
        # table of contents names it (a segment this commit made, or one an earlier crash or
        # kbase left without them); numpy is imported only then
        folder = getattr(self.storage, "folder", None)
        moved = [self._move_in(staged, folder) for staged in self._adopted]
        segments = [*segments, *(seg for seg, _ in moved)]
        packed_where_written = [seg for seg, packed in moved if packed]
        large = [
            seg
            for seg in segments
            if seg.doc_count_all() >= PACK_FROM and seg not in packed_where_written
        ]
        if folder is not None:
            remove_stale_packs(folder)
        if folder is not None and large:
            from whoosh.reading import SegmentReader

            from .packed import Packed, pack_segment, packed_path

            for seg in large:
                if Packed.open(packed_path(folder, seg), seg.doc_count_all()) is not None:
                    continue
                reader = SegmentReader(self.storage, self.schema, seg)
                try:
                    pack_segment(folder, reader)
                except Exception:  # a full disk, say: the commit still lands
                    pass  # searches read Whoosh's postings; `check` notes it; an ingest retries
                finally:
                    reader.close()
        super()._commit_toc(segments)

    @staticmethod
    def _move_in(staged: StagedSegment, folder: str | None) -> tuple[Any, bool]:
        """Move a staged segment's files into the index folder: the segment, and whether its
        packed file came with it."""
        # a crash after some renames leaves files no table of contents names: Whoosh deletes
        # them at the next commit (whoosh.index.clean_files), and the staged folder is removed
        if folder is None:
            raise ValueError("staged segments are adopted only by an index in a folder")
        segment = staged.segment
        prefix, packed = segment.segment_id() + ".", segment.make_filename(PACKED_SUFFIX)
        names = [name for name in os.listdir(staged.folder) if name.startswith(prefix)]
        for name in names:
            os.replace(os.path.join(staged.folder, name), os.path.join(folder, name))
        return segment, packed in names


def _no_merge(writer: SegmentWriter, segments: list[Any]) -> list[Any]:
    return segments


def _alive(pid: str) -> bool:
    """Whether the process `pid` (a number as text) is running."""
    try:
        number = int(pid)
        if number <= 0:
            return False
        os.kill(number, 0)
    except (ValueError, ProcessLookupError):
        return False
    except OSError:  # another user's process
        return True
    return True


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's garbage collector paused for the block: for writing read passages into an
    index. Whoosh's posting pool holds a tuple per posting, and the collector walked them again
    and again as they piled up (a tenth of the time of writing 1,250 passages) and found
    nothing to free: adding documents and committing make no garbage in cycles."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def remove_stale_packs(folder: str | os.PathLike[str]) -> None:
    """Delete packed files a crashed writer left half written (called under the write
    lock, when no other writer can be writing one)."""
    for entry in os.scandir(folder):
        name = entry.name
        if name.startswith(".") and name.endswith(".tmp") and PACKED_SUFFIX + "." in name:
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def segments_to_merge(sizes: list[int]) -> list[int]:
    """Which segments (by index into `sizes`, their live passage counts) a commit merges:
    those without live passages, and where MERGE_AT segments below MERGE_BELOW have the same
    order of magnitude, the smallest of them while together they stay within MERGE_LIMIT."""
    chosen = [i for i, n in enumerate(sizes) if n == 0]
    tiers: dict[int, list[int]] = {}
    for i, n in enumerate(sizes):
        if 0 < n < MERGE_BELOW:
            tiers.setdefault(len(str(n)), []).append(i)
    for members in tiers.values():
        if len(members) < MERGE_AT:
            continue
        total, taken = 0, []
        for i in sorted(members, key=lambda i: sizes[i]):
            if total + sizes[i] > MERGE_LIMIT:
                break
            total += sizes[i]
            taken.append(i)
        if len(taken) > 1:
            chosen += taken
    return sorted(chosen)


def merge_policy(writer: SegmentWriter, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy (`segments_to_merge`): merges the chosen segments into the one
    being written and returns the others."""
    from whoosh.reading import SegmentReader

    chosen = set(segments_to_merge([seg.doc_count() for seg in segments]))
    for i in sorted(chosen):
        reader = SegmentReader(writer.storage, writer.schema, segments[i])
        writer.add_reader(reader)
        reader.close()
    return [seg for i, seg in enumerate(segments) if i not in chosen]


def fsync_path(path: Path) -> None:
    """Flush a file or folder entry to disk (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sync_folder(folder: Path) -> None:
    """Flush every file in a folder, then the folder itself."""
    for entry in os.scandir(folder):
        if entry.is_file(follow_symlinks=False):
            fsync_path(Path(entry.path))
    fsync_path(folder)


def write_atomic(path: Path, content: str | Callable[[BinaryIO], None]) -> None:
    """Replace a file's content all at once: a crash leaves the old or the new file, and a
    failed write (a full disk) leaves no temporary file. `content` is text (UTF-8), or a
    function that writes the bytes to the open file. The temporary name starts with a dot,
    which Whoosh's clean-up of the index folder passes over."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temp, "wb") as f:
            if isinstance(content, str):
                f.write(content.encode("utf-8"))
            else:
                content(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_path(path.parent)


def write_json_atomic(path: Path, data: Any) -> None:
    """`write_atomic` for JSON (ASCII escapes, so names with invalid bytes survive)."""
    write_atomic(path, json.dumps(data, indent=1) + "\n")


class IndexStore:
    """One kbase index folder: a Whoosh index plus `kbase.json` (schema version, analyzer)."""

    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._searcher: Searcher | None = None
        self._docs: dict[str, Document] | None = None
        # documents looked up one by one, for the searcher they were read with
        self._looked_up: tuple[Searcher, dict[str, Document | None]] | None = None
        self.ix = self._open_or_create()

    def _open_or_create(self) -> whoosh_index.Index:
        manifest = self.path / MANIFEST
        if self.path.exists() and not self.path.is_dir():
            raise IndexUnreadableError(f"index path {self.path} is a file, not a folder")
        if not self.path.exists() or not any(self.path.iterdir()):
            self._create()
        return self._open(manifest)

    def _create(self) -> None:
        """Build an empty index in a private sibling folder, then rename it into place, so a
        crash never leaves a half-made index behind."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.new-", dir=self.path.parent))
        try:
            whoosh_index.create_in(str(temp), build_schema(), indexname=INDEX_NAME)
            write_json_atomic(
                temp / MANIFEST, {"schema_version": SCHEMA_VERSION, "analyzer": fingerprint()}
            )
            sync_folder(temp)
            temp.chmod(0o700)  # the index files are pickles: readable by their owner only
            os.replace(temp, self.path)  # an empty folder is replaced; a full one refused
            fsync_path(self.path.parent)
        except OSError as exc:
            shutil.rmtree(temp, ignore_errors=True)
            if self.path.is_dir() and any(self.path.iterdir()):
                return  # another process created it first
            raise IndexUnreadableError(f"cannot create an index at {self.path} ({exc})") from exc

    def _open(self, manifest: Path) -> whoosh_index.Index:
        if not manifest.is_file():
            raise IndexUnreadableError(
                f"{self.path} is not a kbase index (no {MANIFEST}); choose an empty or new folder"
            )
        try:
            info = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexUnreadableError(f"cannot read {manifest}: {exc}") from exc
        rebuild = (
            f"run `kbase --index {self.path} rebuild` to read its sources again "
            "(it never deletes anything until the new index is complete)"
        )
        if info.get("schema_version") != SCHEMA_VERSION or info.get("analyzer") != fingerprint():
            raise IndexUnreadableError(
                f"the index at {self.path} was built by another kbase version; {rebuild}"
            )
        try:
            # without mmap: Whoosh's mmap path copies every file of every segment into memory
            # when a searcher opens (a BytesIO over the map); without it, blocks are read from
            # the file (and the page cache) as a search needs them
            storage = _Storage(str(self.path), supports_mmap=False)
            return storage.open_index(indexname=INDEX_NAME)
        except Exception as exc:  # whoosh raises several types for damaged folders
            raise IndexUnreadableError(
                f"the index at {self.path} cannot be opened ({exc}); {rebuild}"
            ) from exc

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[SegmentWriter]:
        """A writer that commits when the block ends and cancels if it raises."""
        try:
            w = KbaseWriter(self.ix, timeout=self.lock_timeout, delay=0.1)
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
            w.commit(mergetype=merge_policy)
            sync_folder(self.path)  # segments and table of contents on disk before we go on
        finally:
            self._invalidate()

    def pack_missing(self) -> bool:
        """Write the packed postings of every segment without a readable packed file (an
        index of an earlier kbase, a crash); True if there were any. An empty commit does it:
        kbase's writer packs before it commits."""
        with self.ix.reader() as reader:
            large = [leaf for leaf, _ in reader.leaf_readers() if leaf.doc_count_all() >= PACK_FROM]
            if not large:
                return False
            from .packed import packed

            missing = any(packed(leaf) is None for leaf in large)
        if missing:
            try:
                with self.writer():
                    pass
            except IndexBusyError:  # another process is committing: it packs them
                return False
        return missing

    @staticmethod
    def add_document(w: SegmentWriter, doc: Document, passages: list[Passage]) -> None:
        """Replace everything stored for `doc.doc_id` with the given document and passages."""
        w.delete_by_term("doc_id", doc.doc_id)
        IndexStore.add_passages(w, doc, passages)
        IndexStore.add_record(w, doc)

    @staticmethod
    def add_passages(w: SegmentWriter, doc: Document, passages: list[Passage]) -> None:
        """Add passages; of `doc` only the fields every passage carries are read (its id,
        title, kommune, type and year), not its tags or counts."""
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
                weight=round(100 * content_weight(p.text)),
                veivalg=",".join(p.veivalg),
                themes=",".join(p.themes),
                tag_evidence=json.dumps(p.tag_evidence, ensure_ascii=False),
            )
            if p.page is not None:
                fields["page"] = p.page
            w.add_document(**fields)

    @staticmethod
    def add_record(w: SegmentWriter, doc: Document) -> None:
        w.add_document(
            kind="document",
            passage_id=f"doc:{doc.doc_id}",
            doc_id=doc.doc_id,
            doc_json=json.dumps(doc.to_dict() | {"meta_key": doc.meta_key}, ensure_ascii=False),
        )

    def open_stage(self, owner: int) -> KbaseWriter:
        """A writer of a segment of its own, in a staged folder of the ingesting process
        `owner`, without the write lock: add passages (`add_passages`), then `finish_stage`.
        Any process may call this."""
        folder = tempfile.mkdtemp(prefix=f"{STAGED_PREFIX}{owner}-", dir=self.path)
        storage = _Storage(folder, supports_mmap=False)
        return KbaseWriter(storage.create_index(self.ix.schema, indexname=INDEX_NAME), _lk=False)

    @staticmethod
    def finish_stage(w: KbaseWriter) -> StagedSegment:
        """Write the staged segment out (packed if it is large enough), for the owner's next
        commit to adopt (`adopt_staged`)."""
        w.commit(mergetype=_no_merge)
        return StagedSegment(w.storage.folder, w.newsegment)

    @staticmethod
    def adopt_staged(w: SegmentWriter, doc: Document, staged: list[StagedSegment]) -> None:
        """Replace everything stored for `doc.doc_id` with the passages the staged segments
        hold and the document's record."""
        w.delete_by_term("doc_id", doc.doc_id)
        for one in staged:
            w.adopt(one)
        IndexStore.add_record(w, doc)

    def remove_staged(self, owner: int | None = None) -> None:
        """Delete the staged folders of the process `owner`; without one, those of every
        process that is gone (a crash's)."""
        prefix = STAGED_PREFIX if owner is None else f"{STAGED_PREFIX}{owner}-"
        try:
            entries = list(os.scandir(self.path))
        except OSError:
            return
        for entry in entries:
            if not entry.name.startswith(prefix) or not entry.is_dir(follow_symlinks=False):
                continue
            if owner is None and _alive(entry.name[len(STAGED_PREFIX) :].split("-", 1)[0]):
                continue
            shutil.rmtree(entry.path, ignore_errors=True)

    # -- checking --------------------------------------------------------------------------

    def check(self) -> dict[str, Any]:
        """Read every segment (stored fields and every posting list) and check that each
        document has exactly the passages its record counts. Returns counts and problems."""
        from .packed import packed, read_postings

        problems: list[str] = []
        notes: list[str] = []
        passages: dict[str, int] = {}
        records: dict[str, int] = {}
        segments = 0
        postings = 0
        with self.ix.reader() as reader:
            for leaf, _ in reader.leaf_readers():
                segments += 1
                if leaf.doc_count_all() >= PACK_FROM and packed(leaf) is None:
                    notes.append(
                        f"segment {segments} has no packed postings: searches read Whoosh's "
                        "blocks, which is slower, until the next ingest writes them"
                    )
                try:
                    for docnum in leaf.all_doc_ids():
                        stored = leaf.stored_fields(docnum)
                        doc_id = stored.get("doc_id", "")
                        if stored.get("kind") == "document":
                            records[doc_id] = json.loads(stored["doc_json"])["passages"]
                        else:
                            passages[doc_id] = passages.get(doc_id, 0) + 1
                    for field in leaf.indexed_field_names():
                        for term in leaf.lexicon(field):
                            ids = list(leaf.postings(field, term).all_ids())
                            postings += len(ids)
                            if read_postings(leaf, field, term)[0].tolist() != ids:
                                problems.append(
                                    f"segment {segments}: packed postings of {field}:{term!r} "
                                    "differ from Whoosh's"
                                )
                except Exception as exc:  # any failure to read is damage to report
                    problems.append(f"segment {segments} cannot be read ({exc})")
        for doc_id, count in records.items():
            if passages.get(doc_id, 0) != count:
                problems.append(
                    f"{doc_id}: {passages.get(doc_id, 0)} passages stored, {count} expected"
                )
        for doc_id in passages.keys() - records.keys():
            problems.append(f"{doc_id}: passages without a document record")
        return {
            "segments": segments,
            "documents": len(records),
            "passages": sum(passages.values()),
            "postings": postings,
            "problems": problems,
            "notes": notes,
        }

    # -- reading ---------------------------------------------------------------------------

    def _invalidate(self) -> None:
        # Searcher.refresh() fails on a reader of an empty index (whoosh reuses its segment
        # list, which is None there); reopening is cheap and always right.
        self._docs = None
        self._looked_up = None
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
            self._looked_up = None
        return self._searcher

    def documents(self, fresh: bool = True) -> dict[str, Document]:
        """Every indexed document by id, including what other processes committed; with
        `fresh=False`, as the searcher in use sees them, which a search running now needs
        (a fresh read may replace that searcher)."""
        s = self.searcher() if fresh or self._searcher is None else self._searcher
        if self._docs is None:
            docs = {}
            for stored in s.documents(kind="document"):
                doc = self._document_from(stored)
                docs[doc.doc_id] = doc
            self._docs = docs
        return self._docs

    def document(self, searcher: Searcher, doc_id: str) -> Document | None:
        """One document as `searcher` sees it, read by its record's id alone (a search shows
        ten documents: at 1M passages, reading all 50,000 records took two seconds)."""
        from .packed import read_postings

        if self._docs is not None and searcher is self._searcher:
            return self._docs.get(doc_id)
        if self._looked_up is None or self._looked_up[0] is not searcher:
            self._looked_up = (searcher, {})
        known = self._looked_up[1]
        if doc_id not in known:
            known[doc_id] = None
            for leaf, _ in searcher.reader().leaf_readers():
                ids, _ = read_postings(leaf, "passage_id", f"doc:{doc_id}")
                if len(ids):
                    stored = leaf.stored_fields(int(ids[0]))
                    if stored.get("kind") == "document":
                        known[doc_id] = self._document_from(stored)
                    break
        return known[doc_id]

    @staticmethod
    def _document_from(stored: dict[str, Any]) -> Document:
        d = json.loads(stored["doc_json"])
        return Document(
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
        self._looked_up = None
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self.ix.close()
