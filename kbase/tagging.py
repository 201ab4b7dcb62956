"""Tagging passages by veivalg and theme, with the evidence for every tag."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from whoosh.analysis import LowercaseFilter, RegexTokenizer

from .analysis import STOP_WORDS, TOKEN_PATTERN, stem_no
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
        self._tokenize = RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()
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
        self._seen_tokens: list[_Token] | None = None  # the passage _may_match last saw
        self._seen_stems: set[str] = set()
        self._seen_text = ""

    def _tokens(self, text: str) -> list[_Token]:
        out = []
        for t in self._tokenize(text):
            word = t.text
            stem = self._stem_cache.get(word)
            if stem is None:
                stem = self._stem_cache[word] = self._stem(word)
            out.append(_Token(word, stem))
        return out

    def _compile(self, terms: dict[str, float]) -> list[_Cue]:
        cues = []
        for text, weight in terms.items():
            tokens = tuple(self._tokens(text))
            if len(tokens) == 1 and tokens[0].surface in STOP_WORDS:
                continue  # a lone stop word is no evidence
            if tokens:
                cues.append(_Cue(text, tokens, weight))
        return cues

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

    def _may_match(self, cue: _Token, tokens: list[_Token]) -> bool:
        """A quick test that rules out most cues: a match needs the cue's stem among the
        passage's stems, or its form inside one of the passage's words."""
        if self._seen_tokens is not tokens:
            self._seen_tokens = tokens
            self._seen_stems = {t.stem for t in tokens}
            self._seen_text = " ".join(t.surface for t in tokens)
        return cue.stem in self._seen_stems or cue.surface in self._seen_text

    def _starts(self, cue: _Cue, tokens: list[_Token]) -> list[int]:
        if not self._may_match(cue.tokens[0], tokens):
            return []
        n = len(cue.tokens)
        return [
            i
            for i in range(len(tokens) - n + 1)
            if all(self._same(c, tokens[i + k]) for k, c in enumerate(cue.tokens))
        ]

    def _count(self, cue: _Cue, tokens: list[_Token]) -> int:
        return len(self._starts(cue, tokens))

    def _score(
        self, tag: Tag, tokens: list[_Token], section: list[str]
    ) -> tuple[float, list[str], bool]:
        terms, against, label = self._cues[(tag.kind, tag.slug)]
        score = 0.0
        matched = []
        used: set[int] = set()  # each word counts once, for its strongest cue
        for cue in sorted(terms, key=lambda c: (-c.weight, -len(c.tokens))):
            spans = [range(i, i + len(cue.tokens)) for i in self._starts(cue, tokens)]
            spans = [sp for sp in spans if not used.intersection(sp)]
            if spans:
                for sp in spans:
                    used.update(sp)
                score += cue.weight * (1 + 0.3 * min(len(spans) - 1, 3))
                matched.append(cue.text)
        for cue in against:
            if self._count(cue, tokens):
                score -= cue.weight
                matched.append(f"-{cue.text}")
        heading = False
        hw = self.taxonomy.setting("heading_weight")
        for depth, head in enumerate(reversed(section)):
            htoks = self._tokens(head)
            factor = 1.0 if depth == 0 else 0.5
            if any(self._count(c, htoks) for c in label):
                score += hw * factor
                heading = True
                break
            if any(self._count(c, htoks) and c.weight >= 2.5 for c in terms):
                score += hw * 0.5 * factor
                heading = True
                break
        return score, matched, heading

    def tag(self, text: str, section: str = "") -> TagResult:
        """The veivalg and themes of a passage, each with its score and matched terms."""
        tokens = self._tokens(text)
        path = section.split(" > ") if section else []
        evidence: dict[str, dict[str, Any]] = {}
        chosen: dict[str, list[tuple[float, str]]] = {"veivalg": [], "theme": []}
        for tag in (*self.taxonomy.veivalg, *self.taxonomy.themes):
            score, matched, heading = self._score(tag, tokens, path)
            threshold = self.taxonomy.setting(f"{tag.kind}_threshold")
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
