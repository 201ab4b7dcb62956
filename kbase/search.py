"""Query parsing, filters, ranking, facets, snippets and spelling suggestions."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from whoosh import collectors, highlight, sorting
from whoosh.analysis import Token
from whoosh.qparser import AndGroup, MultifieldParser, plugins
from whoosh.query import (
    And,
    Every,
    NullQuery,
    NumericRange,
    Or,
    Ordered,
    Phrase,
    Query,
    Sequence,
    Term,
)
from whoosh.query import Not as NotQuery
from whoosh.searching import Hit as WhooshHit
from whoosh.searching import Searcher

from .analysis import (
    STOP_WORDS,
    WORD,
    er_noun,
    matched_form,
    norwegian_analyzer,
)
from .cite import citation
from .errors import QuerySyntaxError
from .index.docsets import DocSets
from .index.store import IndexStore
from .index.vectors import Vectors, numeric_column
from .model import Hit, SearchResults

UNTYPABLE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f]")
BY_DOCUMENT_HITS = 5000  # passages read to find the best one of each document
SEARCH_FIELDS = ["title", "heading", "path", "text", "parts"]
SYNONYM_BOOST = 0.5  # a synonym ranks below the word actually typed
FACETS = {
    "veivalg": "veivalg",
    "themes": "themes",
    "kommune": "kommune",
    "doc_type": "doc_type",
    "year": "year",  # beside the contract's four: the search page filters by year
}
FILTER_RE = re.compile(
    r"""(?<!\S)(veivalg|tema|theme|kommune|type|år|aar|ar|year):("[^"]*"|\S+)""", re.IGNORECASE
)
YEAR_RE = re.compile(r"^(\d{4})?(?:\s*(\.\.|-|–)\s*(\d{4})?)?$")
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
SNIPPET_CHARS = 240
# ranks partial matches by the number of typed words they hold before their score
COVERAGE_STEP = 1e9


@dataclass
class Filters:
    """Filters from options and from `field:value` words in the query; lists must all apply."""

    veivalg: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    kommune: str | None = None
    doc_type: str | None = None
    years: tuple[int | None, int | None] | None = None

    def query(self) -> Query:
        parts: list[Query] = [Term("kind", "passage")]
        parts += [Term("veivalg", v) for v in self.veivalg]
        parts += [Term("themes", t) for t in self.themes]
        if self.kommune:
            parts.append(Term("kommune_key", self.kommune.lower()))
        if self.doc_type:
            parts.append(Term("doc_type", self.doc_type))
        if self.years:
            parts.append(NumericRange("year", self.years[0], self.years[1]))
        return And(parts)


