"""The Norwegian analyzer chain shared by indexing, search and tagging."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from whoosh.analysis import (
    Analyzer,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import stopwords_for_language

# Words: letters (æ, ø, å included) and digits; a decimal comma or point stays inside a number.
TOKEN_PATTERN = r"\w+(?:[.,]\d+)*"
WORD = re.compile(TOKEN_PATTERN)  # the same words, for code that needs only their spans
LANGUAGES = {"nb": "no", "nn": "no", "no": "no"}
ANALYZER_VERSION = "no-4"  # no-2: compound parts; no-3: protected stems; no-4: -erne

# Words the snowball stemmer gets wrong: it reads "-ar" in "ansvar" as a nynorsk plural
# ("ansvar" -> "ansv" but "ansvaret" -> "ansvar"), cuts "fastlege" to "fast", and splits
# "innbygger" from "innbyggere". Each form here maps to one stem of our choosing.
PROTECTED_STEMS = {
    form: stem
    for stem, forms in {
        "ansvar": ["ansvar", "ansvaret", "ansvarets"],
        "fastleg": ["fastlege", "fastlegen", "fastleger", "fastlegene", "fastlegar", "fastlegane"],
        "innbygger": ["innbygger", "innbyggeren", "innbyggere", "innbyggerne"],
        "seminar": ["seminar", "seminaret", "seminarer", "seminarene"],
        "kalender": ["kalender", "kalenderen"],
    }.items()
    for form in forms
}


ER_FORMS = ("ernes", "erens", "erne", "eren", "eres", "ere", "ers", "er")


def er_noun(word: str) -> str | None:
    """The singular of an "-er" noun (bruker, sykepleier, medisindispenser) when the word is one
    of its forms (brukere, brukerne, medisindispenserne), else None. Known nouns only: both the
    singular and the "-ere" plural must be in the lexicon, so "gjerne", "kjerne" and "moderne"
    are not taken for plurals; a compound is judged by its last part."""
    from .compounds import lexicon, split

    ending = next((e for e in ER_FORMS if word.endswith(e)), None)
    if ending is None:
        return None
    words = lexicon()
    for candidate in (word, *split(word)[-1:]):
        base = candidate[: len(candidate) - len(ending)]
        if (
            len(base) >= 2
            and candidate.endswith(ending)
            and base + "er" in words
            and base + "ere" in words
        ):
            return word[: len(word) - len(ending)] + "er"
    return None


@lru_cache(maxsize=200_000)
def stem_no(word: str) -> str:
    """The Norwegian snowball stem, except for the protected forms above, and with the
    definite plural of "-er" nouns stemmed like the indefinite one (brukerne ~ brukere)."""
    protected = PROTECTED_STEMS.get(word)
    if protected is not None:
        return protected
    if word.endswith(("erne", "ernes")) and (singular := er_noun(word)) is not None:
        return _snowball(singular + "e")
    return _snowball(word)


def _snowball(word: str) -> str:
    global _SNOWBALL
    if _SNOWBALL is None:
        from whoosh.lang import stemmer_for_language

        _SNOWBALL = stemmer_for_language("no")
    return _SNOWBALL(word)


_SNOWBALL = None
STOP_WORDS = frozenset(stopwords_for_language("no"))


def _lang(code: str) -> str:
    try:
        return LANGUAGES[code]
    except KeyError:
        raise ValueError(
            f"no Norwegian analysis for language code {code!r}; use nb, nn or no"
        ) from None


def norwegian_analyzer(code: str = "nb") -> Analyzer:
    """Tokenize, lowercase, drop stop words, then stem with the Norwegian snowball stemmer.

    Stop words are removed before any folding so that "på" is still seen as a stop word.
    """
    _lang(code)  # fails on codes other than nb, nn, no
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
        | StemFilter(stemfn=stem_no, lang=None, cachesize=50000)
    )


class CompoundPartsFilter(Filter):
    """At index time, replaces each compound by its parts (hverdagsrehabiliteringen -> hverdag,
    rehabiliteringen) and drops other words; at query time, passes words through.
    Holds no data, so the pickled schema stays small."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        from .compounds import split

        for t in tokens:
            if t.mode == "query":  # a typed word looks for itself among the parts
                yield t
                continue
            for part in split(t.text):
                t.text = part
                yield t


