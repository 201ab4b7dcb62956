"""Tagging passages by veivalg and theme, with the evidence for every tag."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .analysis import STOP_WORDS, WORD, stem_no
from .taxonomy import Tag, Taxonomy

COMPOUND_MIN = 5  # a cue this long may match as part of a compound word
MAX_STEM_CUT = 3  # "-ene", "-ane", "-en", "-er": more than this is not an inflection
MAX_ENDING = 4  # letters of inflection allowed after a compound's tail ("-ene", "-ane")


@dataclass(frozen=True)
class _Token:
    surface: str
    stem: str


@dataclass(frozen=True)
class _Cue:
    text: str
    tokens: tuple[_Token, ...]
    weight: float


class _Words:
    """A passage's tokens, with its words by form and stem for finding where cues match."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.by_surface: dict[str, tuple[_Token, list[int]]] = {}
        for i, tok in enumerate(tokens):
            self.by_surface.setdefault(tok.surface, (tok, []))[1].append(i)
        self.by_stem = {tok.stem for tok in tokens}
        self.text = " ".join(self.by_surface)
        self.found: dict[str, list[int]] = {}  # cue form -> positions, per passage
        # first words of cues that can match here -> the passage's words they can match
        self.heads: dict[str, set[str]] | None = None


@dataclass(frozen=True)
class TagResult:
    """The tags of one passage and the evidence for each."""

    veivalg: tuple[str, ...]
    themes: tuple[str, ...]
    evidence: dict[str, dict[str, Any]]