def parse_years(value: Any) -> tuple[int | None, int | None] | None:
    """2024, "2024", "2019..2024", "2019-2024", "..2020" or (2019, 2024) as an inclusive range."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return (value, value)
    if isinstance(value, tuple | list) and len(value) == 2:
        return (value[0], value[1])
    m = YEAR_RE.match(str(value).strip())
    if not m or not (m.group(1) or m.group(3)):
        raise QuerySyntaxError(f"cannot read the year {value!r}; write 2024 or 2019..2024")
    start = int(m.group(1)) if m.group(1) else None
    if not m.group(2):
        return (start, start)
    return (start, int(m.group(3)) if m.group(3) else None)


def _as_list(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [v for v in value if v]


def split_filters(query: str, filters: Filters) -> str:
    """Move `veivalg:…`, `tema:…`, `kommune:…`, `type:…`, `år:…` out of the query into filters."""

    def take(m: re.Match[str]) -> str:
        key, value = m.group(1).lower(), m.group(2).strip('"')
        if key == "veivalg":
            filters.veivalg.append(value)
        elif key in ("tema", "theme"):
            filters.themes.append(value)
        elif key == "kommune":
            filters.kommune = value
        elif key == "type":
            filters.doc_type = value
        else:
            filters.years = parse_years(value)
        return " "

    return FILTER_RE.sub(take, query)


def _parser(schema: Any) -> MultifieldParser:
    # Field syntax stays on for expand()'s own "text:word"; a user's "x:y" never reaches the
    # parser (filters are taken out first, other colons become spaces in clean_query_text).
    parser = MultifieldParser(SEARCH_FIELDS, schema, group=AndGroup)
    # Boosts stay on for expand()'s synonyms ("seniorer^0.5"); a user's "^" is removed too.
    for plugin_type in (plugins.RangePlugin, plugins.SingleQuotePlugin, plugins.EveryPlugin):
        parser.remove_plugin_class(plugin_type)
    return parser


def clean_query_text(text: str) -> str:
    """Drop characters that Whoosh would read as syntax nobody meant ('?' wildcards, '^', ':')."""
    text = text.replace("?", " ").replace("^", " ").replace("~", " ")
    text = re.sub(r"(?<=\w):(?=\w)", " ", text)
    if text.count('"') % 2:
        text = text.replace('"', " ")
    if text.count("(") != text.count(")"):
        text = text.replace("(", " ").replace(")", " ")
    text = re.sub(r"[!,;]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def word_groups(q: Query) -> list[set[tuple[str, str]]]:
    """The terms of each typed word (with its alternatives), for counting words matched."""
    subs = q.subqueries if isinstance(q, And) else [q]
    return [{_term_key(t) for t in c.iter_all_terms()} for c in subs if not isinstance(c, NotQuery)]


def _term_key(term: tuple[str, Any]) -> tuple[str, str]:
    field, text = term
    return field, text.decode("utf-8") if isinstance(text, bytes) else str(text)


class _SearcherCache:
    """What every search on one searcher needs and no search changes: filter sets, the
    passages of each facet value, and the posting sets of recently searched terms."""

    def __init__(self, s: Searcher) -> None:
        self.docsets: dict[str, set[int]] = {}
        self.values: dict[str, tuple[list[str], np.ndarray]] | None = None
        self.matching = DocSets(s)
        self._weights: np.ndarray | None = None
        self._vectors: Vectors | None = None
        self._masks: dict[int, np.ndarray] = {}
        self.size = s.doc_count_all()

    @property
    def vectors(self) -> Vectors:
        if self._vectors is None:
            self._vectors = Vectors(self.matching.searcher)
        return self._vectors

    def weights(self, s: Searcher) -> np.ndarray:
        """Each passage's content weight in percent, by document number."""
        if self._weights is None:
            self._weights = numeric_column(s, "weight", 100)
            self._weights[self._weights <= 0] = 100
        return self._weights

    def mask(self, docset: set[int]) -> np.ndarray:
        """A filter's passages as a mask over document numbers (the set is never changed)."""
        found = self._masks.get(id(docset))
        if found is None:
            found = np.zeros(self.size, dtype=bool)
            found[np.fromiter(docset, dtype=np.int64, count=len(docset))] = True
            if len(self._masks) > 64:
                self._masks.clear()
            self._masks[id(docset)] = found
        return found

    def docset(self, s: Searcher, q: Query) -> set[int]:
        """The passages a filter lets through (a set: Whoosh takes it as a filter as is; never
        changed once made)."""
        key = repr(q)
        found = self.docsets.get(key)
        if found is None:
            if len(self.docsets) > 64:
                self.docsets.clear()
            found = self.docsets[key] = set(self.matching.matches(q))
        return found

    def _facet_values(self, s: Searcher) -> dict[str, tuple[list[str], np.ndarray]]:
        """Per facet: its values, and a matrix (values x passages) of which passage has which."""
        if self.values is None:
            self.values = {}
            reader = s.reader()
            for name, fname in FACETS.items():
                if fname == "year":
                    continue  # numeric terms: read from the column below
                values = []
                for term in reader.lexicon(fname):
                    text = term.decode() if isinstance(term, bytes) else str(term)
                    if text:
                        values.append(text)
                table = np.zeros((len(values), self.size), dtype=bool)
                for i, text in enumerate(values):
                    ids, _ = self.vectors.postings(fname, text)
                    table[i, ids] = True
                self.values[name] = (values, table)
            years = numeric_column(s, "year", 0)
            passages = self.mask(self.docset(s, Term("kind", "passage")))
            years[~passages | (years >= 10_000) | (years < 0)] = 0  # unset
            found = sorted({int(y) for y in np.unique(years) if y})
            table = np.zeros((len(found), self.size), dtype=bool)
            for i, y in enumerate(found):
                table[i] = years == y
            self.values["year"] = ([str(y) for y in found], table)
        return self.values

    def facet_counts(self, s: Searcher, docnums: np.ndarray) -> dict[str, dict[str, int]]:
        """How many of the given passages carry each value of each facet."""
        out: dict[str, dict[str, int]] = {}
        mask = None
        if len(docnums) * 5 > self.size:  # many: a mask over all passages beats a gather
            mask = np.zeros(self.size, dtype=bool)
            mask[docnums] = True
        for name, (values, table) in self._facet_values(s).items():
            if mask is not None:
                per_value = np.count_nonzero(table & mask, axis=1)
            else:
                per_value = np.count_nonzero(table[:, docnums], axis=1) if len(docnums) else []
            counts = {v: int(n) for v, n in zip(values, per_value, strict=False) if n}
            out[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        return out


_CACHES: dict[int, tuple[Searcher, _SearcherCache]] = {}


def _cache(s: Searcher) -> _SearcherCache:
    """The cache of this searcher (a new searcher, after a commit, gets a new one)."""
    held = _CACHES.get(id(s))
    if held is None or held[0] is not s:
        _CACHES.clear()  # one searcher per index is in use at a time
        held = _CACHES[id(s)] = (s, _SearcherCache(s))
    return held[1]


class _Recorder(collectors.TopCollector):
    """Whoosh's top-N collector that also keeps every passage it is shown."""

    def __init__(self, limit: int) -> None:
        # every match must be seen: no skipping of low-scoring blocks, no pruning of the
        # parts of an OR that can no longer reach the top N
        super().__init__(limit=limit, usequality=False, replace=0)
        self.matched: set[int] = set()

    def _collect(self, global_docnum: int, score: float) -> float:
        self.matched.add(global_docnum)
        return super()._collect(global_docnum, score)


def _positional(q: Query) -> bool:
    """True if `q` holds a phrase or another query that reads word positions."""
    if isinstance(q, Phrase | Sequence | Ordered):
        return True
    return any(_positional(c) for c in q.children())


def _weights(s: Searcher) -> np.ndarray:
    return _cache(s).weights(s)


def _rank_key(hit: WhooshHit, weights: np.ndarray) -> float:
    return (hit.score or 0.0) * float(weights[hit.docnum]) / 100


def _coverage(hit: WhooshHit, groups: list[set[tuple[str, str]]]) -> int:
    matched = {_term_key(t) for t in hit.matched_terms()}
    return sum(1 for g in groups if g & matched)


def relax(q: Query) -> Query:
    """The same query with its plain words made optional, so partial matches follow."""
    if isinstance(q, And):
        required = [c for c in q.subqueries if isinstance(c, NotQuery)]
        optional = [c for c in q.subqueries if not isinstance(c, NotQuery)]
        if len(optional) > 1:
            loose = Or(optional)
            return And([loose, *required]) if required else loose
    return q


class SnippetFormatter(highlight.Formatter):
    """Marks matched words as **word** and joins fragments with an ellipsis."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"**{highlight.get_text(text, token, replace)}**"

    def format(self, fragments: list[Any], replace: bool = False) -> str:
        if not fragments:
            return ""
        fragments = sorted(fragments, key=lambda f: f.startchar)
        body = self.between.join(
            self.format_fragment(f, replace=replace).strip() for f in fragments
        )
        first, last = fragments[0], fragments[-1]
        full = first.text
        lead = "… " if full[: first.startchar].strip() else ""
        rest = full[last.endchar :]
        if rest.strip(' .!?»"%)'):
            return f"{lead}{body} …"
        return f"{lead}{body}{rest.rstrip()}"


def _flat(text: str) -> str:
    """One line: the passage's lines (bullet items, table rows) separated by ' · '."""
    return " · ".join(line.strip() for line in text.split("\n") if line.strip())


def _plain_snippet(text: str) -> str:
    flat = _flat(text)
    if len(flat) <= SNIPPET_CHARS:
        return flat
    cut = flat[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return f"{cut} …"


SURROUND = 80  # characters of context kept before the first and after the last marked word


def _fragments(flat: str, terms: frozenset[str]) -> list[highlight.Fragment]:
    """The fragments of `flat` around words matching `terms`: what Whoosh's highlight cuts
    with ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SURROUND) over kbase's words,
    in one loop over the words' spans (Whoosh makes and filters a Token object per word)."""
    out = []
    first = None  # where the fragment being built starts
    firsts: deque[int] = deque()  # starts of the words just before it
    countdown = -1  # characters left in the fragment; below 0: not in one
    tokens: list[Token] = []
    endchar = 0
    length = 0
    for m in WORD.finditer(flat):
        startchar, endchar = m.span()
        if endchar > highlight.DEFAULT_CHARLIMIT:
            break
        size = endchar - startchar
        word = m.group().lower()
        form = matched_form(word, terms)
        matched = form in terms
        if countdown < 0 and not matched:
            firsts.append(startchar)
            while firsts and endchar - firsts[0] > SURROUND:
                firsts.popleft()
        elif length + size > SNIPPET_CHARS:
            countdown = 0
        elif matched:
            countdown = SURROUND
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = startchar
                    countdown += SURROUND
            token = Token(chars=True, boost=1.0, text=form, matched=True)
            token.startchar, token.endchar = startchar, endchar
            tokens.append(token)
        if countdown >= 0:
            length += size
            countdown -= size
            if countdown <= 0:
                out.append(highlight.mkfrag(flat, tokens, startchar=first, endchar=endchar))
                tokens, firsts, first, length = [], deque(), None, 0
    if tokens:
        out.append(highlight.mkfrag(flat, tokens, startchar=first, endchar=endchar))
    return out


def make_snippet(text: str, terms: set[str]) -> str:
    """The best-matching part of the passage with matched terms marked."""
    if terms:
        flat = _flat(text)
        best = highlight.top_fragments(
            _fragments(flat, frozenset(terms)),
            2,
            highlight.BasicFragmentScorer(),
            highlight.FIRST,
            1,
        )
        out = SnippetFormatter()(flat, best)
        if out:
            return out
    return _plain_snippet(text)


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    """The Norwegian analyzer, built once per process (its stem cache is kept)."""
    return norwegian_analyzer()


def _doc_frequency(s: Searcher, fieldname: str, text: str) -> int:
    """How many passages hold a term (Whoosh's doc_frequency), from the searcher's term
    lookups, which the scoring of the same words then reuses."""
    return sum(f.doc_frequency for f in _cache(s).vectors.find(fieldname, text) if f is not None)


def _known(s: Searcher, word: str) -> bool:
    """True when the index holds the word as written or its stem."""
    if _doc_frequency(s, "words", word) > 0:
        return True
    stems = [t.text for t in _analyzer()(word)]
    return bool(stems) and all(_doc_frequency(s, "text", st) > 0 for st in stems)


def suggest(searcher: Searcher, text: str) -> str | None:
    """The query with each word unknown to the index replaced by the closest known word."""
    words = re.findall(r"[^\W\d_]+", text)
    stop = STOP_WORDS
    reader = searcher.reader()
    changed = False
    out = text
    for word in words:
        low = word.lower()
        if word in OPERATORS or len(low) < 4 or low in stop:
            continue
        if _known(searcher, low):
            continue
        candidates = [
            c.decode() if isinstance(c, bytes) else c
            for c in reader.terms_within("words", low, maxdist=2, prefix=1)
        ]
        candidates = [c for c in candidates if c not in stop and len(c) >= 3]
        if not candidates:
            continue
        best = min(
            candidates,
            key=lambda c: (_edit_distance(low, c), -_doc_frequency(searcher, "words", c), c),
        )
        out = re.sub(rf"\b{re.escape(word)}\b", best, out, count=1)
        changed = True
    return out if changed else None


# Words of a question typed as a sentence that say nothing about what is sought ("hva sier
# planen om pårørende", "hvor mange innbyggere har kommunen"); dropped when other words remain.
QUESTION_NOISE = frozenset(
    {
        "sier",
        "står",
        "skrevet",
        "skriver",
        "planen",
        "planene",
        "kommunen",
        "kommunens",
        "vår",
        "våre",
        "vårt",
        "egentlig",
    }
)
QUERY_TOKEN = re.compile(r'"[^"]*"|[()]|[^\s()"]+')


def _phrase(token: str) -> str:
    """A quoted phrase: the words as typed, in order, and also inflected ("trygge overganger"
    finds "trygg overgang") unless dropping stop words would leave a single word, which is not
    the phrase any more ("hva er viktig for deg" must not find every "viktig")."""
    exact = f"words:{token}"
    if len(list(_analyzer()(token.strip('"')))) < 2:
        return exact
    # the parts field keeps no word positions, so it takes no part in phrases
    fields = [f for f in SEARCH_FIELDS if f != "parts"]
    return "(" + " OR ".join([exact, *(f"{f}:{token}" for f in fields)]) + ")"


def expand(text: str, searcher: Searcher) -> str:
    """Each plain word with its alternatives: (word OR variant OR (head AND tail) OR synonym^0.5).

    - æ, ø, å typed as ae/oe/aa or a/o: a word the index does not know is replaced by the one
      known spelling it can stand for (so it ranks as if typed right), or OR-ed with several;
    - bokmål/nynorsk and spelling variants at full weight, synonyms below the typed word;
    - a closed compound also matches its open form ("heldøgnsplasser" ~ "heldøgns plasser").
    """
    from .compounds import lexicon, split
    from .variants import spellings, tables

    variants, synonyms = tables()
    out = []
    tokens = QUERY_TOKEN.findall(text)
    content = [
        t
        for t in tokens
        if t.lower() not in QUESTION_NOISE
        and t.lower() not in STOP_WORDS
        and t not in OPERATORS
        and t not in "()"
    ]
    if content and all(t not in OPERATORS for t in tokens):
        tokens = [t for t in tokens if t.lower() not in QUESTION_NOISE]
    for token in tokens:
        low = token.lower()
        if token.startswith('"'):
            out.append(_phrase(token))
            continue
        if token in "()" or token in OPERATORS or "*" in token or not low.isalpha():
            out.append(token)
            continue
        word = low
        alternatives: list[str] = []
        if not _known(searcher, word):
            known = [w for w in spellings(word) if _doc_frequency(searcher, "words", w) > 0]
            if len(known) == 1:
                word = known[0]
            else:
                alternatives += known
        alternatives += [v for v in variants.get(word, []) if v not in alternatives]
        singular = er_noun(word)
        # "-er" nouns stem apart ("medisindispenser" -> medisindispens, "medisindispensere" ->
        # medisindispenser), so each form also searches the other; but not from a singular that
        # can be a verb ("bruker" in "hva bruker kommunen", since "bruke" is a word)
        if singular is not None and word != singular:
            alternatives.append(singular)
        elif singular is not None and singular[:-1] not in lexicon():
            alternatives.append(singular + "e")
        parts = split(word)
        if len(parts) > 1:
            # A compound typed whole is searched as a whole word and in its open form, both in
            # whole words only: other compounds that share a part are noise here.
            whole = [f"{f}:{word}" for f in SEARCH_FIELDS if f != "parts"]
            open_form = "(" + " AND ".join(f"text:{p}" for p in parts) + ")"
            rest = [a for a in alternatives]
            alternatives = []
            # in parentheses, so that a NOT before the word excludes all of it
            word = "(" + " OR ".join([*whole, open_form, *rest]) + ")"
        alternatives += [
            f"({' AND '.join(s.split())})^{SYNONYM_BOOST}" if " " in s else f"{s}^{SYNONYM_BOOST}"
            for s in synonyms.get(word, [])
        ]
        out.append(f"({' OR '.join([word, *alternatives])})" if alternatives else word)
    return " ".join(out)


def build_query(store: IndexStore, text: str) -> tuple[Query, Query, set[str]]:
    """The strict query (all words), the relaxed one, and the terms to mark in snippets."""
    cleaned = clean_query_text(text)
    if not cleaned:
        return Every(), Every(), set()
    parser = _parser(store.ix.schema)
    try:
        strict = parser.parse(expand(cleaned, store.searcher()))
    except Exception as exc:  # whoosh's parser errors carry no common base
        raise QuerySyntaxError(f"cannot understand the query {text!r}: {exc}") from exc
    if strict is NullQuery or isinstance(strict, type(NullQuery)):
        raise QuerySyntaxError(
            f"the query {text!r} has no searchable words (only stop words like 'og', 'i', 'på')"
        )
    terms: set[str] = set()
    for fname, t in strict.iter_all_terms():
        word = t.decode() if isinstance(t, bytes) else str(t)
        if fname in ("text", "parts"):
            terms.add(word)
        elif fname == "words":  # a phrase's words as typed: marked by their stems
            terms.update(tok.text for tok in _analyzer()(word))
    return strict, relax(strict), terms


def run_search(
    store: IndexStore,
    query: str,
    *,
    limit: int = 10,
    offset: int = 0,
    veivalg: str | list[str] | None = None,
    theme: str | list[str] | None = None,
    kommune: str | None = None,
    doc_type: str | None = None,
    year: Any = None,
    by_document: bool = False,
    known_tags: dict[str, list[str]] | None = None,
    _corrected_from: str | None = None,
) -> SearchResults:
    """Ranked passages for `query`: all-words matches first, then the best partial matches."""
    if limit < 0 or offset < 0:
        raise QuerySyntaxError("limit and offset must be zero or more")
    filters = Filters(
        veivalg=_as_list(veivalg),
        themes=_as_list(theme),
        kommune=kommune,
        doc_type=doc_type,
        years=parse_years(year),
    )
    # a lone surrogate (bytes that were not UTF-8) or a control character is never a word
    query = UNTYPABLE.sub(" ", query or "")
    text = split_filters(query, filters)
    if known_tags:
        for kind, wanted in (("veivalg", filters.veivalg), ("themes", filters.themes)):
            for slug in wanted:
                if slug not in known_tags[kind]:
                    name = "veivalg" if kind == "veivalg" else "theme"
                    raise QuerySyntaxError(
                        f"unknown {name} {slug!r}; known: {', '.join(known_tags[kind])}"
                    )
    if not clean_query_text(text) and filters == Filters():
        raise QuerySyntaxError("the query is empty; give words to search for or a filter")
    strict, relaxed, terms = build_query(store, text)
    s = store.searcher()
    flt = filters.query()
    cache = _cache(s)
    flt = cache.docset(s, flt)  # the filter as a set of passages, computed once per searcher
    want = max(1, offset + limit)
    weights = _weights(s)
    groups = word_groups(strict)
    if not flt:  # nothing passes the filters (Whoosh would read an empty set as no filter)
        relaxed = strict = NullQuery
    ranked = None
    if not by_document:
        ranked = _rank_vectors(cache, strict, relaxed, len(groups), flt, weights, want)
    if ranked is not None:
        matched_docs, page_hits = ranked
        total = len(matched_docs)
    else:
        matched, page_hits, total = _rank_whoosh(
            s, cache, strict, relaxed, groups, flt, weights, want, by_document
        )
        matched_docs = np.fromiter(matched, dtype=np.int64, count=len(matched))
    facet_counts = cache.facet_counts(s, matched_docs)
    page = page_hits[offset : offset + limit]
    hits = []
    for rank, (docnum, score) in enumerate(page, start=offset + 1):
        passage = store.passage_from(s.stored_fields(docnum))
        doc = store.document(s, passage.doc_id)  # as the searcher of this search sees it
        if doc is None:  # a passage whose document record is missing cannot be cited
            continue
        hits.append(
            Hit(
                rank=rank,
                score=float(score or 0.0),
                passage=passage,
                document=doc,
                snippet=make_snippet(passage.text, terms),
                citation=citation(doc, passage),
            )
        )
    suggestion = None if _corrected_from else suggest(s, text)
    if total == 0 and suggestion and not _corrected_from:
        try:
            corrected: SearchResults | None = run_search(
                store,
                suggestion + " " + " ".join(_filter_words(query)),
                limit=limit,
                offset=offset,
                veivalg=veivalg,
                theme=theme,
                kommune=kommune,
                doc_type=doc_type,
                year=year,
                by_document=by_document,
                known_tags=known_tags,
                _corrected_from=query,
            )
        except QuerySyntaxError:  # the correction is no query either: keep the empty result
            corrected = None
        if corrected is not None and corrected.total:
            corrected.query = query
            corrected.suggestion = suggestion
            corrected.corrected = True
            return corrected
    return SearchResults(
        query=query,
        hits=hits,
        total=total,
        facets=facet_counts,
        suggestion=suggestion,
        offset=offset,
    )


def _rank_vectors(
    cache: _SearcherCache,
    strict: Query,
    relaxed: Query,
    ngroups: int,
    flt: set[int],
    weights: np.ndarray,
    want: int,
) -> tuple[np.ndarray, list[tuple[int, float]]] | None:
    """Every match scored at once (kbase.index.vectors), ranked: passages with all the typed
    words first, then by how many they hold, then by score times content weight. Returns the
    matching passages and the first `want` as (docnum, score); None for a query the vectors
    do not answer."""
    vectors = cache.vectors
    scored = vectors.scored(relaxed)
    if scored is None:
        return None
    matched = scored.mask & cache.mask(flt)
    docs = np.flatnonzero(matched)
    key = scored.score[docs] * weights[docs] / 100
    if ngroups > 1:
        parts = strict.subqueries if isinstance(strict, And) else [strict]
        coverage = np.zeros(len(docs))
        for part in parts:
            if not isinstance(part, NotQuery):
                group = vectors.scored(part)
                if group is None:
                    return None
                coverage += group.mask[docs]
        key += coverage * COVERAGE_STEP
    if len(docs) > want:
        # the want-th highest key, and every passage at or above it (all of a tie, so that
        # pages of the same search never disagree)
        kth = np.partition(key, len(key) - want)[len(key) - want]
        top = np.flatnonzero(key >= kth)
    else:
        top = np.arange(len(docs))
    # highest key first; among equals the lower document number, as Whoosh orders them
    top = top[np.lexsort((docs[top], -key[top]))][:want]
    return docs, [(int(docs[i]), float(scored.score[docs[i]])) for i in top]


def _rank_whoosh(
    s: Searcher,
    cache: _SearcherCache,
    strict: Query,
    relaxed: Query,
    groups: list[set[tuple[str, str]]],
    flt: set[int],
    weights: np.ndarray,
    want: int,
    by_document: bool,
) -> tuple[frozenset[int], list[tuple[int, float]], int]:
    """Whoosh's own matchers rank passages grouped by document and the queries the score
    vectors do not answer (phrases with slop): the matches, the ranked (docnum, score) and the
    total."""
    ordered: list[WhooshHit] = []
    if relaxed is not strict:  # all the typed words: these rank first
        found = s.search(strict, filter=flt, limit=None if by_document else want)
        # the scored hits only: sorted(found) would ask for len(found), which makes Whoosh
        # find every match again after a search that skipped low-scoring blocks
        top = [found[i] for i in range(found.scored_length())]
        ordered = sorted(top, key=lambda h: _rank_key(h, weights), reverse=True)
    # the relaxed query supplies the total, the facets and, when the page is not yet full,
    # the partial matches
    recorder = None
    if by_document or len(ordered) < want:
        if not by_document and _positional(relaxed):
            # a phrase: Whoosh must check word positions passage by passage, so this one pass
            # also records every match, for the total and the facets
            recorder = _Recorder(max(2 * want, 200 if len(groups) > 1 else 20))
            inner: collectors.Collector = recorder
            if len(groups) > 1:
                inner = collectors.TermsCollector(inner)
            outer = collectors.FilterCollector(inner, flt)
            s.search_with_collector(relaxed, outer)
            loose = outer.results()
        else:
            loose = s.search(
                relaxed,
                filter=flt,
                limit=BY_DOCUMENT_HITS if by_document else max(2 * want, 200),
                groupedby={"_docs": sorting.FieldFacet("doc_id")} if by_document else None,
                maptype=sorting.Count,
                terms=len(groups) > 1,
            )
        seen = {hit.docnum for hit in ordered}
        rest = [hit for hit in loose if hit.docnum not in seen]
        # more of the typed words first, then by score ("a question typed as a sentence still
        # finds its answer": the passage with two of its words beats one word thrice)
        rest.sort(
            key=lambda h: (
                -_coverage(h, groups) if len(groups) > 1 else 0,
                -_rank_key(h, weights),
            )
        )
        ordered.extend(rest)
    if recorder is not None:
        matched = frozenset(recorder.matched)
    else:
        matched = cache.matching.matches(relaxed) & flt if flt else frozenset()
    total = len(matched)
    if by_document:
        firsts: dict[str, WhooshHit] = {}
        for hit in ordered:
            firsts.setdefault(hit["doc_id"], hit)
        ordered = list(firsts.values())
        total = len(loose.groups("_docs"))
    # Whoosh's AND NOT can let an excluded passage through at a block edge; the exact set of
    # matches decides
    return matched, [(h.docnum, h.score) for h in ordered if h.docnum in matched], total


def _filter_words(query: str) -> list[str]:
    return [m.group(0) for m in FILTER_RE.finditer(query or "")]


def tag_counts(store: IndexStore) -> dict[str, dict[str, tuple[int, int]]]:
    """Per veivalg and theme slug: (passages, documents) carrying it."""
    s = store.searcher()
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for name in ("veivalg", "themes"):
        passages = s.search(
            Term("kind", "passage"),
            limit=1,
            groupedby={name: sorting.FieldFacet(name, allow_overlap=True)},
            maptype=sorting.Count,
        ).groups(name)
        docs: dict[str, int] = {}
        for doc in store.documents(fresh=False).values():
            for slug in doc.veivalg if name == "veivalg" else doc.themes:
                docs[slug] = docs.get(slug, 0) + 1
        out[name] = {str(k): (v, docs.get(str(k), 0)) for k, v in passages.items() if k}
    return out
