"""kbase's own copy of each segment's posting lists: flat arrays that numpy reads in place.

Whoosh keeps a term's postings as zlib-compressed pickles in blocks of 128 (see `postings`).
At 100,000 passages a search spent most of its time there: a phrase of two common words
decompressed and unpickled tens of thousands of postings, with their positions, in two fields.
So each segment of `store.PACK_FROM` passages or more gets a packed file beside it,
`<segment id>.kbp`, written by kbase's writer when a commit makes the segment, before the
table of contents names it. Whoosh deletes it with the segment's other files, because its
name matches Whoosh's pattern for segment files.

For every term of every indexed field, the file holds:

- the terms themselves, ordered by their CRC-32, so a term is found with one binary search
  over an array and one comparison of bytes, and Whoosh's term file (a hash table read with
  several small file reads per lookup, in every segment) is not read at all;
- the passages (the segment's document numbers) and the weights, whose number is the term's
  document frequency for the idf;
- in fields with positions, how many positions each passage has, and the positions.

Deleted passages are left out when postings are read, as for Whoosh's blocks.

A segment without a readable packed file is read from Whoosh's blocks. This happens for an index
written by an earlier kbase, or after a crash between a segment and its packed file. The next
commit packs that segment, and every ingest ends with one if a segment needs it.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

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
from .store import PACKED_SUFFIX, write_atomic

MAGIC = b"KBPACK02"
_HEAD = struct.Struct("<8sQ")  # magic, length of the JSON header that follows
_ALIGN = 8


def packed_path(folder: str | os.PathLike[str], segment: Any) -> Path:
    """Where a segment's packed file lives in the index folder."""
    return Path(folder) / segment.make_filename(PACKED_SUFFIX)


class Packed:
    """One segment's packed file, mapped into memory and read as numpy arrays."""

    def __init__(self, arrays: dict[str, np.ndarray], fields: list[str]) -> None:
        self.arrays = arrays
        self.fields = set(fields)  # the fields whose every term is here

    @classmethod
    def open(cls, path: Path, docs: int) -> Packed | None:
        """The packed file at `path`, if it is whole and was written for a segment of `docs`
        passages; None otherwise (missing, cut short, of another segment or version)."""
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
            return cls(arrays, list(header["fields"]))
        except (ValueError, KeyError, TypeError, struct.error):
            return None

    def find(self, fieldname: str, text: bytes) -> int | None:
        """The index of a term in the file, or None if the segment does not hold it (the
        field must be one of `fields`)."""
        hashes = self.arrays.get(f"{fieldname}/hashes")
        if hashes is None:
            return None
        names = self.arrays[f"{fieldname}/names"]
        bounds = self.arrays[f"{fieldname}/nstarts"]
        h = zlib.crc32(text)
        at = int(np.searchsorted(hashes, h))
        while at < len(hashes) and hashes[at] == h:
            start, end = bounds[at : at + 2].tolist()
            if names[start:end].tobytes() == text:
                return at
            at += 1
        return None

    def doc_frequency(self, fieldname: str, t: int) -> int:
        """How many passages hold term `t` (deleted ones included, as in Whoosh's term info)."""
        start, end = self.arrays[f"{fieldname}/starts"][t : t + 2].tolist()
        return end - start

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


@dataclass(frozen=True)
class Found:
    """A term in one segment: in its packed file (`t`), or else Whoosh's term info."""

    doc_frequency: int
    t: int | None = None
    info: Any = None


def find_term(leaf: Any, fieldname: str, text: Any) -> Found | None:
    """Where a term's postings are in one segment; None if the segment does not hold it."""
    if fieldname not in leaf.schema:
        return None
    p = packed(leaf)
    if p is not None and fieldname in p.fields:
        tb = text if isinstance(text, bytes) else leaf.schema[fieldname].to_bytes(text)
        t = p.find(fieldname, tb)
        return None if t is None else Found(p.doc_frequency(fieldname, t), t)
    info = term_info(leaf, fieldname, text)
    return None if info is None else Found(info.doc_frequency(), info=info)


