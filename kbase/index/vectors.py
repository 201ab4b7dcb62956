"""Scoring a query over the whole index at once: BM25F with numpy over whole posting lists.

Whoosh scores one passage at a time through a tree of matcher objects, in Python: at 100,000
passages a common word takes 400 ms. This module reads each term's postings whole (document
numbers and weights, from the segment's packed file, see `packed`) and computes the same
BM25F score as Whoosh's default weighting for every passage in a few vector operations. It
answers words, OR, AND, AND NOT, NOT and phrases. A phrase reads word positions only in the
passages that hold all its words, and compares them all at once. Other positional queries
(slop, prefixes, ...) return None and stay with Whoosh.

A result is a dense vector over the searcher's document numbers: the score of each passage
(0 where the query does not match) and a mask of the passages it matches.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from math import log
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.query import And, AndNot, NullQuery, Or, Phrase, Query, Term
from whoosh.query import Not as NotQuery
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from .packed import Found, find_term, read_positions, read_postings
from .store import column_bytes

B = 0.75  # Whoosh's BM25F defaults, which kbase's searcher uses
K1 = 1.2
CACHED_POSTINGS = 4_000_000  # term postings kept across queries (about 50 MB)
CACHED_TERMS = 10_000  # terms whose place in each segment is kept
LENGTH_OF = np.array([byte_to_length(b) or 0 for b in range(256)], dtype=np.float64)


@dataclass
class Scored:
    """A query's score for every passage, and which passages it matches."""

    score: np.ndarray  # float64, one per document number
    mask: np.ndarray  # bool


def column_array(reader: Any, size: int, default: float) -> np.ndarray:
    """A whole numeric column of one segment as an array, read in one piece."""
    raw = column_bytes(reader)
    typecode = getattr(reader, "_typecode", None)
    if raw is not None and typecode is not None:
        values = np.frombuffer(raw, dtype=np.dtype(">" + typecode)).astype(np.float64)
    else:  # another column type: value by value
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


class Vectors:
    """Query scores as vectors over one searcher's passages, with recent terms kept."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.size = searcher.doc_count_all()
        self.leaves = list(searcher.reader().leaf_readers())
        self._lengths: dict[str, list[np.ndarray | None]] = {}
        self._terms: OrderedDict[tuple[str, Any], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._held = 0
        self._found: dict[tuple[str, Any], list[Found | None]] = {}

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

    def _key(self, fieldname: str, text: Any) -> tuple[str, Any]:
        """A term as the index holds it (bytes), so a word from a Term query and the same word
        from a phrase share their cached postings and lookups."""
        field = self.searcher.schema[fieldname] if fieldname in self.searcher.schema else None
        if field is None or isinstance(text, bytes):
            return fieldname, text
        return fieldname, field.to_bytes(text)

    def postings(self, fieldname: str, text: Any) -> tuple[np.ndarray, np.ndarray]:
        """Global document numbers and BM25F scores (before any query boost) of a term."""
        key = self._key(fieldname, text)
        found = self._terms.get(key)
        if found is not None:
            self._terms.move_to_end(key)
            return found
        return self._load(*key)

    def _load(self, fieldname: str, text: Any) -> tuple[np.ndarray, np.ndarray]:
        s = self.searcher
        docs: list[np.ndarray] = []
        scores: list[np.ndarray] = []
        scorable = s.schema[fieldname].scorable
        where = self.find(fieldname, text)
        if scorable:
            # Whoosh's idf (WeightingModel.idf), from each segment's document frequency
            found_in = sum(f.doc_frequency for f in where if f is not None)
            idf = log(self.size / (found_in + 1)) + 1
            avgfl = s.avg_field_length(fieldname) or 1
            lengths = self._field_lengths(fieldname)
        for i, (leaf, offset) in enumerate(self.leaves):
            if where[i] is None:
                continue
            ids, w = read_postings(leaf, fieldname, text, where[i])
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
        key = (fieldname, text)
        self._terms[key] = found
        self._held += len(found[0])
        while self._held > CACHED_POSTINGS and len(self._terms) > 1:
            _, old = self._terms.popitem(last=False)
            self._held -= len(old[0])
        return found

    def find(self, fieldname: str, text: Any) -> list[Found | None]:
        """Where a term is in each segment (None where a segment does not hold it)."""
        key = self._key(fieldname, text)
        found = self._found.get(key)
        if found is None:
            if len(self._found) > CACHED_TERMS:
                self._found.clear()
            found = [find_term(leaf, *key) for leaf, _ in self.leaves]
            self._found[key] = found
        return found

    def in_order(self, fieldname: str, words: list[Any], both: np.ndarray) -> np.ndarray:
        """Which of the passages `both` (sorted, each holding every word of a phrase) have
        the words one right after the other: a mask."""
        matched = []
        for i, (leaf, offset) in enumerate(self.leaves):
            lo, hi = np.searchsorted(both, [offset, offset + self._leaf_size(i)])
            if lo == hi:
                continue
            local = both[lo:hi] - offset
            # each word's places as passage << 32 | position: the phrase stands where the
            # first word's place plus k is a place of word k, for every k
            where = [self.find(fieldname, word)[i] for word in words]
            places = read_positions(leaf, fieldname, words[0], local, where[0])
            for k in range(1, len(words)):
                if not len(places):
                    break
                found = read_positions(leaf, fieldname, words[k], local, where[k])
                places = places[np.isin(places + k, found)]
            if len(places):
                matched.append(np.unique(places >> 32) + offset)
        return np.isin(both, np.concatenate(matched)) if matched else np.zeros(len(both), bool)

    def phrase(self, q: Phrase) -> Scored | None:
        """A phrase's matches: the passages holding its words one right after the other,
        each scored, as Whoosh does, by the sum of its words' scores; None for a phrase with
        slop, or in a field without positions."""
        field = self.searcher.schema[q.fieldname] if q.fieldname in self.searcher.schema else None
        out = Scored(np.zeros(self.size), np.zeros(self.size, dtype=bool))
        if field is None:
            return out
        if q.slop != 1 or not field.format or not field.format.supports("positions"):
            return None
        try:
            words = [field.to_bytes(w) for w in q.words]
        except ValueError:
            return out
        if not words:
            return out
        terms = [self.postings(q.fieldname, w) for w in words]
        both = terms[0][0]
        for ids, _ in terms[1:]:
            both = np.intersect1d(both, ids, assume_unique=True)
        if len(words) > 1 and len(both):
            both = both[self.in_order(q.fieldname, words, both)]
        total = np.zeros(len(both))
        for ids, sc in terms:  # a word twice in the phrase counts twice, as in Whoosh
            total += sc[np.searchsorted(ids, both)]
        out.score[both] = total * q.boost
        out.mask[both] = True
        return out

    def scored(self, q: Query) -> Scored | None:
        """Every passage's score for `q`, as Whoosh's BM25F gives it; None if `q` is a kind
        of query this does not answer (prefixes, phrases with slop, ...)."""
        if isinstance(q, Term):
            ids, sc = self.postings(q.fieldname, q.text)
            out = Scored(np.zeros(self.size), np.zeros(self.size, dtype=bool))
            out.score[ids] = sc * q.boost
            out.mask[ids] = True
            return out
        if q is NullQuery or isinstance(q, type(NullQuery)):
            return Scored(np.zeros(self.size), np.zeros(self.size, dtype=bool))
        if type(q) is Phrase:
            return self.phrase(q)
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
