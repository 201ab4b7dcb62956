"""The Norwegian analyzer chain shared by indexing, search and tagging."""

from __future__ import annotations

import hashlib

from whoosh.analysis import (
    Analyzer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import stopwords_for_language

# Words: letters (æ, ø, å included) and digits; a decimal comma or point stays inside a number.
TOKEN_PATTERN = r"\w+(?:[.,]\d+)*"
LANGUAGES = {"nb": "no", "nn": "no", "no": "no"}
ANALYZER_VERSION = "no-1"
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
    lang = _lang(code)
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
        | StemFilter(lang=lang, cachesize=50000)
    )


def word_analyzer() -> Analyzer:
    """Lowercased words without stemming: the vocabulary for spelling suggestions."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()


def fingerprint() -> str:
    """A short hash that changes whenever the analysis would give other terms."""
    probe = "Hverdagsrehabiliteringen i hjemmet og på sykehjemmene, 12 480 plasser og 64,5 %"
    terms = [t.text for t in norwegian_analyzer()(probe)]
    raw = ANALYZER_VERSION + "|" + " ".join(terms)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:12]