def read_postings(
    leaf: Any, fieldname: str, text: Any, found: Found | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers and weights of one term in one segment, deleted passages left out:
    from the packed file where there is one, else from Whoosh's blocks. `found` is where the
    term is (`find_term`), if known."""
    if found is None:
        found = find_term(leaf, fieldname, text)
    if found is None:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    if found.t is None:
        ids, weights, _ = read_blocks(leaf, fieldname, text, values=False, info=found.info)
        return ids, weights
    p = packed(leaf)
    assert p is not None
    ids, weights = p.postings(fieldname, found.t)
    ids, weights, _ = without_deleted(leaf, ids, weights, None)
    return ids, weights


def read_positions(
    leaf: Any, fieldname: str, text: Any, docs: np.ndarray, found: Found | None = None
) -> np.ndarray:
    """Where a term stands in the passages `docs` (sorted document numbers of one segment,
    each holding the term): sorted keys `passage << 32 | position`."""
    if found is None:
        found = find_term(leaf, fieldname, text)
    if found is None or not len(docs):
        return np.empty(0, np.int64)
    p = packed(leaf)
    places = p.positions(fieldname, found.t) if p is not None and found.t is not None else None
    if places is not None:
        at, pos = places
        wanted = np.zeros(leaf.doc_count_all(), dtype=bool)
        wanted[docs] = True
        keep = wanted[at]
        return (at[keep] << 32) | pos[keep]
    info = found.info if found.info is not None else term_info(leaf, fieldname, text)
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


def _field_arrays(
    leaf: Any, fieldname: str, terms: list[tuple[bytes, Any]]
) -> dict[str, np.ndarray] | None:
    """The packed arrays of one field: every term and its postings, in CRC-32 order; None
    if some term's postings are kept in a way this does not read."""
    fmt = leaf.schema[fieldname].format
    positional = bool(fmt and fmt.supports("positions"))
    hashed = sorted((zlib.crc32(text), text, info) for text, info in terms)
    ids, weights, values = [], [], []
    for _, _, info in hashed:
        # None for postings inlined in the term info (Whoosh's codec as kbase uses it never
        # inlines) or kept by another codec
        raw = _posting_bytes(leaf, info)
        if raw is None:
            return None
        t_ids, t_weights, encoded = raw_blocks(raw, values=positional)
        ids.append(t_ids)
        weights.append(t_weights)
        if encoded is not None:
            values.append(encoded)
    names = [text for _, text, _ in hashed]
    sizes = np.fromiter(map(len, ids), np.int64, len(ids))
    out = {
        "hashes": np.array([h for h, _, _ in hashed], dtype=np.uint32),
        "names": np.frombuffer(b"".join(names), dtype=np.uint8),
        "nstarts": np.concatenate([[0], np.cumsum(list(map(len, names)))]).astype(np.int64),
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
    by_field: dict[str, list[tuple[bytes, Any]]] = {}
    for (fieldname, text), info in leaf._terms.items():
        if fieldname in leaf.schema:
            by_field.setdefault(fieldname, []).append((text, info))
    arrays: dict[str, np.ndarray] = {}
    fields = []
    for fieldname, terms in sorted(by_field.items()):
        found = _field_arrays(leaf, fieldname, terms)
        if found is None:  # read from Whoosh's term file and blocks instead
            continue
        fields.append(fieldname)
        for name, values in found.items():
            arrays[f"{fieldname}/{name}"] = values
    # a field without terms in this segment is complete too: nothing to find
    fields += [name for name in leaf.schema.names() if name not in by_field]
    path = packed_path(folder, leaf._segment)
    _write(path, leaf.doc_count_all(), arrays, fields)
    return path


def _write(path: Path, docs: int, arrays: dict[str, np.ndarray], fields: list[str]) -> None:
    # the header gives each array's place; its own length depends on those places, so they
    # are counted from a padded header length that is fixed first
    layout = {name: [a.dtype.str, 0, len(a)] for name, a in arrays.items()}
    head = {"docs": docs, "size": 0, "fields": fields, "arrays": layout}
    guess = len(json.dumps(head)) + 64 * len(layout) + 64
    start = _HEAD.size + guess
    start += -start % _ALIGN
    at = start
    for name, a in arrays.items():
        layout[name][1] = at
        at += a.nbytes
        at += -at % _ALIGN
    header = json.dumps(head | {"size": at}).encode()
    if len(header) > guess:
        raise ValueError(f"packed header of {path} larger than its room")
    header = header.ljust(guess)

    def write(f: BinaryIO) -> None:
        f.write(_HEAD.pack(MAGIC, guess) + header)
        for name, a in arrays.items():
            f.seek(layout[name][1])
            f.write(a.tobytes())
        f.truncate(at)

    write_atomic(path, write)
