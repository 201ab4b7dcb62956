"""kbase's own copy of each segment's posting lists: flat arrays that numpy reads in place.

Whoosh keeps a term's postings as zlib-compressed pickles in blocks of 128 (see `postings`).
At 100,000 passages a search spent most of its time there: a phrase of two common words
decompressed and unpickled tens of thousands of postings, with their positions, in two fields.
So each segment gets a packed file beside it, `<segment id>.kbp`, written by kbase's writer
when a commit makes the segment, before the table of contents names it. Whoosh deletes it with
the segment's other files, because its name matches Whoosh's pattern for segment files.

For every term whose postings are not inlined in Whoosh's term info, in every indexed field,
the file holds:

- the passages (the segment's document numbers) and the weights;
- in fields with positions, how many positions each passage has, and the positions.

A term is found by where its postings start in Whoosh's posting file, so the packed file needs
no term dictionary of its own: the term info that a search reads anyway (for the idf) gives
the key. Deleted passages are left out when postings are read, as for Whoosh's blocks.

A segment without a readable packed file is read from Whoosh's blocks. This happens for an index
written by an earlier kbase, or after a crash between a segment and its packed file. The next
commit packs that segment, and every ingest ends with one if a segment needs it.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.formats import Positions

from .postings import (
    Encoded,
    _posting_bytes,
    decode_positions,
    lone_positions,
    raw_blocks,
    read_blocks,
    term_info,
    without_deleted,
)

SUFFIX = ".kbp"
MAGIC = b"KBPACK01"
_HEAD = struct.Struct("<8sQ")  # magic, length of the JSON header that follows
_ALIGN = 8


def packed_path(folder: str | os.PathLike[str], segment: Any) -> Path:
    """Where a segment's packed file lives in the index folder."""
    return Path(folder) / segment.make_filename(SUFFIX)


class Packed:
    """One segment's packed file, mapped into memory and read as numpy arrays."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays

    @classmethod
    def open(cls, path: Path, docs: int) -> Packed | None:
        """The packed file at `path`, if it is whole and was written for a segment of `docs`
        passages; None otherwise (missing, cut short, of another segment)."""
        try:
            with open(path, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                if size < _HEAD.size:
                    return None
                mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None
        try:
            magic, length = _HEAD.unpack_from(mapped, 0)
            if magic != MAGIC or _HEAD.size + length > size:
                return None
            header = json.loads(bytes(mapped[_HEAD.size : _HEAD.size + length]))
            if header.get("docs") != docs or header.get("size") != size:
                return None
            arrays = {}
            for name, (dtype, offset, count) in header["arrays"].items():
                arrays[name] = np.frombuffer(
                    mapped, dtype=np.dtype(dtype), count=count, offset=offset
                )
        except (ValueError, KeyError, TypeError, struct.error):
            return None
        return cls(arrays)

    def term(self, fieldname: str, info: Any) -> int | None:
        """The index of a term (by its Whoosh term info) in the file; None if not packed."""
        keys = self.arrays.get(f"{fieldname}/keys")
        if keys is None or info.is_inlined():
            return None
        offset = info.extent()[0]
        at = int(np.searchsorted(keys, offset))
        return at if at < len(keys) and keys[at] == offset else None

    def postings(self, fieldname: str, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers (int64) and weights (float64) of term `t`, deletions included."""
        a = self.arrays
        start, end = a[f"{fieldname}/starts"][t : t + 2].tolist()
        ids = a[f"{fieldname}/ids"][start:end].astype(np.int64)
        return ids, a[f"{fieldname}/weights"][start:end].astype(np.float64)

    def positions(self, fieldname: str, t: int) -> tuple[np.ndarray, np.ndarray] | None:
        """For each position of term `t`, the document number it is in and the position, in
        order; None where the field keeps no positions."""
        a = self.arrays
        if f"{fieldname}/pos" not in a:
            return None
        start, end = a[f"{fieldname}/starts"][t : t + 2].tolist()
        first, last = a[f"{fieldname}/pstarts"][t : t + 2].tolist()
        docs = np.repeat(a[f"{fieldname}/ids"][start:end], a[f"{fieldname}/npos"][start:end])
        return docs.astype(np.int64), a[f"{fieldname}/pos"][first:last].astype(np.int64)