class Tagger:
    """Scores passages against a taxonomy; the same words and stems as search."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        # stop words stay in: phrase cues ("hva er viktig for deg", "bo i eget hjem") need them
        self._settings = {
            name: taxonomy.setting(name)
            for name in ("heading_weight", "veivalg_threshold", "theme_threshold")
        }
        self._stem = stem_no
        self._stem_cache: dict[str, str] = {}
        self._cues = {
            (tag.kind, tag.slug): (
                self._compile(tag.terms),
                self._compile(tag.against),
                self._compile({tag.label: 1.0}),
            )
            for tag in (*taxonomy.veivalg, *taxonomy.themes)
        }
        self._match_cache: dict[tuple[str, str], bool] = {}
        # the first words of all cues, by form and by stem, and for each word seen in a
        # passage the cue first words written inside it
        heads = {cue.tokens[0] for groups in self._cues.values() for g in groups for cue in g}
        self._heads = {t.surface for t in heads}
        self._heads_by_stem: dict[str, set[str]] = {}
        for t in heads:
            self._heads_by_stem.setdefault(t.stem, set()).add(t.surface)
        self._shortest = min((len(h) for h in self._heads), default=1)
        self._inside: dict[str, frozenset[str]] = {}

    def _tokens(self, text: str) -> list[_Token]:
        out = []
        for m in WORD.finditer(text):  # the search analyzer's words, lowercased below
            word = m.group().lower()
            stem = self._stem_cache.get(word)
            if stem is None:
                stem = self._stem_cache[word] = self._stem(word)
            out.append(_Token(word, stem))
        return out

    def _compile(self, terms: dict[str, float]) -> list[_Cue]:
        """The cues of `terms`, strongest first (and longest first among equals)."""
        cues = []
        for text, weight in terms.items():
            tokens = tuple(self._tokens(text))
            if len(tokens) == 1 and tokens[0].surface in STOP_WORDS:
                continue  # a lone stop word is no evidence
            if tokens:
                cues.append(_Cue(text, tokens, weight))
        return sorted(cues, key=lambda c: (-c.weight, -len(c.tokens)))

    def _same(self, cue: _Token, tok: _Token) -> bool:
        """Same word (stem or form), or the cue as the head or tail part of a compound."""
        key = (cue.surface, tok.surface)
        hit = self._match_cache.get(key)
        if hit is None:
            # the snowball stemmer sometimes cuts far into a word ("fastlegar" -> "fast"):
            # a shared stem counts only where it removed no more than an inflection
            hit = cue.surface == tok.surface or (
                cue.stem == tok.stem
                and len(cue.surface) - len(cue.stem) <= MAX_STEM_CUT
                and len(tok.surface) - len(tok.stem) <= MAX_STEM_CUT
            )
            if not hit and len(cue.surface) >= COMPOUND_MIN:
                at = tok.surface.rfind(cue.surface)
                # head: "demens|avdelingen"; tail: "hverdags|rehabiliteringen" (ending ≤ 4 letters)
                hit = at == 0 or (
                    at >= 3 and len(tok.surface) - at - len(cue.surface) <= MAX_ENDING
                )
            self._match_cache[key] = hit
        return hit

    def _heads_in(self, words: _Words) -> dict[str, set[str]]:
        """The first words of cues that can match in `words`, each with the words of the
        passage it can match: those with its stem, and those it is written inside (all a
        cue can match, see `_same`). Found once per passage."""
        if words.heads is not None:
            return words.heads
        found: dict[str, set[str]] = {}
        by_stem: dict[str, list[str]] = {}
        for surface, (tok, _) in words.by_surface.items():
            by_stem.setdefault(tok.stem, []).append(surface)
        for stem, surfaces in by_stem.items():
            for head in self._heads_by_stem.get(stem, ()):
                found.setdefault(head, set()).update(surfaces)
        if len(self._inside) > 500_000:  # a vocabulary this large: start again
            self._inside.clear()
        for word in words.by_surface:
            inside = self._inside.get(word)
            if inside is None:
                inside = self._inside[word] = frozenset(
                    word[i:j]
                    for i in range(len(word))
                    for j in range(i + self._shortest, len(word) + 1)
                    if word[i:j] in self._heads
                )
            for head in inside:
                found.setdefault(head, set()).add(word)
        words.heads = found
        return found

    def _positions(self, cue: _Token, words: _Words) -> list[int]:
        """Where in the passage `cue` matches a word, in order."""
        found = words.found.get(cue.surface)
        if found is not None:
            return found
        if cue.surface in self._heads:  # the first word of a cue: all found at once
            surfaces: Iterable[str] = self._heads_in(words).get(cue.surface, ())
        elif cue.stem in words.by_stem or cue.surface in words.text:
            # only words that share the stem, or hold the cue's letters, can match
            surfaces = [
                surface
                for surface, (tok, _) in words.by_surface.items()
                if tok.stem == cue.stem or cue.surface in surface
            ]
        else:
            surfaces = ()
        found = sorted(
            i
            for surface in surfaces
            if self._same(cue, words.by_surface[surface][0])
            for i in words.by_surface[surface][1]
        )
        words.found[cue.surface] = found
        return found

    def _starts(self, cue: _Cue, words: _Words) -> list[int]:
        first = self._positions(cue.tokens[0], words)
        if len(cue.tokens) == 1 or not first:
            return first
        tokens, n = words.tokens, len(cue.tokens)
        return [
            i
            for i in first
            if i + n <= len(tokens)
            and all(self._same(c, tokens[i + k]) for k, c in enumerate(cue.tokens[1:], 1))
        ]

    def _count(self, cue: _Cue, words: _Words) -> int:
        return len(self._starts(cue, words))

    def _score(
        self, tag: Tag, words: _Words, section: list[_Words]
    ) -> tuple[float, list[str], bool]:
        terms, against, label = self._cues[(tag.kind, tag.slug)]
        score = 0.0
        matched = []
        used: set[int] = set()  # each word counts once, for its strongest cue
        found = words.found
        possible = self._heads_in(words)
        for cue in terms:  # strongest first
            first = cue.tokens[0].surface
            if first not in possible:
                continue  # most cues: their first word is not in the passage
            head = found.get(first)
            if head is None:
                head = self._positions(cue.tokens[0], words)
            if not head:
                continue
            spans = [range(i, i + len(cue.tokens)) for i in self._starts(cue, words)]
            spans = [sp for sp in spans if not used.intersection(sp)]
            if spans:
                for sp in spans:
                    used.update(sp)
                score += cue.weight * (1 + 0.3 * min(len(spans) - 1, 3))
                matched.append(cue.text)
        for cue in against:
            if self._count(cue, words):
                score -= cue.weight
                matched.append(f"-{cue.text}")
        heading = False
        hw = self._settings["heading_weight"]
        for depth, head in enumerate(reversed(section)):
            factor = 1.0 if depth == 0 else 0.5
            if any(self._count(c, head) for c in label):
                score += hw * factor
                heading = True
                break
            if any(self._count(c, head) and c.weight >= 2.5 for c in terms):
                score += hw * 0.5 * factor
                heading = True
                break
        return score, matched, heading

    def tag(self, text: str, section: str = "") -> TagResult:
        """The veivalg and themes of a passage, each with its score and matched terms."""
        words = _Words(self._tokens(text))
        path = [_Words(self._tokens(head)) for head in section.split(" > ")] if section else []
        evidence: dict[str, dict[str, Any]] = {}
        chosen: dict[str, list[tuple[float, str]]] = {"veivalg": [], "theme": []}
        for tag in (*self.taxonomy.veivalg, *self.taxonomy.themes):
            score, matched, heading = self._score(tag, words, path)
            threshold = self._settings[f"{tag.kind}_threshold"]
            if score >= threshold:
                chosen[tag.kind].append((score, tag.slug))
                evidence[tag.slug] = {
                    "score": round(score, 2),
                    "terms": matched,
                    "heading": heading,
                }
        veivalg = sorted(chosen["veivalg"], reverse=True)
        if veivalg:
            top = veivalg[0][0]
            keep = int(self.taxonomy.setting("max_veivalg"))
            floor = self.taxonomy.setting("second_veivalg") * top
            kept = [(sc, s) for sc, s in veivalg[:keep] if sc >= floor]
            for _, slug in veivalg:
                if (_, slug) not in kept:
                    evidence.pop(slug, None)
            veivalg = kept
        themes = sorted(chosen["theme"], reverse=True)
        return TagResult(tuple(s for _, s in veivalg), tuple(s for _, s in themes), evidence)


def document_tags(passage_tags: list[tuple[str, ...]]) -> tuple[str, ...]:
    """Tags a document carries, most used first: those on at least a tenth of its passages
    and on two of them (one is enough in a document of three passages or fewer)."""
    counts: Counter[str] = Counter(t for tags in passage_tags for t in tags)
    n = len(passage_tags)
    need = 1 if n <= 3 else max(2, math.ceil(n / 10))
    return tuple(t for t, n in counts.most_common() if n >= need)
