"""Scoring a query over the whole index at once: BM25F with numpy over posting blocks.

Whoosh scores one passage at a time through a tree of matcher objects, in Python: at 100,000
passages a common word takes 400 ms. This module reads each term's posting blocks whole
(document numbers and weights) and computes the same BM25F score as Whoosh's default
weighting for every passage in a few vector operations. It answers words, OR, AND, AND NOT
and NOT; phrases and other positional queries return None and stay with Whoosh.

A result is a dense vector over the searcher's document numbers: the score of each passage
(0 where the query does not match) and a mask of the passages it matches.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, AndNot, NullQuery, Or, Query, Term
from whoosh.query import Not as NotQuery
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

B = 0.75  # Whoosh's BM25F defaults, which kbase's searcher uses
K1 = 1.2
CACHED_POSTINGS = 4_000_000  # term postings kept across queries (about 50 MB)
LENGTH_OF = np.array([byte_to_length(b) or 0 for b in range(256)], dtype=np.float64)


@dataclass
class Scored:
    """A query's score for every passage, and which passages it matches."""

    score: np.ndarray  # float64, one per document number
    mask: np.ndarray  # bool


def column_array(reader: Any, size: int, default: float) -> np.ndarray:
    """A whole numeric column of one segment as an array, read in one piece."""
    try:
        raw = reader._dbfile.get(reader._basepos, reader._count * reader._fixedlen)
        values = np.frombuffer(raw, dtype=np.dtype(">" + reader._typecode)).astype(np.float64)
    except AttributeError:  # another column type: value by value
        values = np.array([reader[i] for i in range(size)], dtype=np.float64)
    if len(values) < size:
        values = np.concatenate([values, np.full(size - len(values), default)])
    return values[:size]


def numeric_column(searcher: Searcher, fieldname: str, default: float) -> np.ndarray:
    """A NUMERIC field's column over all of the searcher's passages; `default` where a
    passage has no value."""
    field = searcher.schema[fieldname]
    parts = []
    leaves = list(searcher.reader().leaf_readers())
    total = searcher.doc_count_all()
    for i, (leaf, offset) in enumerate(leaves):
        size = (leaves[i + 1][1] if i + 1 < len(leaves) else total) - offset
        if not leaf.has_column(fieldname):
            parts.append(np.full(size, default))
            continue
        raw = column_array(leaf.column_reader(fieldname, translate=False), size, 0)
        if field.numtype is int:  # Whoosh stores signed ints shifted to sort as unsigned
            values = raw - (1 << (field.bits - 1)) if field.signed else raw.copy()
        else:
            values = np.array([field.from_column_value(int(x)) for x in raw], dtype=float)
        values[raw == 0] = default  # never written
        parts.append(values)
    return np.concatenate(parts) if parts else np.zeros(0)


