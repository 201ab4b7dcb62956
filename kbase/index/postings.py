"""Reading Whoosh's posting lists whole: document numbers, weights and encoded positions.

Searches read kbase's packed copy of the postings (`packed`); this module reads Whoosh's own
blocks, to write that copy and where a segment has none.

Whoosh keeps a term's postings in blocks of up to 128 (whoosh.codec.whoosh3): each block is a
length, a pickled info tuple (count, last id, ...) and the zlib-compressed pickle (protocol 2)
of (id deltas, weights, values). Whoosh's matchers read them with a dozen small file reads per
block and step through them in Python. Here a term's whole posting list is read at once and
its blocks parsed in memory, with two shortcuts where most of the time went:

- Values (a passage's word positions) are bytes, which protocol 2 writes as one call of
  `_codecs.encode(text, "latin1")` per posting: unpickling them was three quarters of the work.
  Ids (up to 5 bytes each) and weights (9) come first, so where values are not wanted the
  pickle is decompressed only that far, cut where the values start and closed.
- Where they are wanted, the block is unpickled with `bytes` in place of `_codecs.encode`
  (the same bytes from the same arguments, at a third of the cost). Reading the values from
  the pickle's bytes by their layout, with numpy, was tried: a third faster for a word in
  thousands of passages, slower below a thousand, and no change to the benchmark's latency.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from collections.abc import Iterator
from itertools import accumulate, chain, repeat
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

_INT = struct.Struct("!i")  # a block's length
_ENCODE = b"c_codecs\nencode\n"  # the global each value's call refers to
_BYTES = b"cbuiltins\nbytes\n"
_VALUES_START = b"(" + _ENCODE  # the values tuple's MARK, then the first value's call
_CLOSE = b"t\x87."  # an empty values tuple (from its MARK), the outer 3-tuple, the end

# Encoded positions: every passage's encoding one after the other in one string, and where
# each starts and ends in it.
Encoded = tuple[bytes, np.ndarray, np.ndarray]


def term_info(leaf: Any, fieldname: str, text: Any) -> Any | None:
    """A term's statistics and the place of its postings in one segment; None if the segment
    does not hold it."""
    if fieldname not in leaf.schema:
        return None
    try:
        return leaf.term_info(fieldname, text)
    except TermNotFound:
        return None


def read_blocks(
    leaf: Any, fieldname: str, text: Any, *, values: bool, info: Any = None
) -> tuple[np.ndarray, np.ndarray, Encoded | None]:
    """Document numbers, weights and (if `values`) the encoded positions of one term in one
    segment, deleted passages left out. `info` is the term's info in the segment if known."""
    if info is None:
        info = term_info(leaf, fieldname, text)
    if info is None:
        return np.empty(0, np.int64), np.empty(0, np.float64), _joined([]) if values else None
    fixedsize = leaf.schema[fieldname].format.fixed_value_size()
    raw = _posting_bytes(leaf, info)
    if raw is not None and (not values or fixedsize is None or fixedsize < 0):
        all_ids, all_w, encoded = raw_blocks(raw, values=values)
    else:  # a term stored inline, or another codec: through Whoosh's matcher
        m = leaf.postings(fieldname, text)
        if isinstance(m, FilterMatcher):  # deletions: left out below
            m = m.child
        listed: list[tuple[int, float]] = []
        found: list[bytes] = []
        while m.is_active():
            listed.append((m.id(), m.weight()))
            if values:
                found.append(m.value())
            m.next()
        all_ids = np.array([i for i, _ in listed], dtype=np.int64)
        all_w = np.array([w for _, w in listed], dtype=np.float64)
        encoded = _joined(found) if values else None
    return without_deleted(leaf, all_ids, all_w, encoded)


def raw_blocks(raw: bytes, *, values: bool) -> tuple[np.ndarray, np.ndarray, Encoded | None]:
    """Document numbers, weights and (if `values`) encoded positions of a whole posting list
    in Whoosh's block format, deleted passages included."""
    deltas: list[Any] = []  # every block's id deltas, weights, count and last id
    weights: list[Any] = []
    counts: list[int] = []
    lasts: list[int] = []
    plains: list[bytes] = []  # the blocks' decompressed data, where values are wanted
    for count, last, ids, w, plain in _blocks(raw, values=values):
        deltas.append(ids)
        # None when all weights are 1, one number when all are equal
        weights.append(w if isinstance(w, tuple) else repeat(1.0 if w is None else w, count))
        counts.append(count)
        lasts.append(last)
        if plain is not None:
            plains.append(plain)
    total = sum(counts)
    steps = np.fromiter(chain.from_iterable(deltas), np.int64, total)
    # a block's first delta counts from 0: make it count from the last id of the block
    # before, and one running sum gives every id
    starts = np.cumsum(np.asarray(counts[:-1], dtype=np.int64))
    steps[starts] -= np.asarray(lasts[:-1], dtype=np.int64)
    all_ids = np.cumsum(steps)
    all_w = np.fromiter(chain.from_iterable(weights), np.float64, total)
    return all_ids, all_w, _values(plains) if values else None


