"""The set of passages a query matches, without scoring: set algebra over posting lists.

Whoosh finds all matches of a query (for the total and the facets) by stepping its matcher
tree one document at a time in Python. For words, AND, OR and NOT the same set comes from
reading each term's posting list a block at a time and combining Python sets, which is an
order of magnitude faster. Phrases and other positional queries still go through Whoosh, after
a cheap test that all their words occur together somewhere.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from whoosh.query import (
    And,
    AndMaybe,
    AndNot,
    ConstantScoreQuery,
    Every,
    NullQuery,
    Or,
    Query,
    Term,
)
from whoosh.query import Not as NotQuery
from whoosh.searching import Searcher

from .packed import read_postings

CACHED_IDS = 2_000_000  # posting entries kept in memory across queries (about 100 MB at most)


class DocSets:
    """Matching passages per query for one searcher, with recently used terms kept."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.leaves = list(searcher.reader().leaf_readers())
        self._terms: OrderedDict[tuple[str, Any], frozenset[int]] = OrderedDict()
        self._held = 0
        self._all: frozenset[int] | None = None

    def term(self, fieldname: str, text: Any) -> frozenset[int]:
        key = (fieldname, text)
        found = self._terms.get(key)
        if found is not None:
            self._terms.move_to_end(key)
            return found
        ids: list[int] = []
        for leaf, offset in self.leaves:
            part, _ = read_postings(leaf, fieldname, text)
            ids.extend((part + offset).tolist())
        found = frozenset(ids)
        self._terms[key] = found
        self._held += len(found)
        while self._held > CACHED_IDS and len(self._terms) > 1:
            _, old = self._terms.popitem(last=False)
            self._held -= len(old)
        return found

    def everything(self) -> frozenset[int]:
        if self._all is None:
            self._all = frozenset(self.searcher.docs_for_query(Every()))
        return self._all

    def matches(self, q: Query) -> frozenset[int]:
        """Every document `q` matches, exactly as Whoosh's docs_for_query finds them."""
        if isinstance(q, Term):
            return self.term(q.fieldname, q.text)
        if type(q) in (ConstantScoreQuery,):  # scores differ, matches do not
            return self.matches(q.child)
        if q is NullQuery or isinstance(q, type(NullQuery)):
            return frozenset()
        if isinstance(q, AndNot):
            return self.matches(q.a) - self.matches(q.b)
        if isinstance(q, AndMaybe):
            return self.matches(q.a)
        if isinstance(q, NotQuery):
            return self.everything() - self.matches(q.query)
        if isinstance(q, And):
            plain = [c for c in q.subqueries if not isinstance(c, NotQuery)]
            excluded = [c.query for c in q.subqueries if isinstance(c, NotQuery)]
            if not plain:
                return self._whoosh(q)
            sets = sorted((self.matches(c) for c in plain), key=len)
            out = sets[0].intersection(*sets[1:]) if len(sets) > 1 else sets[0]
            for c in excluded:
                if not out:
                    break
                out = out - self.matches(c)
            return frozenset(out)
        if type(q) is Or and not getattr(q, "minmatch", 0):
            return frozenset().union(*(self.matches(c) for c in q.subqueries))
        return self._whoosh(q)

    def _whoosh(self, q: Query) -> frozenset[int]:
        """A positional or other query: Whoosh decides, once its words are known to meet."""
        terms = list(q.iter_all_terms())
        if terms and type(q).__name__ in ("Phrase", "Ordered", "Sequence"):
            common = frozenset.intersection(*(self.term(f, t) for f, t in terms))
            if not common:
                return frozenset()
        return frozenset(self.searcher.docs_for_query(q))