def read_postings(leaf: Any, fieldname: str, text: Any) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers and weights of one term in one segment, deleted passages left out."""
    if (fieldname, text) not in leaf:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    m = leaf.postings(fieldname, text)
    deleted: Any = None
    if isinstance(m, FilterMatcher):  # the segment has deletions: Whoosh wraps the postings
        deleted, m = m._ids, m.child
    ids: list[Any] = []
    weights: list[Any] = []
    if all(hasattr(m, a) for a in ("_read_data", "_next_block", "_atend", "_data", "_i")):
        while m.is_active():  # Whoosh's posting blocks: deltas of ids, weights per block
            if m._data is None:
                m._read_data()
            count = m._blocklength
            block_ids = np.cumsum(np.asarray(m._data[0], dtype=np.int64))
            w = m._data[1]
            if w is None or isinstance(w, float):
                block_w = np.full(count, 1.0 if w is None else w)
            else:
                block_w = np.asarray(w, dtype=np.float64)
            ids.append(block_ids[m._i :])
            weights.append(block_w[m._i :])
            m._next_block()
    else:  # a term stored inline, or another codec
        while m.is_active():
            ids.append(np.array([m.id()]))
            weights.append(np.array([m.weight()], dtype=np.float64))
            m.next()
    if not ids:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    all_ids, all_w = np.concatenate(ids), np.concatenate(weights)
    if deleted:
        keep = ~np.isin(all_ids, np.fromiter(deleted, dtype=np.int64))
        all_ids, all_w = all_ids[keep], all_w[keep]
    return all_ids, all_w


class Vectors:
    """Query scores as vectors over one searcher's passages, with recent terms kept."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.size = searcher.doc_count_all()
        self.leaves = list(searcher.reader().leaf_readers())
        self._lengths: dict[str, list[np.ndarray | None]] = {}
        self._terms: OrderedDict[tuple[str, Any], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._held = 0

    def _field_lengths(self, fieldname: str) -> list[np.ndarray | None]:
        found = self._lengths.get(fieldname)
        if found is None:
            found = []
            for i, (leaf, _) in enumerate(self.leaves):
                reader = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
                size = self._leaf_size(i)
                found.append(
                    LENGTH_OF[column_array(reader, size, 0).astype(np.int64)]
                    if reader is not None
                    else None
                )
            self._lengths[fieldname] = found
        return found

    def _leaf_size(self, i: int) -> int:
        if i + 1 < len(self.leaves):
            return self.leaves[i + 1][1] - self.leaves[i][1]
        return self.size - self.leaves[i][1]

    def postings(self, fieldname: str, text: Any) -> tuple[np.ndarray, np.ndarray]:
        """Global document numbers and BM25F scores (before any query boost) of a term."""
        key = (fieldname, text)
        found = self._terms.get(key)
        if found is not None:
            self._terms.move_to_end(key)
            return found
        s = self.searcher
        docs: list[np.ndarray] = []
        scores: list[np.ndarray] = []
        scorable = s.schema[fieldname].scorable
        if scorable:
            idf = s.idf(fieldname, text)
            avgfl = s.avg_field_length(fieldname) or 1
            lengths = self._field_lengths(fieldname)
        for i, (leaf, offset) in enumerate(self.leaves):
            ids, w = read_postings(leaf, fieldname, text)
            if not len(ids):
                continue
            if scorable:
                fl_of = lengths[i]
                fl = fl_of[ids] if fl_of is not None else np.zeros(len(ids))
                scores.append(idf * ((w * (K1 + 1)) / (w + K1 * ((1 - B) + B * fl / avgfl))))
            else:  # a filter field (veivalg, kommune, ...): it matches, it does not score
                scores.append(np.ones(len(ids)))
            docs.append(ids + offset)
        found = (
            (np.concatenate(docs), np.concatenate(scores))
            if docs
            else (np.empty(0, np.int64), np.empty(0, np.float64))
        )
        self._terms[key] = found
        self._held += len(found[0])
        while self._held > CACHED_POSTINGS and len(self._terms) > 1:
            _, old = self._terms.popitem(last=False)
            self._held -= len(old[0])
        return found

    def scored(self, q: Query) -> Scored | None:
        """Every passage's score for `q`, as Whoosh's BM25F gives it; None if `q` is a kind
        of query this does not answer (phrases, prefixes, ...)."""
        if isinstance(q, Term):
            ids, sc = self.postings(q.fieldname, q.text)
            out = Scored(np.zeros(self.size), np.zeros(self.size, dtype=bool))
            out.score[ids] = sc * q.boost
            out.mask[ids] = True
            return out
        if q is NullQuery or isinstance(q, type(NullQuery)):
            return Scored(np.zeros(self.size), np.zeros(self.size, dtype=bool))
        if getattr(q, "boost", 1.0) != 1.0:
            return None
        if type(q) is Or and not getattr(q, "minmatch", 0):
            total = Scored(np.zeros(self.size), np.zeros(self.size, dtype=bool))
            for child in q.subqueries:
                if isinstance(child, Term):  # added in place: no vector per term
                    ids, sc = self.postings(child.fieldname, child.text)
                    total.score[ids] += sc * child.boost  # a term lists each passage once
                    total.mask[ids] = True
                    continue
                part = self.scored(child)
                if part is None:
                    return None
                total.score += part.score
                total.mask |= part.mask
            return total
        if type(q) is And:
            plain = [c for c in q.subqueries if not isinstance(c, NotQuery)]
            excluded = [c.query for c in q.subqueries if isinstance(c, NotQuery)]
            if not plain:
                return None
            total = Scored(np.zeros(self.size), np.ones(self.size, dtype=bool))
            for child in plain:
                part = self.scored(child)
                if part is None:
                    return None
                total.score += part.score
                total.mask &= part.mask
            for child in excluded:
                part = self.scored(child)
                if part is None:
                    return None
                total.mask &= ~part.mask
                total.score += 1.0  # Whoosh scores a NOT inside an AND as a constant 1
            total.score[~total.mask] = 0.0
            return total
        if type(q) is AndNot:
            a, b = self.scored(q.a), self.scored(q.b)
            if a is None or b is None:
                return None
            a.mask &= ~b.mask
            a.score[~a.mask] = 0.0
            return a
        return None