def parts_analyzer(code: str = "nb") -> Analyzer:
    """Compound parts, stemmed: indexed beside the whole words so a part finds the compound."""
    _lang(code)  # fails on codes other than nb, nn, no
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CompoundPartsFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
        | StemFilter(stemfn=stem_no, lang=None, cachesize=50000)
    )


def matched_form(word: str, terms: frozenset[str]) -> str:
    """The form by which a lowercased word of a passage is matched against a query's terms
    for highlighting: its stem, or the stem of a compound part the query matched
    ("hverdagsrehabiliteringen" -> "rehabilitering"); the word itself when no term is in it."""
    # stems and parts are cut from the word's letters, so a word that holds no query term can
    # match none: most words of a passage, and they need no stemming
    if not any(term in word for term in terms):
        return word
    from .compounds import split

    whole = stem_no(word)
    if whole not in terms:
        for part in split(word):
            stemmed = stem_no(part)
            if stemmed in terms:
                return stemmed
    return whole


def word_analyzer() -> Analyzer:
    """Lowercased words without stemming: the vocabulary for spelling suggestions."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()


@lru_cache(maxsize=200_000)
def index_forms(word: str) -> tuple[str | None, tuple[str, ...]]:
    """How a lowercased word is indexed: its stem (None for a stop word), as
    `norwegian_analyzer` gives it, and the stems of its compound parts, as `parts_analyzer`
    gives them."""
    from .compounds import split

    stem = None if word in STOP_WORDS else stem_no(word)
    return stem, tuple(stem_no(part) for part in split(word) if part and part not in STOP_WORDS)


def lowered_words(text: str) -> list[str]:
    """The words of a text, lowercased: what every analyzer here starts from."""
    return [w.lower() for w in WORD.findall(text)]


def stemmed_positions(words: list[str]) -> dict[str, list[int]]:
    """Each stem of `norwegian_analyzer` with its positions, for lowercased words: stop words
    are dropped and, as Whoosh's StopFilter renumbers, the words after the first kept one are
    counted without them."""
    out: dict[str, list[int]] = {}
    pos = -1
    for i, word in enumerate(words):
        stem = index_forms(word)[0]
        if stem is None:
            continue
        pos = i if pos < 0 else pos + 1
        if stem in out:
            out[stem].append(pos)
        else:
            out[stem] = [pos]
    return out


def word_positions(words: list[str]) -> dict[str, list[int]]:
    """Each word of `word_analyzer` with its positions."""
    out: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        if word in out:
            out[word].append(i)
        else:
            out[word] = [i]
    return out


def part_counts(words: list[str]) -> dict[str, int]:
    """Each stemmed compound part of `parts_analyzer` with the number of times it occurs."""
    out: dict[str, int] = {}
    for word in words:
        for part in index_forms(word)[1]:
            out[part] = out.get(part, 0) + 1
    return out


def fingerprint() -> str:
    """A short hash that changes whenever the analysis would give other terms."""
    probe = "Hverdagsrehabiliteringen i hjemmet og på sykehjemmene, 12 480 plasser og 64,5 %"
    terms = [t.text for t in norwegian_analyzer()(probe)]
    parts = [t.text for t in parts_analyzer()(probe)]
    raw = ANALYZER_VERSION + "|" + " ".join(terms) + "|" + " ".join(parts)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:12]


CONTACT = re.compile(
    r"\b(?:tlf|telefon|mobil|e-post|epost|sentralbord)\b|@|\b\d{3} ?\d{2} ?\d{3}\b", re.IGNORECASE
)


def content_weight(text: str) -> float:
    """Below 1 for contact lines and very short passages, so they never crowd out content."""
    weight = 1.0
    if CONTACT.search(text):
        weight *= 0.5
    if len(text.split()) < 6:
        weight *= 0.6
    return weight