def packed(leaf: Any) -> Packed | None:
    """The packed file of a segment reader's segment, opened once per reader; None where
    there is none to read."""
    found = getattr(leaf, "_kbase_packed", None)
    if found is None:
        found = False
        storage = getattr(leaf, "_storage", None)
        storage = getattr(storage, "b", storage)  # a compound segment overlays the folder
        folder = getattr(storage, "folder", None)
        segment = getattr(leaf, "_segment", None)
        if folder is not None and segment is not None:
            found = Packed.open(packed_path(folder, segment), leaf.doc_count_all()) or False
        leaf._kbase_packed = found
    return found or None


def read_postings(
    leaf: Any, fieldname: str, text: Any, info: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers and weights of one term in one segment, deleted passages left out:
    from the packed file where the term is there, else from Whoosh's blocks. `info` is the
    term's info in the segment if known."""
    if info is None:
        info = term_info(leaf, fieldname, text)
    if info is None:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    p = packed(leaf)
    t = p.term(fieldname, info) if p is not None else None
    if p is None or t is None:
        ids, weights, _ = read_blocks(leaf, fieldname, text, values=False, info=info)
        return ids, weights
    ids, weights = p.postings(fieldname, t)
    ids, weights, _ = without_deleted(leaf, ids, weights, None)
    return ids, weights


def read_positions(
    leaf: Any, fieldname: str, text: Any, docs: np.ndarray, info: Any = None
) -> np.ndarray:
    """Where a term stands in the passages `docs` (sorted document numbers of one segment,
    each holding the term): sorted keys `passage << 32 | position`."""
    if info is None:
        info = term_info(leaf, fieldname, text)
    if info is None or not len(docs):
        return np.empty(0, np.int64)
    p = packed(leaf)
    t = p.term(fieldname, info) if p is not None else None
    found = p.positions(fieldname, t) if p is not None and t is not None else None
    if found is not None:
        at, pos = found
        wanted = np.zeros(leaf.doc_count_all(), dtype=bool)
        wanted[docs] = True
        keep = wanted[at]
        return (at[keep] << 32) | pos[keep]
    ids, _, encoded = read_blocks(leaf, fieldname, text, values=True, info=info)
    assert encoded is not None
    blob, starts, ends = encoded
    rows = np.searchsorted(ids, docs)
    fmt = leaf.schema[fieldname].format
    counts, pos = _decoded(fmt, (blob, starts[rows], ends[rows]))
    return (np.repeat(docs, counts) << 32) | pos


def _decoded(fmt: Any, encoded: Encoded) -> tuple[np.ndarray, np.ndarray]:
    """How many positions each encoding holds, and all the positions, in order."""
    blob, starts, ends = encoded
    if type(fmt) is Positions:
        lone = lone_positions(blob, starts, ends)
        rows = np.flatnonzero(lone < 0).tolist()  # the others are decoded one by one
        decode = decode_positions
    else:
        lone = np.full(len(starts), -1, dtype=np.int64)
        rows = list(range(len(starts)))
        decode = fmt.decode_positions
    if not rows:
        return np.ones(len(lone), np.int64), lone
    a, b = starts.tolist(), ends.tolist()
    decoded = [list(decode(blob[a[j] : b[j]])) for j in rows]
    counts = np.ones(len(lone), np.int64)
    counts[rows] = np.fromiter(map(len, decoded), np.int64, len(rows))
    first = np.cumsum(counts) - counts
    pos = np.empty(int(counts.sum()), np.int64)
    single = lone >= 0
    pos[first[single]] = lone[single]
    n = counts[rows]
    # each decoded position's slot: its passage's first slot, plus its place in the passage
    slots = np.repeat(first[rows] - (np.cumsum(n) - n), n) + np.arange(int(n.sum()))
    pos[slots] = np.fromiter((x for one in decoded for x in one), np.int64, len(slots))
    return counts, pos


# -- writing -------------------------------------------------------------------------------


def _smallest(values: np.ndarray, dtypes: tuple[str, ...]) -> np.ndarray:
    """`values` in the first of `dtypes` that holds them exactly."""
    for dtype in dtypes:
        cast = values.astype(dtype)
        if np.array_equal(cast, values):
            return cast
    return values


def _field_arrays(leaf: Any, fieldname: str, infos: list[Any]) -> dict[str, np.ndarray]:
    """The packed arrays of one field: every non-inlined term's postings, by offset."""
    fmt = leaf.schema[fieldname].format
    positional = bool(fmt and fmt.supports("positions"))
    keys, ids, weights, values = [], [], [], []
    for info in sorted(infos, key=lambda i: i.extent()[0]):
        raw = _posting_bytes(leaf, info)
        if raw is None:
            continue
        t_ids, t_weights, encoded = raw_blocks(raw, values=positional)
        keys.append(info.extent()[0])
        ids.append(t_ids)
        weights.append(t_weights)
        if encoded is not None:
            values.append(encoded)
    if not keys:
        return {}
    sizes = np.fromiter(map(len, ids), np.int64, len(ids))
    out = {
        "keys": np.asarray(keys, dtype=np.int64),
        "starts": np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        # a segment's document numbers, and a word's count in a passage, are mostly small:
        # each array takes the smallest type that holds it exactly
        "ids": _smallest(np.concatenate(ids), ("uint16", "uint32")),
        "weights": _smallest(np.concatenate(weights), ("uint8", "uint16", "float32")),
    }
    if positional:
        # the whole field's encodings decoded at once
        shift = np.cumsum([0] + [len(blob) for blob, _, _ in values[:-1]])
        counts, pos = _decoded(
            fmt,
            (
                b"".join(blob for blob, _, _ in values),
                np.concatenate([s + k for (_, s, _), k in zip(values, shift, strict=True)]),
                np.concatenate([e + k for (_, _, e), k in zip(values, shift, strict=True)]),
            ),
        )
        out["npos"] = _smallest(counts, ("uint8", "uint16", "uint32"))
        out["pos"] = _smallest(pos, ("uint16", "uint32"))
        per_term = np.add.reduceat(counts, out["starts"][:-1])
        out["pstarts"] = np.concatenate([[0], np.cumsum(per_term)]).astype(np.int64)
    return out


def pack_segment(folder: str | os.PathLike[str], leaf: Any) -> Path:
    """Write the packed file of a segment (read through its segment reader `leaf`), all at
    once: a crash leaves no file or the whole file."""
    by_field: dict[str, list[Any]] = {}
    for (fieldname, _), info in leaf._terms.items():
        if fieldname in leaf.schema and not info.is_inlined():
            by_field.setdefault(fieldname, []).append(info)
    arrays: dict[str, np.ndarray] = {}
    for fieldname, infos in sorted(by_field.items()):
        for name, values in _field_arrays(leaf, fieldname, infos).items():
            arrays[f"{fieldname}/{name}"] = values
    path = packed_path(folder, leaf._segment)
    _write(path, leaf.doc_count_all(), arrays)
    return path


def _write(path: Path, docs: int, arrays: dict[str, np.ndarray]) -> None:
    # the header gives each array's place; its own length depends on those places, so they
    # are counted from a padded header length that is fixed first
    layout = {name: [a.dtype.str, 0, len(a)] for name, a in arrays.items()}
    guess = len(json.dumps({"docs": docs, "size": 0, "arrays": layout})) + 64 * len(layout) + 64
    start = _HEAD.size + guess
    start += -start % _ALIGN
    at = start
    for name, a in arrays.items():
        layout[name][1] = at
        at += a.nbytes
        at += -at % _ALIGN
    header = json.dumps({"docs": docs, "size": at, "arrays": layout}).encode()
    if len(header) > guess:
        raise ValueError(f"packed header of {path} larger than its room")
    header = header.ljust(guess)
    # a name Whoosh's clean-up does not match (it skips names starting with a dot)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temp, "wb") as f:
            f.write(_HEAD.pack(MAGIC, guess) + header)
            for name, a in arrays.items():
                f.seek(layout[name][1])
                f.write(a.tobytes())
            f.truncate(at)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def remove_stale_temps(folder: str | os.PathLike[str]) -> None:
    """Delete packed files a crashed writer left half written (called under the write
    lock, when no other writer can be writing one)."""
    for entry in os.scandir(folder):
        if entry.name.startswith(".") and entry.name.endswith(".tmp") and SUFFIX in entry.name:
            try:
                os.unlink(entry.path)
            except OSError:
                pass