def without_deleted(
    leaf: Any, ids: np.ndarray, weights: np.ndarray, encoded: Encoded | None
) -> tuple[np.ndarray, np.ndarray, Encoded | None]:
    """Postings of one segment with its deleted passages left out."""
    deleted = _deleted_mask(leaf)
    if deleted is None:
        return ids, weights, encoded
    keep = ~deleted[ids]
    if encoded is not None:
        encoded = (encoded[0], encoded[1][keep], encoded[2][keep])
    return ids[keep], weights[keep], encoded


def _deleted_mask(leaf: Any) -> np.ndarray | None:
    """A segment reader's deleted passages as a mask over its document numbers, made once
    per reader (its deletions do not change); None without deletions."""
    mask = getattr(leaf, "_kbase_deleted", False)
    if mask is False:
        deleted = leaf.deleted_docs_set if leaf.has_deletions() else None
        mask = None
        if deleted:
            mask = np.zeros(leaf.doc_count_all(), dtype=bool)
            mask[np.fromiter(deleted, dtype=np.int64, count=len(deleted))] = True
        leaf._kbase_deleted = mask
    return mask


def decode_positions(value: bytes) -> Iterator[int]:
    """The positions of a term in a passage from Whoosh's `Positions` encoding: a count, then
    the pickled list of gaps."""
    return accumulate(pickle.loads(value[4:] if value.endswith(b".") else value[4:] + b"."))


# Whoosh's `Positions` encoding of a single position below 256: the count 1, then the pickle
# of a one-item list (protocol 2); the position is byte 10
_LONE = np.frombuffer(b"\x00\x00\x00\x01\x80\x02]q\x00K\x00a.", dtype=np.uint8)
_LONE_CHECKED = np.arange(len(_LONE)) != 10


def lone_positions(blob: bytes, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """For each `Positions` encoding blob[start:end], its position if it holds exactly one
    below 256, else -1 (those are decoded one by one)."""
    out = np.full(len(start), -1, dtype=np.int64)
    rows = np.flatnonzero(end - start == len(_LONE))
    if not len(rows):
        return out
    data = np.frombuffer(blob, dtype=np.uint8)[start[rows][:, None] + np.arange(len(_LONE))]
    match = (data[:, _LONE_CHECKED] == _LONE[_LONE_CHECKED]).all(axis=1)
    out[rows[match]] = data[match, 10]
    return out


def _joined(values: list[bytes]) -> Encoded:
    sizes = np.fromiter(map(len, values), np.int64, len(values))
    ends = np.cumsum(sizes)
    return b"".join(values), ends - sizes, ends


def _values(plains: list[bytes]) -> Encoded:
    """The values of every block, from their decompressed data, in order."""
    return _joined([v for plain in plains for v in _unpickle(plain)[2]])


def _posting_bytes(leaf: Any, info: Any) -> bytes | None:
    """The whole of a term's posting list in Whoosh's own block format, read at once; None
    for postings kept another way (inline in the term info, another codec)."""
    terms = getattr(leaf, "_terms", None)
    if not isinstance(info, W3TermInfo) or info.is_inlined() or terms is None:
        return None
    offset, length = info.extent()
    if isinstance(length, tuple):  # Whoosh reads it from disk as a 1-tuple
        length = length[0]
    raw = terms._postfile.get(offset, length)
    return raw if raw[:4] == WHOOSH3_HEADER_MAGIC else None


def _blocks(raw: bytes, *, values: bool) -> Iterator[tuple[int, int, Any, Any, bytes | None]]:
    """(count, last id, id deltas, weights, decompressed data if `values`) of each block of a
    posting list, parsed from bytes in memory."""
    view = io.BytesIO(raw)
    pos = 4  # after the magic
    while pos < len(raw):
        (length,) = _INT.unpack_from(raw, pos)
        end = pos + _INT.size + abs(length)
        view.seek(pos + _INT.size)
        count, last, _, compressed, _, _ = pickle.load(view)
        data = raw[view.tell() : end]
        if values:
            plain = zlib.decompress(data) if compressed else data
            head = _cut(plain, count)
            ids, weights = head if head is not None else _unpickle(plain)[:2]
            yield count, last, ids, weights, plain
        else:
            bound = 14 * count + 64  # the ids and weights end before this
            start = zlib.decompressobj().decompress(data, bound) if compressed else data[:bound]
            head = _cut(start, count)
            if head is None:
                whole = (
                    start if len(start) < bound else zlib.decompress(data) if compressed else data
                )
                head = _unpickle(whole)[:2]
            yield count, last, head[0], head[1], None
        if length < 0:  # the last block
            break
        pos = end


def _unpickle(data: bytes) -> Any:
    """A block's (id deltas, weights, values), unpickled."""
    return pickle.loads(data.replace(_ENCODE, _BYTES, 1))


def _cut(head: bytes, count: int) -> tuple[Any, Any] | None:
    """A block's (id deltas, weights) from the start of its data, up to where the values
    start; None where the block is not laid out that way (few postings, values of another
    kind or none)."""
    if count <= 3:  # tuples this short have no MARK: not worth a special case
        return None
    cut = head.find(_VALUES_START)
    if cut < 0:
        return None
    try:
        ids, weights, _ = pickle.loads(head[: cut + 1] + _CLOSE)
    except (pickle.UnpicklingError, ValueError, TypeError, EOFError, IndexError):
        return None
    if len(ids) != count or (isinstance(weights, tuple) and len(weights) != count):
        return None
    return ids, weights
